/**
 * At most `size` tasks at once; `run` waits for a free slot before it starts a task, so a producer
 * never queues more than `size` tasks (and what they hold). Failures are kept for `drain`.
 */
export class Pool {
  private readonly running = new Set<Promise<void>>();
  private firstError: { error: unknown } | undefined;

  constructor(private readonly size: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.size) await Promise.race(this.running);
    this.throwIfFailed();
    const promise = task().then(
      () => {
        this.running.delete(promise);
      },
      (error: unknown) => {
        this.running.delete(promise);
        this.firstError ??= { error };
      },
    );
    this.running.add(promise);
  }

  /** Waits for every task; throws the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.firstError) throw this.firstError.error;
  }
}
