import type { StorageBackend } from '@datalake/model';
import { ReadOnlyError } from '@datalake/model';
import {
  type CompressionSettings,
  normaliseCompression,
  readLakeSettings,
  writeCompressionSetting,
} from './settings.js';

/**
 * The compression setting one lake instance applies: read from the lake at `open` and `refresh`,
 * changed for every instance by `set`.
 */
export class LakeCompression {
  private current: CompressionSettings | undefined;

  constructor(private readonly backend: StorageBackend) {}

  /** The setting new content is stored under (`undefined`: as it comes). */
  get settings(): CompressionSettings | undefined {
    return this.current;
  }

  async load(): Promise<void> {
    this.current = (await readLakeSettings(this.backend)).settings.compression;
  }

  /** Validates and writes the setting into the lake; `null` turns compression off. */
  async set(input: unknown): Promise<CompressionSettings | null> {
    const compression = normaliseCompression(input);
    const written = await writeCompressionSetting(this.backend, compression);
    this.current = written.compression;
    return compression;
  }

  /** `load` that leaves the setting as it was when the lake cannot be read for it. */
  async reload(): Promise<void> {
    try {
      await this.load();
    } catch (error) {
      if (!(error instanceof ReadOnlyError)) throw error;
    }
  }
}
