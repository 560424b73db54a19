import type { DiskStats } from './disk-fs.js';

/** The part of a stat that identifies a version of a file. */
type VersionStats = Pick<DiskStats, 'ino' | 'size' | 'mtimeMs' | 'mtimeNs'>;

/** What a stat tells about one stored object. */
export interface ObjectStat {
  size: number;
  etag: string;
  lastModified: Date;
}

export function mtimeNanoseconds(stats: VersionStats): bigint {
  if (typeof stats.mtimeNs === 'bigint') return stats.mtimeNs;
  const ms = stats.mtimeMs;
  return typeof ms === 'bigint' ? ms * 1_000_000n : BigInt(Math.round(ms * 1_000_000));
}

/** Modification time in whole microseconds, the same from plain and bigint stats. */
function mtimeMicroseconds(stats: VersionStats): bigint {
  if (typeof stats.mtimeNs === 'bigint') return (stats.mtimeNs + 500n) / 1000n;
  const ms = stats.mtimeMs;
  return typeof ms === 'bigint' ? ms * 1000n : BigInt(Math.round(ms * 1000));
}

/**
 * The etag is the file's identity and version: inode, modification time in microseconds, size.
 * Every write creates a new inode and stamps it with a fresh, strictly increasing time of whole
 * microseconds at least (see `WriteClock`), so an etag never comes back even when the file system
 * reuses an inode number. Microseconds, not nanoseconds, because plain (non-bigint) stats carry them
 * exactly and cost far less to make than bigint ones when a listing stats 100,000 files.
 */
export function objectStat(stats: VersionStats): ObjectStat {
  const size = Number(stats.size);
  if (typeof stats.ino === 'number' && typeof stats.mtimeMs === 'number' && stats.mtimeNs === undefined) {
    // Plain stats, the listing's hot path: the same etag in number arithmetic (exact below 2^53).
    const mtime = Math.round(stats.mtimeMs * 1000);
    const etag = `${stats.ino.toString(36)}-${mtime.toString(36)}-${size.toString(36)}`;
    return { size, etag, lastModified: new Date(Math.trunc(mtime / 1000)) };
  }
  const mtime = mtimeMicroseconds(stats);
  const etag = [BigInt(stats.ino), mtime, BigInt(size)].map((part) => part.toString(36)).join('-');
  return { size, etag, lastModified: new Date(Number(mtime / 1000n)) };
}

/** Strips the quotes S3 clients put around etags, so `"x"` and `x` compare equal. */
export function sameEtag(expected: string, actual: string): boolean {
  const unquote = (etag: string) => etag.replace(/^(W\/)?"(.*)"$/, '$2');
  return unquote(expected) === unquote(actual);
}

/**
 * Hands out modification times for new objects: the current time rounded to what the file system
 * stores, but strictly after every stamp handed out before in this process. This is what keeps an
 * etag from repeating when a writer gets a freed inode number back within one clock tick (memfs
 * stores milliseconds and reuses inode numbers; ext4 reuses inodes too). Across processes the
 * stamps follow the system clock, and a reused inode is always stamped after its previous life.
 */
export class WriteClock {
  private static last = 0n;

  /** @param resolutionNs the smallest mtime step the file system keeps. */
  constructor(private readonly resolutionNs: bigint) {}

  next(): bigint {
    const now = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
    // Whole microseconds at least: etags read times from plain stats, which carry microseconds exactly.
    const step = this.resolutionNs < 1000n ? 1000n : this.resolutionNs;
    const rounded = (now / step) * step;
    const afterLast = (WriteClock.last / step + 1n) * step;
    const stamp = rounded > afterLast ? rounded : afterLast;
    if (stamp > WriteClock.last) WriteClock.last = stamp;
    return stamp;
  }
}

/**
 * Nanoseconds since the epoch as the seconds-with-fraction number `utimes` takes. Half a microsecond
 * is added: the number cannot hold every microsecond exactly, and the time is cut (not rounded) to
 * whole microseconds on the way to the file, so that the file gets exactly the microsecond meant
 * (a journal record names it before the file is written).
 */
export function toUtimesSeconds(ns: bigint): number {
  const seconds = ns / 1_000_000_000n;
  return Number(seconds) + Number(ns - seconds * 1_000_000_000n + 500n) / 1e9;
}

/**
 * The mtime resolution of a file system, from a file whose mtime was set to `probeNs` (a value
 * with non-zero microseconds and milliseconds) and then read back as `storedNs`.
 */
export function mtimeResolution(probeNs: bigint, storedNs: bigint): bigint {
  const difference = probeNs > storedNs ? probeNs - storedNs : storedNs - probeNs;
  for (const step of [1_000n, 1_000_000n, 1_000_000_000n]) {
    if (difference < step) return step;
  }
  return 2_000_000_000n;
}

/** The write's modification time in microseconds, as its etag (`ino-mtime-size`, base 36) carries it. */
export function stampOf(etag: string): string {
  const digits = etag.split('-')[1] ?? '0';
  let value = 0n;
  for (const digit of digits) value = value * 36n + BigInt(Number.parseInt(digit, 36));
  return value.toString();
}
