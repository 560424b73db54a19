import { ArchiveError } from './errors.js';

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The lines of a JSON-lines member (without their newline), none longer than `maxLineBytes`. */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncIterable<string> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const take = (tail: Uint8Array): string => {
    const parts = [...pending, tail];
    pending = [];
    pendingBytes = 0;
    try {
      return utf8.decode(Buffer.concat(parts));
    } catch {
      throw new ArchiveError('manifest', 'a line of the backup is not valid UTF-8');
    }
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      if (pendingBytes + at - start > maxLineBytes) throw tooLong(maxLineBytes);
      yield take(chunk.subarray(start, at));
      start = at + 1;
    }
    if (start < chunk.byteLength) {
      pending.push(chunk.slice(start));
      pendingBytes += chunk.byteLength - start;
      if (pendingBytes > maxLineBytes) throw tooLong(maxLineBytes);
    }
  }
  if (pendingBytes > 0) throw new ArchiveError('manifest', 'the last line of a backup member has no newline');
}

function tooLong(limit: number): ArchiveError {
  return new ArchiveError('oversized', `a line of the backup is longer than ${limit} bytes`, { limit });
}
