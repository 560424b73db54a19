// Loaded with `node --import` into a measured process: prints its own peak resident set size
// (VmHWM, in KiB) on standard error as it exits, for the bench to read.
import { readFileSync } from 'node:fs';

process.on('exit', () => {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) process.stderr.write(`peak-rss-kib ${match[1]}\n`);
  } catch {
    // Not Linux: nothing to report.
  }
});
