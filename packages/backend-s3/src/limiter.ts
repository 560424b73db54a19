/**
 * A counting semaphore. The backend sends requests only while holding permits, so thousands of
 * concurrent calls queue here instead of inside the HTTP agent, where the SDK's connection
 * timeout would already be running while they wait for a socket.
 */
export class RequestLimiter {
  readonly #capacity: number;
  #available: number;
  readonly #waiting: Array<{ weight: number; wake: () => void }> = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#available = capacity;
  }

  /** Runs `task` once `weight` permits are free (weight is capped at the capacity). */
  async run<T>(task: () => Promise<T>, weight = 1): Promise<T> {
    const permits = Math.min(weight, this.#capacity);
    await this.#acquire(permits);
    try {
      return await task();
    } finally {
      this.#release(permits);
    }
  }

  #acquire(permits: number): Promise<void> {
    if (this.#waiting.length === 0 && this.#available >= permits) {
      this.#available -= permits;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push({ weight: permits, wake: resolve }));
  }

  #release(permits: number): void {
    this.#available += permits;
    // First come, first served: a heavy waiter at the head is not overtaken by light ones.
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0] as { weight: number; wake: () => void };
      if (next.weight > this.#available) break;
      this.#waiting.shift();
      this.#available -= next.weight;
      next.wake();
    }
  }
}
