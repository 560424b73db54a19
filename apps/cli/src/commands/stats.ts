import type { Command } from 'commander';
import { withLake } from '../context.js';
import { formatBytes, formatTable, printJson, printLine } from '../output.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('counts and sizes of the lake')
    .addHelpText(
      'after',
      `
With --json, prints getStats(): { totalEntries, entriesByType, totalSizeBytes, totalSizeMb,
createdEntries, updatedEntries }.

Examples:
  $ datalake stats
  $ datalake --lake s3://artifacts/team-a stats --json`,
    )
    .action(async (_flags: unknown, command: Command) => {
      await withLake(command, async (lake, options) => {
        const stats = await lake.getStats();
        if (options.json) return printJson(stats);
        printLine(`entries: ${stats.totalEntries} (${formatBytes(stats.totalSizeBytes)})`);
        printLine(`never updated: ${stats.createdEntries}, updated: ${stats.updatedEntries}`);
        const rows = Object.entries(stats.entriesByType).map(([type, count]) => [`  ${type}`, String(count)]);
        for (const line of formatTable(rows)) printLine(line);
      });
    });
}
