import type { DataLakeErrorCode } from '@datalake/model';

/**
 * Asserts that `action` rejects with a data-lake error of the given code. Matches on `code`
 * rather than `instanceof`, so adapters built against another copy of the core package pass too.
 */
export async function expectErrorCode(
  action: Promise<unknown> | (() => Promise<unknown>),
  code: DataLakeErrorCode,
  what: string,
): Promise<unknown> {
  let outcome: unknown;
  try {
    outcome = await (typeof action === 'function' ? action() : action);
  } catch (error) {
    assertErrorCode(error, code, what);
    return error;
  }
  throw new Error(`${what}: expected a ${code} error, but it succeeded with ${describeValue(outcome)}`);
}

export function assertErrorCode(error: unknown, code: DataLakeErrorCode, what: string): void {
  const actual = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || actual !== code) {
    throw new Error(`${what}: expected a ${code} error, got ${describeValue(error)}`, { cause: error });
  }
}

export function hasErrorCode(error: unknown, code: DataLakeErrorCode): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === code;
}

function describeValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}${code === undefined ? '' : ` [${String(code)}]`}: ${value.message}`;
  }
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.slice(0, 200);
  } catch {
    return String(value);
  }
}
