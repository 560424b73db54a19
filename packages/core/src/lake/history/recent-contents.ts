/** How many contents, and how large each at most, `RecentContents` keeps. */
const KEPT_CONTENTS = 8;
const MAX_CONTENT_BYTES = 64 * 1024;

/**
 * The small contents this instance wrote last, by SHA-256. The next update of such an entry keeps
 * its content (now becoming noncurrent) as a blob from memory instead of reading it back from the
 * lake. The bytes are checked against the SHA-256 when used, so a caller that changed its buffer
 * since costs a read, never a wrong blob.
 */
export class RecentContents {
  private readonly bySha = new Map<string, Uint8Array>();

  remember(sha256: string, bytes: Uint8Array | null): void {
    if (!bytes || bytes.byteLength > MAX_CONTENT_BYTES) return;
    this.bySha.delete(sha256);
    this.bySha.set(sha256, bytes);
    if (this.bySha.size > KEPT_CONTENTS) {
      const oldest = this.bySha.keys().next().value as string;
      this.bySha.delete(oldest);
    }
  }

  /** The bytes remembered for `sha256`, if any (unchecked: see `keepContent`). */
  get(sha256: string): Uint8Array | undefined {
    return this.bySha.get(sha256);
  }

  forget(sha256: string): void {
    this.bySha.delete(sha256);
  }
}
