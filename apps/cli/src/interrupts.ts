import { ExitCode, InterruptedError } from './errors.js';

/**
 * Ctrl-C (SIGINT) and `kill` (SIGTERM): the terminal is restored at once (a progress bar hides the
 * cursor and turns off line wrap), open lakes are closed so that what was stored stays indexed,
 * then the process exits 130 or 143. A second signal exits at once.
 */

type Restore = () => void;
type Cleanup = () => Promise<unknown>;

const terminalRestorers = new Set<Restore>();
const cleanups = new Set<Cleanup>();

/** Registers how to put the terminal back; call the returned function once it is back. */
export function guardTerminal(restore: Restore): () => void {
  terminalRestorers.add(restore);
  return () => terminalRestorers.delete(restore);
}

/** Registers work to finish before an interrupted process exits (closing a lake); returns the unregister. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function restoreTerminal(): void {
  for (const restore of [...terminalRestorers]) {
    terminalRestorers.delete(restore);
    try {
      restore();
    } catch {
      // The terminal may be gone (hang-up); nothing left to restore.
    }
  }
}

let owner: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;

/**
 * Lets a command for which a signal is the normal way to stop (`serve`) handle the first one
 * itself; a second signal still exits at once. Returns the release.
 */
export function ownSignals(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void {
  owner = handler;
  return () => {
    if (owner === handler) owner = undefined;
  };
}

/** Installs the handlers; `report` tells the user (once) that the command was interrupted. */
export function handleInterrupts(report: (error: InterruptedError) => void): void {
  let interrupted = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (owner && !interrupted) {
      interrupted = true;
      owner(signal);
      return;
    }
    restoreTerminal();
    const code = ExitCode[signal];
    // Reported last, so that the error is the last line even if work still in flight prints.
    const exit = () => {
      report(new InterruptedError(signal));
      process.exit(code);
    };
    if (interrupted) exit();
    interrupted = true;
    void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(exit);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Every other way out (an uncaught error, process.exit elsewhere) restores the terminal too.
  process.on('exit', restoreTerminal);
}
