import { isAscii } from './bytes.js';
import type { NormalisedQuery } from './options.js';
import { foldCase } from './text.js';

/** Says from raw content bytes whether a substring query may occur in the decoded content. */
export type ContentPrefilter = (bytes: Uint8Array) => boolean;

/** U+FFFD and surrogates: decoding makes or drops them, so their bytes say nothing reliable. */
const DECODING_ARTEFACTS = /[\ufffd\ud800-\udfff]/;
/** The only characters outside ASCII whose lower case contains ASCII: U+0130 (İ) and U+212A (K). */
const FOLDING_TO_ASCII = [Buffer.from('\u0130'), Buffer.from('\u212a')];

/**
 * A test on the raw bytes of a content that rules a substring query out without decoding it:
 * `false` only when the query certainly does not occur in the decoded (and, unless case-sensitive,
 * case-folded) content; `true` when it may. `undefined` when no such test is sound for the query.
 * Candidates from the index are mostly large files that hold every trigram of the query but not the
 * query itself: ruling them out at memory speed spares decoding and folding them.
 */
export function contentPrefilter(query: NormalisedQuery): ContentPrefilter | undefined {
  if (query.mode !== 'substring' || DECODING_ARTEFACTS.test(query.query)) return undefined;
  if (query.caseSensitive) {
    // Well-formed text decodes to itself, so its UTF-8 occurs in the bytes wherever it occurs in the text.
    const needle = Buffer.from(query.query, 'utf8');
    return (bytes) => view(bytes).includes(needle);
  }
  const folded = foldCase(query.query);
  if (!isAscii(folded)) return undefined;
  // Without the u flag, case-insensitive matching never maps a character from U+0080 up to ASCII, so
  // on the bytes read as Latin-1 it finds exactly the ASCII runs that fold to the needle. Folded text
  // has other ASCII only where the content holds a character of FOLDING_TO_ASCII.
  const pattern = new RegExp(escapeRegExp(folded), 'i');
  return (bytes) => {
    const buffer = view(bytes);
    if (FOLDING_TO_ASCII.some((special) => buffer.includes(special))) return true;
    return pattern.test(buffer.toString('latin1'));
  };
}

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
