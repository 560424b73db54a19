import { CommanderError } from 'commander';
import {
  describeCauses,
  describeError,
  ExitCode,
  errorJson,
  exitCodeOf,
  type InterruptedError,
  UsageError,
} from './errors.js';
import { handleInterrupts } from './interrupts.js';
import {
  isJsonOutput,
  outputFailure,
  printJsonLine,
  printMessage,
  setJsonOutput,
  watchOutputStreams,
  writeStderr,
} from './output.js';
import { createProgram } from './program.js';

/** The global flags, known before commander parses (its own errors must honour `--json` too). */
function flagGiven(argv: string[], flag: string): boolean {
  const end = argv.indexOf('--');
  return argv.slice(2, end === -1 ? undefined : end).includes(flag);
}

/**
 * Node prints process warnings with a multi-line banner. Keep stderr to one line per message and
 * drop the AWS SDK's notice about future Node versions, which users of this command cannot act on.
 */
function quietWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (/NodeVersionSupportWarning/.test(`${warning.name} ${warning.message}`)) return;
    printMessage('warning', warning.message.split('\n')[0] ?? '');
  });
}

/** Prints an error once: one `error: …` line (plus the causes with `--debug`), or one JSON line. */
function reportError(error: unknown, debug: boolean): void {
  if (isJsonOutput()) {
    printJsonLine(errorJson(error));
    return;
  }
  writeStderr(`${describeError(error)}\n`);
  if (debug) writeStderr(`${describeCauses(error).join('\n')}\n`);
}

/** Commander's own errors (unknown option, missing argument) are usage errors: exit code 2. */
function commanderOutcome(error: CommanderError): number {
  if (error.exitCode === 0) return ExitCode.OK; // --help, --version
  if (error.code === 'commander.help') {
    // No command given: the help went to stderr already, except with --json.
    if (isJsonOutput()) reportError(new UsageError('a command is required (see datalake --help)'), false);
    return ExitCode.USAGE;
  }
  // "unknown command 'lss'" and, on the next line, "(Did you mean ls?)".
  const [message = '', ...hints] = error.message.replace(/^error: /, '').split('\n');
  const hint = hints.join(' ').replace(/^\((.*)\)$/, '$1');
  reportError(new UsageError(message, hint ? { details: { hint } } : undefined), false);
  if (!isJsonOutput()) writeStderr(`(${hint || 'run with --help for usage'})\n`);
  return ExitCode.USAGE;
}

async function main(argv: string[]): Promise<number> {
  const debug = flagGiven(argv, '--debug');
  setJsonOutput(flagGiven(argv, '--json'));
  quietWarnings();
  watchOutputStreams();
  handleInterrupts((error: InterruptedError) => reportError(error, false));
  let code: number;
  try {
    await createProgram().parseAsync(argv);
    code = Number(process.exitCode ?? ExitCode.OK);
  } catch (error) {
    if (error instanceof CommanderError) code = commanderOutcome(error);
    else {
      reportError(error, debug);
      code = exitCodeOf(error);
    }
  }
  // Output lost to a failing stdout (a full disk behind `> file`) is a failure; a reader that
  // closed the pipe early (`| head`) is not, and leaves the code as the work earned it.
  const failure = outputFailure();
  if (failure && code === ExitCode.OK) {
    reportError(failure, debug);
    code = ExitCode.FAILURE;
  }
  return code;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    reportError(error, false);
    process.exitCode = ExitCode.FAILURE;
  },
);
