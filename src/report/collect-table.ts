/**
 * Reads a table's rows once (they may be a one-shot stream): every row goes to the CSV file when
 * the table has one, and only the first `htmlLimit` rows are kept in memory for report.html and
 * summary.md, with the total count for "showing 200 of 100,000".
 */
import { join } from 'node:path';
import type { Cell, TableSpec } from './model.js';
import { writeCsv } from './csv.js';

export const DEFAULT_HTML_LIMIT = 200;

export interface CollectedTable {
  spec: TableSpec;
  /** The first rows, at most the table's htmlLimit. */
  head: Array<Record<string, Cell>>;
  /** Every row's count (counted when the rows were read to the end, else spec.total). */
  total: number;
}

export function htmlLimitOf(spec: TableSpec): number {
  const limit = spec.htmlLimit ?? DEFAULT_HTML_LIMIT;
  return Number.isFinite(limit) && limit >= 0 ? Math.floor(limit) : DEFAULT_HTML_LIMIT;
}

/** Drains `spec.rows` into `<dir>/<spec.csvFile>` (when set) and keeps the head. */
export async function collectTable(spec: TableSpec, dir: string): Promise<CollectedTable> {
  const limit = htmlLimitOf(spec);
  const head: Array<Record<string, Cell>> = [];
  const keep = (row: Record<string, Cell>): void => {
    if (head.length < limit) head.push(row);
  };

  if (spec.csvFile) {
    async function* tap(): AsyncGenerator<Record<string, Cell>> {
      for await (const row of spec.rows) {
        keep(row);
        yield row;
      }
    }
    const total = await writeCsv(join(dir, spec.csvFile), spec.columns, tap());
    return { spec, head, total };
  }

  // No CSV: read only as far as needed when the total is known, else count to the end.
  let counted = 0;
  let complete = true;
  for await (const row of spec.rows) {
    keep(row);
    counted += 1;
    if (spec.total !== undefined && counted >= limit) {
      complete = false;
      break;
    }
  }
  return { spec, head, total: complete ? counted : Math.max(counted, spec.total ?? counted) };
}
