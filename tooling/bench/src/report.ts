import { type Measurement, median, spread } from './measure.js';
import type { TargetSpec } from './targets.js';

/** One line of a suite's table. */
export interface ResultRow {
  operation: string;
  backend: string;
  /** Entries in the lake (or items processed) when measured. */
  n: number;
  result: Measurement;
  /** The in-run baseline the ratio is computed against. */
  baseline?: { label: string; measurement: Measurement };
  target?: TargetSpec;
}

/** Everything a suite hands back: its rows, plus notes printed under the table. */
export interface SuiteReport {
  rows: ResultRow[];
  notes: string[];
}

const HEADERS = [
  'operation',
  'backend',
  'N',
  'result (min–median–max)',
  'baseline (median)',
  'ratio',
  'target',
  '',
];

export function formatReport(report: SuiteReport): string {
  const lines: string[] = [];
  if (report.rows.length > 0) {
    const table = [HEADERS, ...report.rows.map(cells)];
    const widths = HEADERS.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
    const render = (row: string[]) =>
      row
        .map((cell, column) =>
          column === 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd();
    lines.push(render(HEADERS), widths.map((width) => '-'.repeat(width)).join('  '));
    for (const row of table.slice(1)) lines.push(render(row));
  }
  for (const note of report.notes) lines.push(`  * ${note}`);
  const verdicts = report.rows.map(verdict).filter((v) => v !== '');
  if (verdicts.length > 0) {
    const passed = verdicts.filter((v) => v === 'PASS').length;
    lines.push(`  targets: ${passed}/${verdicts.length} PASS`);
  }
  return lines.join('\n');
}

function cells(row: ResultRow): string[] {
  return [
    row.operation,
    row.backend,
    row.n.toLocaleString('en-US'),
    formatSpread(row.result),
    row.baseline
      ? `${formatValue(row.result.kind, median(row.baseline.measurement))} ${row.baseline.label}`
      : '—',
    row.baseline ? formatRatio(median(row.result) / median(row.baseline.measurement)) : '—',
    row.target?.label ?? '—',
    verdict(row),
  ];
}

function verdict(row: ResultRow): string {
  if (!row.target) return '';
  const met = row.target.test(row.result, row.baseline?.measurement);
  return met === undefined ? 'n/a' : met ? 'PASS' : 'MISS';
}

function formatSpread(measurement: Measurement): string {
  const { min, median: middle, max } = spread(measurement.samples);
  if (measurement.kind === 'rate') {
    return `${[min, middle, max].map(compact).join('–')} ops/s`;
  }
  if (measurement.kind === 'memory')
    return `${[min, middle, max].map((mib) => mib.toFixed(0)).join('–')} MiB`;
  if (max >= 1000) return `${[min, middle, max].map((ms) => (ms / 1000).toFixed(2)).join('–')} s`;
  return `${[min, middle, max].map(milliseconds).join('–')} ms`;
}

function formatValue(kind: Measurement['kind'], value: number): string {
  if (kind === 'rate') return `${compact(value)} ops/s`;
  if (kind === 'memory') return `${value.toFixed(0)} MiB`;
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${milliseconds(value)} ms`;
}

function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio >= 1 ? ratio.toFixed(2) : ratio.toFixed(3)}×`;
}

/** 3 significant digits, with k/M suffixes for rates. */
function compact(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function milliseconds(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}
