import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATA_TYPES, pathProblem } from '../src/index.js';
import * as layout from '../src/layout.js';
import { isReservedKey, RESERVED_PREFIXES } from '../src/layout.js';

/** Every key and prefix the layout module names (its string exports). */
const named: [string, string][] = Object.entries(layout as Record<string, unknown>).flatMap(
  ([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : []),
);

describe('the layout module', () => {
  it('lists every top-level prefix it names as reserved, and only those', () => {
    const topLevel = named.filter(([, value]) => /^\.[a-z]+\/$/.test(value)).map(([, value]) => value);
    expect([...topLevel].sort()).toEqual([...RESERVED_PREFIXES].sort());
    expect(new Set(RESERVED_PREFIXES).size).toBe(RESERVED_PREFIXES.length);
  });

  it('puts every key and sub-prefix it names under exactly one reserved prefix', () => {
    expect(named.length).toBeGreaterThan(RESERVED_PREFIXES.length);
    for (const [name, value] of named) {
      const owners = RESERVED_PREFIXES.filter((prefix) => value.startsWith(prefix));
      expect(owners, `${name} = ${JSON.stringify(value)}`).toHaveLength(1);
      expect(isReservedKey(value), name).toBe(true);
    }
  });

  it('reserves no folder a user path can start with', () => {
    for (const prefix of RESERVED_PREFIXES) {
      expect(prefix.startsWith('.') && prefix.endsWith('/'), prefix).toBe(true);
      expect((DATA_TYPES as readonly string[]).includes(prefix.slice(0, -1)), prefix).toBe(false);
    }
    fc.assert(
      fc.property(fc.constantFrom(...DATA_TYPES), fc.string({ unit: 'grapheme' }), (dataType, rest) => {
        const key = `${dataType}/${rest}`;
        fc.pre(pathProblem(key) === undefined);
        expect(isReservedKey(key), key).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
