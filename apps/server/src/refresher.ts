/**
 * Runs `work` every `intervalMs` (never two at once), and on demand: `now()` resolves after a run
 * that started after the call, so whatever was written before the call is seen. When a run takes
 * long (a refresh that lists a large lake), the pause after it grows to `slowdown` times its
 * duration, so the periodic work never takes more than about a quarter of the process's time.
 */
export class Refresher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private stopped = false;
  private lastDurationMs = 0;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly slowdown = 3,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.stopped) return;
    const tick = () => {
      this.timer = setTimeout(
        () => {
          void this.now()
            .catch(() => {})
            .finally(() => {
              if (!this.stopped) tick();
            });
        },
        Math.max(this.intervalMs, this.slowdown * this.lastDurationMs),
      );
      this.timer.unref();
    };
    tick();
  }

  /** A run that starts after this call (joining one already queued). */
  now(): Promise<void> {
    if (!this.running) return this.run();
    this.queued ??= this.running.then(
      () => this.run(),
      () => this.run(),
    );
    return this.queued;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([this.running, this.queued]);
  }

  private run(): Promise<void> {
    this.queued = undefined;
    const started = performance.now();
    const run = this.work()
      .catch((error: unknown) => {
        this.onError(error);
        throw error;
      })
      .finally(() => {
        this.lastDurationMs = performance.now() - started;
      });
    this.running = run;
    void run.then(
      () => this.finish(run),
      () => this.finish(run),
    );
    return run;
  }

  private finish(run: Promise<void>): void {
    if (this.running === run) this.running = undefined;
  }
}
