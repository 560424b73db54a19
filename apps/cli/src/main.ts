import { CommanderError } from 'commander';
import { describeCauses, describeError, ExitCode, exitCodeOf } from './errors.js';
import { createProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
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
