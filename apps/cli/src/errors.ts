import { DataLakeError, ValidationError } from '@datalake/core';

/** The command line itself is wrong (unknown option value, missing argument): exit code 2. */
export class UsageError extends ValidationError {}

export const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? ExitCode.USAGE : ExitCode.FAILURE;
}

/** One line for the user: the message, prefixed by the error code for library errors. No stack. */
export function describeError(error: unknown): string {
  if (error instanceof DataLakeError) return `error: ${oneLine(error.message)}`;
  if (error instanceof Error) return `error: ${oneLine(error.message)}`;
  return `error: ${oneLine(String(error))}`;
}

/** The cause chain, one line per cause, for `--debug`. */
export function describeCauses(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  const seen = new Set<unknown>();
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = current instanceof DataLakeError ? ` [${current.code}]` : errnoCode(current);
    const prefix = lines.length === 0 ? '' : 'caused by: ';
    lines.push(`  ${prefix}${current.name}${code}: ${oneLine(current.message)}`);
    current = current.cause;
  }
  return lines;
}

function errnoCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? ` [${code}]` : '';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
