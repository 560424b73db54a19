/** How many contents, and how large each at most, `RecentContents` keeps. */
const KEPT_CONTENTS = 8;
const MAX_CONTENT_BYTES = 64 * 1024;

/** A content this instance wrote: its bytes, and the etag its content object had after the write. */
export interface RecentContent {
  bytes: Uint8Array;
  etag: string | undefined;
}

/**
 * The small contents this instance wrote last, by SHA-256. The next update of such an entry keeps
 * its content (now becoming noncurrent) as a blob from memory instead of reading it back from the
 * lake, or, on a backend that copies natively, by copying that very version of the object. The
 * bytes are checked against the SHA-256 when used, so a caller that changed its buffer since costs
 * a read, never a wrong blob.
 */
export class RecentContents {
  private readonly bySha = new Map<string, RecentContent>();

  remember(sha256: string, bytes: Uint8Array | null, etag?: string): void {
    if (!bytes || bytes.byteLength > MAX_CONTENT_BYTES) return;
    this.bySha.delete(sha256);
    this.bySha.set(sha256, { bytes, etag });
    if (this.bySha.size > KEPT_CONTENTS) {
      const oldest = this.bySha.keys().next().value as string;
      this.bySha.delete(oldest);
    }
  }

  /** What is remembered for `sha256`, if anything (unchecked: see `keepContent`). */
  get(sha256: string): RecentContent | undefined {
    return this.bySha.get(sha256);
  }

  forget(sha256: string): void {
    this.bySha.delete(sha256);
  }
}
