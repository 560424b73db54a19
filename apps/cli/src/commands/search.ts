import type { DataType, SearchMode, SearchOptions, SearchResult } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { UsageError } from '../errors.js';
import {
  collectDataTypes,
  collectJsonMetadata,
  collectMetadata,
  type MetadataPairs,
  metadataOf,
  parseDate,
  parsePositiveInteger,
} from '../options.js';
import { printHint, printJson, printLine } from '../output.js';

interface SearchFlags {
  regex?: boolean;
  words?: boolean;
  caseSensitive?: boolean;
  type?: DataType[];
  subpath?: string;
  meta?: MetadataPairs;
  metaJson?: MetadataPairs;
  after?: string;
  before?: string;
  modifiedAfter?: string;
  modifiedBefore?: string;
  limit?: number;
  cursor?: string;
  lines?: number;
}

export function registerSearch(program: Command): void {
  program
    .command('search')
    .description('find entries by substring (default), regular expression or words')
    .argument('<query>', 'text to find (a JavaScript regular expression with --regex; words with --words)')
    .option('-r, --regex', 'the query is a regular expression')
    .option('-w, --words', 'ranked word search (BM25) over prose; the last word also matches as a prefix')
    .option('-C, --case-sensitive', 'match case exactly (substring and regex)')
    .option('-t, --type <type>', 'only these data types (repeatable or comma-separated)', collectDataTypes)
    .option('-s, --subpath <folder>', 'only entries in this folder (below the type folder)')
    .option(
      '-m, --meta <key=value>',
      'only entries whose metadata key has this value (repeatable)',
      collectMetadata,
    )
    .option(
      '--meta-json <key=json>',
      'the same with a JSON value: 42, true, null, [1,2], {"a":1} (repeatable)',
      collectJsonMetadata,
    )
    .option('--after <date>', 'created at or after this date (ISO-8601)', parseDate)
    .option('--before <date>', 'created at or before this date (ISO-8601)', parseDate)
    .option('--modified-after <date>', 'last changed at or after this date', parseDate)
    .option('--modified-before <date>', 'last changed at or before this date', parseDate)
    .option('-n, --limit <n>', 'hits per page (default 50, at most 1000)', parsePositiveInteger('--limit'))
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .option('--lines <n>', 'matching lines shown per hit (default 5)', parsePositiveInteger('--lines'))
    .addHelpText(
      'after',
      `
Prints each hit's path and type, then its matching lines with line numbers. Without --case-sensitive
matching ignores case. Metadata filters compare values by their text (--meta n=3 also finds the
number 3). With --json, prints the SearchResult the library returns ({ hits, cursor }).

Examples:
  $ datalake search "CREATE TABLE customer"
  $ datalake search --regex "Sub\\s+Auto_Open" --type macro
  $ datalake search --words "connection pool timeout" --type documentation,configuration
  $ datalake search error --type logs --meta language=log --after 2024-01-01 --limit 20
  $ datalake search invoice --meta-json reviewed=true
  $ datalake search invoice --cursor eyJvIjo1MH0`,
    )
    .action(async (query: string, flags: SearchFlags, command: Command) => {
      if (flags.regex && flags.words) throw new UsageError('use either --regex or --words');
      const metadata = metadataOf(flags.meta, flags.metaJson);
      const mode: SearchMode = flags.regex ? 'regex' : flags.words ? 'words' : 'substring';
      const options: SearchOptions = {
        mode,
        caseSensitive: flags.caseSensitive ?? false,
        ...(flags.type ? { dataType: flags.type } : {}),
        ...(flags.subpath ? { subpath: flags.subpath } : {}),
        ...(metadata ? { metadata } : {}),
        ...(flags.after ? { createdAfter: flags.after } : {}),
        ...(flags.before ? { createdBefore: flags.before } : {}),
        ...(flags.modifiedAfter ? { modifiedAfter: flags.modifiedAfter } : {}),
        ...(flags.modifiedBefore ? { modifiedBefore: flags.modifiedBefore } : {}),
        ...(flags.limit ? { limit: flags.limit } : {}),
        ...(flags.cursor ? { cursor: flags.cursor } : {}),
        ...(flags.lines ? { maxLinesPerHit: flags.lines } : {}),
      };
      await withLake(command, async (lake, global) => {
        const result = await lake.search(query, options);
        if (global.json) printJson(result);
        else printHits(result);
      });
    });
}

function printHits(result: SearchResult): void {
  if (result.hits.length === 0) printHint('no matches');
  for (const hit of result.hits) {
    const where = hit.matchedIn.filter((field) => field !== 'content');
    const also = where.length > 0 ? `  (matched in ${where.join(', ')})` : '';
    printLine(`${displayName(hit.entry.filePath)}  [${hit.entry.dataType}]${also}`);
    const width = String(hit.lines.at(-1)?.line ?? 0).length;
    for (const line of hit.lines)
      printLine(`  ${String(line.line).padStart(width)}: ${displayName(line.text, { keepTabs: true })}`);
    const more = hit.lineMatchCount - hit.lines.length;
    if (more > 0) printLine(`  ... ${more} more matching line${more === 1 ? '' : 's'}`);
  }
  if (result.cursor) printHint(`more results: --cursor ${result.cursor}`);
}
