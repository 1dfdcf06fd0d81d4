import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectTable, DEFAULT_HTML_LIMIT } from '../../../src/report/collect-table.js';
import type { Cell, TableSpec } from '../../../src/report/model.js';
import { useTmpDir } from './tmp-dir.js';

const tmp = useTmpDir();

function counting(n: number): { rows: AsyncGenerator<Record<string, Cell>>; pulled: () => number } {
  let pulled = 0;
  async function* rows(): AsyncGenerator<Record<string, Cell>> {
    for (let i = 0; i < n; i += 1) {
      pulled += 1;
      yield { i };
    }
  }
  return { rows: rows(), pulled: () => pulled };
}

const columns: TableSpec['columns'] = [{ key: 'i', label: 'I', numeric: true }];

describe('collectTable', () => {
  it('reads a CSV table to the end, keeping only the first htmlLimit rows', async () => {
    const dir = tmp();
    const src = counting(1000);
    const t = await collectTable({ id: 't', title: 'T', columns, rows: src.rows, csvFile: 't.csv', htmlLimit: 10 }, dir);
    expect(t.total).toBe(1000);
    expect(t.head.map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(src.pulled()).toBe(1000);
    expect(readFileSync(join(dir, 't.csv'), 'utf8').split('\r\n')).toHaveLength(1002);
  });

  it('without a CSV, counts every row unless the total is given, then stops after htmlLimit', async () => {
    const dir = tmp();
    const all = counting(500);
    const counted = await collectTable({ id: 't', title: 'T', columns, rows: all.rows, htmlLimit: 5 }, dir);
    expect([counted.total, counted.head.length, all.pulled()]).toEqual([500, 5, 500]);
    const known = counting(500);
    const early = await collectTable({ id: 't', title: 'T', columns, rows: known.rows, htmlLimit: 5, total: 500 }, dir);
    expect([early.total, early.head.length, known.pulled()]).toEqual([500, 5, 5]);
    expect(existsSync(join(dir, 't.csv'))).toBe(false);
  });

  it('defaults htmlLimit to 200 and accepts a plain array', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ i }));
    const t = await collectTable({ id: 't', title: 'T', columns, rows }, tmp());
    expect(DEFAULT_HTML_LIMIT).toBe(200);
    expect([t.total, t.head.length]).toEqual([300, 200]);
  });
});
