/** Synthetic log-like texts for the live suite: deterministic, each with a marker few others share. */

const WORDS = [
  'select',
  'insert',
  'update',
  'customer',
  'order',
  'invoice',
  'ledger',
  'report',
  'macro',
  'sheet',
  'config',
  'server',
  'timeout',
  'retry',
  'warning',
  'error',
  'commit',
  'branch',
  'schema',
  'table',
  'column',
  'index',
  'primary',
  'foreign',
  'key',
  'value',
  'account',
  'balance',
  'monthly',
  'quarter',
];

/** Markers cycle with this period: a marker query hits about n / MARKERS entries of an n-entry lake. */
const MARKERS = 5000;

/** The i-th text, `size` bytes of ASCII (a marker line first, then pseudo-random words). */
export function liveText(i: number, size: number): Uint8Array {
  let state = (i * 2654435761) >>> 0;
  const parts = [`marker m${i % MARKERS}q entry ${i}\n`];
  let length = parts[0]?.length ?? 0;
  while (length < size) {
    state = (state * 1664525 + 1013904223) >>> 0;
    const word = `${WORDS[state % WORDS.length]}${state % 7 === 0 ? '\n' : ' '}`;
    parts.push(word);
    length += word.length;
  }
  return new TextEncoder().encode(parts.join('').slice(0, size));
}

/** A selective substring query: the marker of entry k (of a lake of at least `n` entries). */
export function selectiveQuery(k: number, n: number): string {
  return `m${k % Math.min(n, MARKERS)}q`;
}
