import { DataLakeError, type DataLakeErrorCode, ValidationError } from '@datalake/core';
import { displayName } from './display.js';

/** The command line itself is wrong (unknown option value, missing argument): exit code 2. */
export class UsageError extends ValidationError {}

/** The user stopped the command (Ctrl-C, `kill`): exit code 128 + the signal's number. */
export class InterruptedError extends Error {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted (${signal})`);
    this.name = 'InterruptedError';
  }
}

/** Exit codes: documented in the README, never renumbered. */
export const ExitCode = {
  OK: 0,
  /** The command ran but part of it failed (files that could not be ingested, a failed check); or an unexpected error. */
  FAILURE: 1,
  /** Usage error or invalid input. */
  USAGE: 2,
  NOT_FOUND: 3,
  CONFLICT: 4,
  CORRUPT: 5,
  /** The storage failed (I/O error, unreachable server) or was closed. */
  STORAGE: 6,
  READ_ONLY: 7,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

const EXIT_CODE_OF: Record<DataLakeErrorCode, number> = {
  VALIDATION: ExitCode.USAGE,
  TOO_LARGE: ExitCode.USAGE,
  NOT_FOUND: ExitCode.NOT_FOUND,
  CONFLICT: ExitCode.CONFLICT,
  RETENTION: ExitCode.CONFLICT,
  PRECONDITION_FAILED: ExitCode.CONFLICT,
  CORRUPT: ExitCode.CORRUPT,
  BACKEND: ExitCode.STORAGE,
  CLOSED: ExitCode.STORAGE,
  READ_ONLY: ExitCode.READ_ONLY,
};

export function exitCodeOf(error: unknown): number {
  if (error instanceof InterruptedError) return ExitCode[error.signal];
  if (error instanceof DataLakeError) return EXIT_CODE_OF[error.code] ?? ExitCode.FAILURE;
  return ExitCode.FAILURE;
}

/** The code of `--json` errors: the lake's error codes, plus `USAGE`, `INTERRUPTED` and `INTERNAL`. */
export type ErrorCode = DataLakeErrorCode | 'USAGE' | 'INTERRUPTED' | 'INTERNAL';

export function errorCodeOf(error: unknown): ErrorCode {
  if (error instanceof UsageError) return 'USAGE';
  if (error instanceof InterruptedError) return 'INTERRUPTED';
  if (error instanceof DataLakeError) return error.code;
  return 'INTERNAL';
}

/** What `--json` prints on stderr for an error. */
export interface ErrorJson {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

export function errorJson(error: unknown): ErrorJson {
  const details = error instanceof DataLakeError ? error.details : errnoDetails(error);
  return { error: { code: errorCodeOf(error), message: messageOf(error), details } };
}

/** One line for the user, `error: <message>`, with every outside name escaped. No stack. */
export function describeError(error: unknown): string {
  return `error: ${displayName(messageOf(error))}`;
}

/** The cause chain, one line per cause, for `--debug`. */
export function describeCauses(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  const seen = new Set<unknown>();
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = current instanceof DataLakeError ? current.code : errnoOf(current)?.code;
    const prefix = lines.length === 0 ? '' : 'caused by: ';
    lines.push(`  ${prefix}${current.name}${code ? ` [${code}]` : ''}: ${displayName(messageOf(current))}`);
    current = current.cause;
  }
  return lines;
}

/**
 * An error's message, once: a system error (`ENOENT: no such file or directory, open 'x'`) reads
 * `cannot open x: no such file or directory (ENOENT)`.
 */
export function messageOf(error: unknown): string {
  const errno = errnoOf(error);
  if (errno && !(error instanceof DataLakeError)) {
    const reason = tidyReason(errno.message);
    const target = errno.path ? ` ${errno.path}` : '';
    return errno.syscall ? `cannot ${errno.syscall}${target}: ${reason}` : reason;
  }
  if (error instanceof Error) return tidyReason(error.message);
  return tidyReason(String(error));
}

/**
 * A failure reason that may carry a system error's text: the code said once, at the end
 * (`ENOENT: ENOENT: no such file or directory, open '/x'` becomes `no such file or directory (ENOENT)`;
 * the file is named by whoever prints the reason).
 */
export function tidyReason(text: string): string {
  const system = /^((?:E[A-Z0-9]+: )+)(.*)$/s.exec(text);
  if (!system) return text;
  const code = (system[1] as string).slice(0, (system[1] as string).indexOf(':'));
  return `${withoutSyscall(system[2] as string)} (${code})`;
}

function withoutSyscall(text: string): string {
  return text.replace(/, [a-z]+ '.*'$/s, '');
}

interface Errno {
  code: string;
  message: string;
  syscall?: string;
  path?: string;
}

function errnoOf(error: unknown): Errno | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return undefined;
  return {
    code,
    message: error.message,
    ...(typeof syscall === 'string' ? { syscall } : {}),
    ...(typeof path === 'string' ? { path } : {}),
  };
}

function errnoDetails(error: unknown): Record<string, unknown> {
  const errno = errnoOf(error);
  if (!errno) return {};
  return {
    errno: errno.code,
    ...(errno.syscall ? { syscall: errno.syscall } : {}),
    ...(errno.path ? { path: errno.path } : {}),
  };
}
