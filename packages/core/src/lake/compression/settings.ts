import type { StorageBackend } from '@datalake/model';
import {
  ConflictError,
  CorruptDataError,
  collectBody,
  PreconditionFailedError,
  PutMode,
  ValidationError,
} from '@datalake/model';
import { SETTINGS_KEY } from '../paths.js';
import { encodeJson } from '../record.js';
import { assertCodecAvailable, type CompressionCodec, isCompressionCodec } from './codecs.js';

/** How a lake compresses content it stores. Kept in the lake, so every instance and tool applies the same. */
export interface CompressionSettings {
  codec: CompressionCodec;
  /** Contents smaller than this many bytes are stored as they are. */
  minBytes: number;
}

/** The lake's own settings object (`.settings/lake.json`). */
export interface LakeSettings {
  format: 1;
  /** Absent: content is stored as it comes. */
  compression?: CompressionSettings;
}

export const DEFAULT_COMPRESSION_CODEC: CompressionCodec = 'gzip';
export const DEFAULT_MIN_BYTES = 64 * 1024;
/** A threshold up to which a stream is read ahead to tell whether it reaches it (bounded memory). */
export const MAX_MIN_BYTES = 64 * 1024 * 1024;

/** Validates what a caller asks for; `null` turns compression off. */
export function normaliseCompression(input: unknown): CompressionSettings | null {
  if (input === null || input === false) return null;
  if (typeof input !== 'object' || input === undefined)
    throw new ValidationError('compression must be an object { codec, minBytes } or null');
  const { codec = DEFAULT_COMPRESSION_CODEC, minBytes = DEFAULT_MIN_BYTES } =
    input as Partial<CompressionSettings>;
  assertCodecAvailable(codec);
  if (!Number.isSafeInteger(minBytes) || minBytes < 0 || minBytes > MAX_MIN_BYTES)
    throw new ValidationError(
      `compression minBytes must be a whole number of bytes from 0 to ${MAX_MIN_BYTES}; got ${String(minBytes)}`,
      { details: { minBytes } },
    );
  return { codec, minBytes };
}

function settingsProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'it is not a JSON object';
  const { format, compression } = value as Record<string, unknown>;
  if (format !== 1) return 'its format is not 1';
  if (compression === undefined) return undefined;
  if (compression === null || typeof compression !== 'object') return 'its compression is not an object';
  const { codec, minBytes } = compression as Record<string, unknown>;
  if (!isCompressionCodec(codec)) return 'its compression codec is not a known codec';
  if (
    typeof minBytes !== 'number' ||
    !Number.isSafeInteger(minBytes) ||
    minBytes < 0 ||
    minBytes > MAX_MIN_BYTES
  )
    return 'its compression minBytes is not a byte count';
  return undefined;
}

/** The lake's settings and the etag to change them by; defaults when the lake has none yet. */
export async function readLakeSettings(
  backend: StorageBackend,
): Promise<{ settings: LakeSettings; etag: string | undefined }> {
  const object = await backend.get(SETTINGS_KEY);
  if (!object) return { settings: { format: 1 }, etag: undefined };
  const bytes = await collectBody(object.body);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new CorruptDataError(`${SETTINGS_KEY} is not UTF-8 JSON`, {
      cause,
      details: { key: SETTINGS_KEY },
    });
  }
  const problem = settingsProblem(value);
  if (problem !== undefined)
    throw new CorruptDataError(`${SETTINGS_KEY} is not valid lake settings: ${problem}`, {
      details: { key: SETTINGS_KEY, reason: problem },
    });
  return { settings: value as LakeSettings, etag: object.etag };
}

/**
 * Sets (or, with `null`, removes) the lake's compression by compare-and-swap of its settings object,
 * keeping whatever else it holds. A concurrent change of the settings is retried.
 */
export async function writeCompressionSetting(
  backend: StorageBackend,
  compression: CompressionSettings | null,
): Promise<LakeSettings> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { settings, etag } = await readLakeSettings(backend);
    const next: LakeSettings = { ...settings, format: 1 };
    if (compression) next.compression = compression;
    else delete next.compression;
    try {
      await backend.put(SETTINGS_KEY, encodeJson(next), {
        mode: etag === undefined ? PutMode.create : PutMode.replace(etag),
      });
      return next;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  throw new ConflictError('the lake settings kept changing under concurrent writers; try again');
}
