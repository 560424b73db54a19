/**
 * User metadata travels as one header holding base64url JSON: S3 lower-cases metadata names and
 * only carries ASCII values, which would silently alter `{ Author: 'Zoë' }`.
 */
const METADATA_HEADER = 'datalake-metadata';

export function encodeMetadata(
  metadata: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  return { [METADATA_HEADER]: Buffer.from(JSON.stringify(metadata), 'utf8').toString('base64url') };
}

/** The caller's metadata back; objects written by other tools show their plain S3 metadata. */
export function decodeMetadata(
  stored: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (stored === undefined || Object.keys(stored).length === 0) return undefined;
  const encoded = stored[METADATA_HEADER];
  if (encoded === undefined) return { ...stored };
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, string>;
  } catch {
    return { ...stored };
  }
}
