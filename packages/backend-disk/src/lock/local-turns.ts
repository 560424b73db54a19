/**
 * First come, first served turns per lock path within this process: only the caller whose turn it
 * is contends for the lock file, the others wait here in arrival order (and poll nothing).
 */
export class LocalTurns {
  /** Per path in use: the callers waiting for their turn, oldest first. */
  private readonly waiting = new Map<string, Array<(granted: boolean) => void>>();

  /** Resolves `true` once it is the caller's turn on `path`, or `false` when `deadline` passes first. */
  take(path: string, deadline: number): Promise<boolean> {
    const queue = this.waiting.get(path);
    if (!queue) {
      this.waiting.set(path, []);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const grant = (granted: boolean) => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(
        () => {
          const at = queue.indexOf(grant);
          if (at !== -1) queue.splice(at, 1);
          resolve(false);
        },
        Math.max(0, deadline - Date.now()),
      );
      queue.push(grant);
    });
  }

  /** Ends the current turn on `path`: the next waiter, if any, gets it. */
  pass(path: string): void {
    const queue = this.waiting.get(path);
    const next = queue?.shift();
    if (next) next(true);
    else this.waiting.delete(path);
  }
}
