import { HttpProblem } from '../errors.js';

/** An inclusive byte range of a representation of `size` bytes. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * The range a `Range` header asks for, `undefined` to answer with the whole content (no header, a
 * unit other than bytes, several ranges, or a malformed header: RFC 9110 lets a server ignore
 * those), or a 416 problem when the one range lies past the end.
 */
export function parseRange(header: string | undefined, size: number): ResolvedRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return undefined;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw unsatisfiable(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return undefined;
  }
  if (start >= size || end < start) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): HttpProblem {
  return new HttpProblem(416, 'VALIDATION', `the requested range lies outside the content (${size} bytes)`, {
    'content-range': `bytes */${size}`,
  });
}
