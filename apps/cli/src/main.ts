import { CommanderError } from 'commander';
import { describeCauses, describeError, ExitCode, exitCodeOf } from './errors.js';
import { createProgram } from './program.js';

/**
 * Node prints process warnings with a multi-line banner. Keep stderr to one line per message and
 * drop the AWS SDK's notice about future Node versions, which users of this command cannot act on.
 */
function quietWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (/NodeVersionSupportWarning/.test(`${warning.name} ${warning.message}`)) return;
    process.stderr.write(`warning: ${warning.message.split('\n')[0]}\n`);
  });
}

/** `datalake get ... | head` closes the pipe early: that is not an error worth a message. */
function toleratePipeClosure(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.OK);
    process.stderr.write(`${describeError(error)}\n`);
    process.exit(ExitCode.FAILURE);
  });
}

async function main(argv: string[]): Promise<number> {
  quietWarnings();
  toleratePipeClosure();
  const program = createProgram();
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? ExitCode.OK);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    process.stderr.write(`${describeError(error)}\n`);
    if (argv.includes('--debug')) process.stderr.write(`${describeCauses(error).join('\n')}\n`);
    return exitCodeOf(error);
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${describeError(error)}\n`);
    process.exitCode = ExitCode.FAILURE;
  },
);
