import { parseArgs } from 'node:util';

export const SUITE_NAMES = [
  'core',
  's3',
  'ingest',
  'search',
  'messy',
  'server',
  'transfer',
  'web',
  'live',
  'history',
  'compression',
] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export interface BenchFlags {
  suites: SuiteName[];
  sizes: number[];
  scales: number[];
  quick: boolean;
  /** Open lakes with `search: 'scan'` (no index upkeep on writes). */
  scan: boolean;
  /** Entries of the S3 lake the server suite's two-instance rows use (default 10,000; --quick: 1000). */
  entries: number | undefined;
  /** Rows of the server suite to run (default: all). */
  rows: string[] | undefined;
  help: boolean;
}

export const USAGE = `usage: pnpm bench [-- options]

  --suite LIST    suites to run, comma-separated: ${SUITE_NAMES.join(',')} (default: all)
  --sizes LIST    lake sizes for the core suite (default 1000,10000,100000; --quick: 1000,10000)
  --scales LIST   corpus multipliers for the search suite (default 10,100; --quick: 1)
  --quick         fewer repeats and smaller workloads, for a fast look
  --entries N     entries of the S3 lake behind the server suite's two instances (default 10000;
                  --quick: 1000; 100000 states the issue's bound, and takes minutes to build)
  --rows LIST     rows of the server suite to run, comma-separated: retrieve,store,propagation,s3,search
                  (default: all)
  --scan          open lakes with search: 'scan' (measures the lake without search-index upkeep)
  --help          this text`;

/** A command-line mistake; main prints it with the usage and exits with status 2. */
export class UsageError extends Error {}

export function parseFlags(argv: readonly string[]): BenchFlags {
  let values: ReturnType<typeof parse>['values'];
  // `pnpm bench -- --quick` hands the script a literal `--` before the flags.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  try {
    values = parse(args).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const quick = values.quick ?? false;
  return {
    suites: values.suite ? suiteList(values.suite) : [...SUITE_NAMES],
    sizes: values.sizes
      ? numberList('--sizes', values.sizes)
      : quick
        ? [1000, 10_000]
        : [1000, 10_000, 100_000],
    scales: values.scales ? numberList('--scales', values.scales) : quick ? [1] : [10, 100],
    quick,
    scan: values.scan ?? false,
    entries: values.entries ? numberList('--entries', values.entries)[0] : undefined,
    rows: values.rows ? values.rows.split(',').filter(Boolean) : undefined,
    help: values.help ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      suite: { type: 'string' },
      sizes: { type: 'string' },
      scales: { type: 'string' },
      quick: { type: 'boolean' },
      scan: { type: 'boolean' },
      entries: { type: 'string' },
      rows: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function suiteList(text: string): SuiteName[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(SUITE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`unknown suite "${name}" (choose from ${SUITE_NAMES.join(', ')})`);
    }
  }
  if (names.length === 0) throw new UsageError('--suite needs at least one suite name');
  return [...new Set(names)] as SuiteName[];
}

function numberList(flag: string, text: string): number[] {
  const numbers = text.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (numbers.length === 0 || numbers.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new UsageError(`${flag} takes positive whole numbers separated by commas, got "${text}"`);
  }
  return numbers;
}
