import { spawn, spawnSync } from 'node:child_process';
import { cliPath } from './cli.js';

/**
 * Runs the built command on a pseudo-terminal, as a user at a terminal would, through util-linux
 * `script`. Everything the command writes (stdout and stderr) arrives as one stream, as on a screen.
 */

export interface TerminalResult {
  code: number;
  /** All output, as the terminal received it (line ends become CRLF). */
  output: string;
}

export interface TerminalSession {
  /** Resolves once the output contains `text`. */
  waitFor(text: string): Promise<void>;
  /** Types on the keyboard: `\x03` is Ctrl-C. */
  type(keys: string): void;
  done: Promise<TerminalResult>;
}

/** Whether `script` from util-linux (with `-e` and `-c`) is installed. */
export const terminalAvailable = (() => {
  const probe = spawnSync('script', ['-qefc', 'true', '/dev/null'], { stdio: 'ignore' });
  return probe.status === 0;
})();

function shellQuote(argument: string): string {
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

export function startInTerminal(args: string[], env: Record<string, string> = {}): TerminalSession {
  const command = [process.execPath, cliPath, ...args].map(shellQuote).join(' ');
  const environment: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...env };
  if (!('DATALAKE_URL' in env)) delete environment.DATALAKE_URL;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: environment,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const received = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      if (output.includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout.on('data', received);
  child.stderr.on('data', received);
  const done = new Promise<TerminalResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      for (const waiter of waiters) waiter.resolve();
      resolve({ code: code ?? -1, output });
    });
  });
  return {
    waitFor: (text) =>
      new Promise((resolve) => {
        if (output.includes(text)) resolve();
        else waiters.push({ text, resolve });
      }),
    type: (keys) => child.stdin.write(keys),
    done,
  };
}

export function runInTerminal(args: string[], env: Record<string, string> = {}): Promise<TerminalResult> {
  return startInTerminal(args, env).done;
}
