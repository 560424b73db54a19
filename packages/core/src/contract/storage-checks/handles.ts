import { readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageFront } from '../../backend/front.js';
import { patternBytes, readBody, streamOf } from '../support/bytes.js';
import { listKeys } from '../support/listing.js';
import type { ContractCheck } from '../types.js';

const GROUP = 'storage: resources';
/** How long closed handles may take to be released (sockets close asynchronously). */
const SETTLE_MS = 20_000;

/** The open file descriptors of this process (Linux), or `undefined` where the platform does not show them. */
function openDescriptors(): Map<string, string> | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return undefined;
  }
  const descriptors = new Map<string, string>();
  for (const name of names) {
    try {
      descriptors.set(name, readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // Closed while we looked (the directory handle of readdir itself, for one).
    }
  }
  return descriptors;
}

function leaked(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after]
    .filter(([name, target]) => before.get(name) !== target)
    .map(([name, target]) => `fd ${name} → ${target}`);
}

export const handleChecks: ContractCheck[] = [
  {
    group: GROUP,
    name: 'after close, no file handle or socket the backend opened stays open',
    // Only where the platform lists a process's descriptors (Linux); elsewhere there is nothing to compare.
    appliesTo: () => openDescriptors() !== undefined,
    async run({ options }) {
      const adapter = await options.create();
      const backend = StorageFront.of(adapter);
      let before: Map<string, string> | undefined;
      try {
        before = openDescriptors() as Map<string, string>;
        const large = patternBytes(3 * 1024 * 1024 + 5, 41);
        await backend.put('handles/large.bin', streamOf(large, 64 * 1024));
        await backend.put('handles/small.txt', patternBytes(100, 42));
        const whole = await backend.get('handles/large.bin');
        if (whole) await readBody(whole.body);
        // A body read in part, then abandoned, must let go of its handle too.
        const partial = await backend.get('handles/large.bin');
        if (partial) {
          for await (const _chunk of partial.body) break;
        }
        await backend
          .get('handles/small.txt', { range: { start: 10, end: 20 } })
          .then((got) => got && readBody(got.body));
        await backend.head('handles/small.txt');
        await listKeys(backend, 'handles/');
        await backend.delete('handles/small.txt');
        await backend.close();
      } finally {
        if (options.destroy) await options.destroy(adapter);
        else await backend.close();
      }
      let left = leaked(before, openDescriptors() as Map<string, string>);
      for (const started = Date.now(); left.length > 0 && Date.now() - started < SETTLE_MS; ) {
        await sleep(100);
        left = leaked(before, openDescriptors() as Map<string, string>);
      }
      if (left.length > 0) {
        throw new Error(
          `${left.length} descriptor(s) opened while using ${backend.description} were still open ${SETTLE_MS / 1000} s after close(): ${left.join(', ')}`,
        );
      }
    },
  },
];
