import { CorruptDataError } from '@datalake/core';

/** What is wrong with an archive; stable, in `details.problem` of every `ArchiveError`. */
export type ArchiveProblem =
  /** Not a tar (or gzip) stream, members in the wrong order, a member the format does not have. */
  | 'structure'
  /** A member named with an absolute path or a `..` segment. */
  | 'unsafe-path'
  /** A member that is not a regular file (symbolic or hard link, device, folder, ...). */
  | 'link'
  /** A member larger than the manifest says, or a manifest larger than any lake's would be. */
  | 'oversized'
  /** The archive ends before its last member. */
  | 'truncated'
  /** A member whose bytes do not match their SHA-256 (from the manifest or the checksums). */
  | 'checksum'
  /** A gzip stream that inflates to more bytes than the manifest accounts for. */
  | 'decompression-bomb'
  /** The manifest is not valid (bad JSON, bad entry, unsafe `filePath`, unknown format version). */
  | 'manifest'
  /** Content the manifest needs is neither in the archive nor in a base backup given. */
  | 'missing-content';

/**
 * A backup archive that cannot be trusted: broken, truncated, tampered with or hostile. Always a
 * `CorruptDataError` (code `CORRUPT`), with `details.problem` saying which of the `ArchiveProblem`s.
 */
export class ArchiveError extends CorruptDataError {
  readonly problem: ArchiveProblem;

  constructor(
    problem: ArchiveProblem,
    message: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, { details: { problem, ...details }, ...(cause === undefined ? {} : { cause }) });
    this.problem = problem;
  }
}
