import path from 'node:path';
import type { SuiteReport } from '../report.js';
import type { Suite } from '../suite.js';

/** The contract of `./search.js`, the indexed-search benchmark (issue 5), written separately. */
type BenchSearch = (options: {
  corpusDir: string;
  scales: number[];
  workDir: string;
  log: (line: string) => void;
}) => Promise<unknown>;

/** Issue 5: runs `benchSearch` from `./search.js` when that module exists; it prints its own figures. */
export const searchSuite: Suite = {
  name: 'search',
  title: 'search (issue 5): indexed search vs brute-force scan',
  async run(context) {
    if (!context.corpusDir) return note('skipped: no corpus (set DATALAKE_CORPUS)');
    const benchSearch = await loadBenchSearch();
    if (!benchSearch) return note('not available (no suites/search module exporting benchSearch)');
    await benchSearch({
      corpusDir: context.corpusDir,
      scales: context.scales,
      workDir: path.join(context.workRoot, 'search'),
      log: context.print,
    });
    return { rows: [], notes: [] };
  },
};

async function loadBenchSearch(): Promise<BenchSearch | undefined> {
  // A computed specifier: the module is optional, so the type checker must not require it.
  const specifier = new URL('./search.js', import.meta.url).href;
  let module: { benchSearch?: unknown };
  try {
    module = (await import(specifier)) as { benchSearch?: unknown };
  } catch (error) {
    if (isModuleNotFound(error, specifier)) return undefined;
    throw error;
  }
  return typeof module.benchSearch === 'function' ? (module.benchSearch as BenchSearch) : undefined;
}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND')
    return false;
  // Only the search module itself missing means "not available"; a missing dependency of it is a real error.
  return error.message.includes(path.basename(new URL(specifier).pathname, '.js'));
}

function note(text: string): SuiteReport {
  return { rows: [], notes: [text] };
}
