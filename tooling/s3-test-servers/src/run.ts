/**
 * The test command's runner: `node --import tsx tooling/s3-test-servers/src/run.ts -- <command...>`
 * runs the command with the project's S3 test servers (see runner.ts).
 */
import { runWithS3Servers } from './runner.js';

const args = process.argv.slice(2);
const command = args[0] === '--' ? args.slice(1) : args;
if (command.length === 0) {
  process.stderr.write('usage: run.ts -- <command> [args...]\n');
  process.exit(2);
}
runWithS3Servers(command).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[s3-test-servers] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
