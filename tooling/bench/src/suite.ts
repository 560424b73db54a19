import type { DataLakeOptions } from '@datalake/core';
import type { SuiteReport } from './report.js';

/** What every suite gets from the command line and the harness. */
export interface SuiteContext {
  /** Lake sizes (entry counts) for the core suite. */
  sizes: number[];
  /** Corpus multipliers for the search suite. */
  scales: number[];
  /** Entries of the S3 lake behind the server suite's two instances, when given (`--entries`). */
  entries?: number | undefined;
  /** Rows of the server suite to run, when given (`--rows`); otherwise all. */
  rows?: string[] | undefined;
  /** Fewer repeats and smaller fixed workloads. */
  quick: boolean;
  /** A fresh folder under the system temp dir, removed by the harness at the end. */
  workRoot: string;
  /** The artifact corpus, when one was found. */
  corpusDir: string | undefined;
  /** Options every benchmarked lake is opened with. */
  lakeOptions: DataLakeOptions;
  /** Progress lines (stderr); tables go to stdout. */
  log: (line: string) => void;
  /** Result lines a suite prints itself (stdout), under its title. */
  print: (line: string) => void;
}

export interface Suite {
  name: string;
  /** Printed above the suite's output. */
  title: string;
  /** The measured rows, or only a note saying why the suite did not run. */
  run(context: SuiteContext): Promise<SuiteReport>;
}
