import {
  availableCodecs,
  type CompressionSettings,
  DEFAULT_COMPRESSION_CODEC,
  DEFAULT_MIN_BYTES,
} from '@datalake/core';
import type { Command } from 'commander';
import { localLake, withLake } from '../context.js';
import { UsageError } from '../errors.js';
import { formatBytes, printJson, printLine } from '../output.js';

interface CompressionFlags {
  codec?: string;
  minBytes?: string;
  off?: boolean;
}

export function registerSettings(program: Command): void {
  const settings = program.command('settings').description("the lake's own settings, kept in the lake");
  settings
    .command('compression')
    .description('show or set how the lake compresses large content')
    .option('--codec <codec>', `gzip, brotli or zstd (default ${DEFAULT_COMPRESSION_CODEC})`)
    .option(
      '--min-bytes <n>',
      `store contents of at least this many bytes compressed (default ${DEFAULT_MIN_BYTES})`,
    )
    .option('--off', 'store new content as it comes (compressed entries stay readable)')
    .addHelpText(
      'after',
      `
Without options, shows the setting. Every instance and tool applies it (others from their next
refresh). Only contents that compress by at least 10% are stored compressed, as <path>.gz, .br or
.zst; entries keep the form they were stored in. zstd needs a Node.js whose node:zlib has it.
With --json, prints { compression: { codec, minBytes } | null, availableCodecs }.

Examples:
  $ datalake settings compression
  $ datalake settings compression --codec gzip --min-bytes 65536
  $ datalake settings compression --off --json`,
    )
    .action(async (flags: CompressionFlags, command: Command) => {
      const change = compressionChange(flags);
      await withLake(command, async (lake, options) => {
        const local = localLake(lake, 'settings compression');
        const compression =
          change === undefined ? local.compressionSettings() : await local.setCompression(change);
        if (options.json) return printJson({ compression, availableCodecs: availableCodecs() });
        printLine(
          compression
            ? `compression: ${compression.codec}, contents of ${formatBytes(compression.minBytes)} or more`
            : 'compression: off (content is stored as it comes)',
        );
      });
    });
}

/** What the flags ask to set: `undefined` to show the setting, `null` to turn it off. */
function compressionChange(flags: CompressionFlags): Partial<CompressionSettings> | null | undefined {
  if (flags.off) {
    if (flags.codec !== undefined || flags.minBytes !== undefined)
      throw new UsageError('--off cannot be combined with --codec or --min-bytes');
    return null;
  }
  if (flags.codec === undefined && flags.minBytes === undefined) return undefined;
  const change: Partial<CompressionSettings> = {};
  if (flags.codec !== undefined) change.codec = flags.codec as CompressionSettings['codec'];
  if (flags.minBytes !== undefined) {
    if (!/^\d+$/.test(flags.minBytes))
      throw new UsageError(`--min-bytes must be a whole number, got "${flags.minBytes}"`);
    change.minBytes = Number(flags.minBytes);
  }
  return change;
}
