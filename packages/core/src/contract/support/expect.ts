/**
 * The contract checks' assertions, tied to no test framework: `expect(actual, what).toBe(expected)`
 * in the shape vitest and jest use, failing with an `Error` whose message names what was compared
 * (the operation and key, through `what`) and both values.
 */

/** A failed check: the message names what was compared and both values. */
export class ContractAssertionError extends Error {
  readonly actual: unknown;
  readonly expected: unknown;
  /** Lets test runners that know the field (vitest, jest) show a diff. */
  readonly showDiff = true;

  constructor(message: string, actual: unknown, expected: unknown) {
    super(message);
    this.name = 'ContractAssertionError';
    this.actual = actual;
    this.expected = expected;
  }
}

export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeGreaterThan(bound: number): void;
  toBeGreaterThanOrEqual(bound: number): void;
  toBeLessThan(bound: number): void;
  toBeLessThanOrEqual(bound: number): void;
  toBeCloseTo(expected: number, digits?: number): void;
  toContain(item: unknown): void;
  toHaveLength(length: number): void;
  toHaveProperty(name: string): void;
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): void;
  toThrow(): void;
}

export interface Expectation extends Matchers {
  readonly not: Matchers;
  readonly rejects: { toThrow(): Promise<void> };
}

export function expect(actual: unknown, what?: string): Expectation {
  const matchers = (negated: boolean): Matchers => {
    const check = (pass: boolean, verb: string, expected?: unknown, showExpected = true): void => {
      if (pass !== negated) return;
      const subject = what ? `${what}: ` : '';
      const wanted = showExpected ? ` ${describe(expected)}` : '';
      throw new ContractAssertionError(
        `${subject}expected ${describe(actual)} ${negated ? 'not ' : ''}${verb}${wanted}`,
        actual,
        expected,
      );
    };
    return {
      toBe: (expected) => check(Object.is(actual, expected), 'to be', expected),
      toEqual: (expected) => check(equal(actual, expected, false), 'to equal', expected),
      toMatchObject: (expected) => check(equal(actual, expected, true), 'to match', expected),
      toBeNull: () => check(actual === null, 'to be null', undefined, false),
      toBeUndefined: () => check(actual === undefined, 'to be undefined', undefined, false),
      toBeDefined: () => check(actual !== undefined, 'to be defined', undefined, false),
      toBeGreaterThan: (bound) => check((actual as number) > bound, 'to be greater than', bound),
      toBeGreaterThanOrEqual: (bound) => check((actual as number) >= bound, 'to be at least', bound),
      toBeLessThan: (bound) => check((actual as number) < bound, 'to be less than', bound),
      toBeLessThanOrEqual: (bound) => check((actual as number) <= bound, 'to be at most', bound),
      toBeCloseTo: (expected, digits = 2) =>
        check(
          Math.abs((actual as number) - expected) < 10 ** -digits / 2,
          `to be within ${10 ** -digits / 2} of`,
          expected,
        ),
      toContain: (item) =>
        check(
          typeof actual === 'string'
            ? actual.includes(item as string)
            : Array.isArray(actual) && actual.includes(item),
          'to contain',
          item,
        ),
      toHaveLength: (length) =>
        check((actual as { length?: unknown } | null)?.length === length, 'to have length', length),
      toHaveProperty: (name) =>
        check(actual !== null && typeof actual === 'object' && name in actual, 'to have the property', name),
      toBeInstanceOf: (type) => check(actual instanceof type, 'to be an instance of', type.name),
      toThrow: () => {
        let threw = false;
        try {
          (actual as () => unknown)();
        } catch {
          threw = true;
        }
        check(threw, 'to throw', undefined, false);
      },
    };
  };
  return Object.assign(matchers(false), {
    not: matchers(true),
    rejects: {
      async toThrow(): Promise<void> {
        try {
          await actual;
        } catch {
          return;
        }
        throw new ContractAssertionError(
          `${what ? `${what}: ` : ''}expected the call to fail, but it succeeded`,
          actual,
          'an error',
        );
      },
    },
  });
}

/** Deep equality as `toEqual` means it: properties that are `undefined` count as absent. */
function equal(actual: unknown, expected: unknown, subset: boolean): boolean {
  if (Object.is(actual, expected)) return true;
  if (actual instanceof Date && expected instanceof Date) return actual.getTime() === expected.getTime();
  if (ArrayBuffer.isView(actual) && ArrayBuffer.isView(expected)) {
    return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(
      Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
    );
  }
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected) || actual.length !== expected.length) return false;
    return actual.every((item, index) => equal(item, expected[index], subset));
  }
  if (actual === null || expected === null || typeof actual !== 'object' || typeof expected !== 'object')
    return false;
  const own = actual as Record<string, unknown>;
  const wanted = expected as Record<string, unknown>;
  const names = new Set([...Object.keys(wanted), ...(subset ? [] : Object.keys(own))]);
  for (const name of names) {
    if (!equal(own[name], wanted[name], subset)) return false;
  }
  return true;
}

/** A value as the failure message shows it: short, and bytes as a length and a preview. */
export function describe(value: unknown): string {
  if (value instanceof Uint8Array) {
    const preview = Buffer.from(value.subarray(0, 16)).toString('hex');
    return `<${value.byteLength} bytes${value.byteLength > 0 ? ` ${preview}${value.byteLength > 16 ? '…' : ''}` : ''}>`;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'function') return value.name || 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value, (_name, item: unknown) =>
      item instanceof Uint8Array ? describe(item) : item,
    );
    if (text === undefined) return String(value);
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}
