/**
 * The report model every step fills in; the writers (csv, json, markdown, html) render it.
 * Charts are data, rendered as inline SVG; tables carry every row for CSV and only the first
 * `htmlLimit` rows for HTML, so report.html stays small at 100k computers.
 */
import type { Finding, TargetInfo } from '../model/step-result.js';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

export interface Headline {
  label: string;
  value: number | string;
  tone?: Tone;
  /** Small print under the number, e.g. "of 1,204 computers". */
  detail?: string;
}

export interface Slice {
  label: string;
  value: number;
  tone?: Tone;
}

export type ChartSpec =
  | { kind: 'donut'; id: string; title: string; slices: Slice[] }
  | { kind: 'bar'; id: string; title: string; bars: Slice[]; xLabel?: string; yLabel?: string }
  | { kind: 'histogram'; id: string; title: string; bins: Slice[]; xLabel: string; yLabel: string }
  | {
      kind: 'stacked-bar';
      id: string;
      title: string;
      /** One bar per category (e.g. per OU), each split into the named series. */
      series: Array<{ label: string; tone?: Tone }>;
      bars: Array<{ label: string; values: number[] }>;
      /** How many bars the HTML shows (largest first); the rest are summed into "other". */
      limit?: number;
    };

export type Cell = string | number | boolean | null | undefined;

/** A relative link a report may carry (a sibling report folder): no scheme, no query, no markup. */
export const RELATIVE_LINK = /^(?:\.\.\/)?[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*\/?$/;

/** The link of a cell whose column has `href`, when the row holds a safe relative one. */
export function cellLink(row: Record<string, Cell>, href: string | undefined): string | undefined {
  const v = href ? row[href] : undefined;
  return typeof v === 'string' && RELATIVE_LINK.test(v) && !v.split('/').includes('..', 1) ? v : undefined;
}

export interface TableSpec {
  id: string;
  title: string;
  /** `href`: the row key holding a relative link for this column's text (e.g. a step's report folder). */
  columns: Array<{ key: string; label: string; numeric?: boolean; href?: string }>;
  /** Every row; CSV gets all of them (streamed), HTML and markdown the first htmlLimit. */
  rows: Iterable<Record<string, Cell>> | AsyncIterable<Record<string, Cell>>;
  /** Total number of rows when rows is a stream (for "showing 200 of 100,000"). */
  total?: number;
  /** CSV file name (e.g. "computers.csv"); no CSV when absent. */
  csvFile?: string;
  /** Rows shown in report.html / summary.md (default 200). */
  htmlLimit?: number;
  /** Shown under the title. */
  description?: string;
}

export interface ReportModel {
  step: string;
  title: string;
  generatedAt: string;
  toolVersion: string;
  target: TargetInfo;
  headline: Headline[];
  charts: ChartSpec[];
  tables: TableSpec[];
  findings: Finding[];
  /** Plain-language notes shown near the top (limits of what AD can tell, etc.). */
  notes: string[];
  /** The step's JSON document, written as <step>.json. */
  json: unknown;
}

export interface WrittenReport {
  dir: string;
  files: string[];
  /** The regenerated <outDir>/index.html. */
  indexFile?: string;
}
