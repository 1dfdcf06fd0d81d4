/**
 * Streams a table to a CSV file for Excel: UTF-8 with a BOM, a header row of column labels, and
 * formula escaping (a text cell starting with = + - @ tab or CR gets a leading apostrophe, so a
 * computer named "=HYPERLINK(...)" stays text; negative numbers stay numbers). Rows may be an
 * AsyncIterable and are pulled with back-pressure, so memory stays flat at 100k+ rows.
 * The file is created exclusively with mode 0600 and fsync'd before the promise resolves.
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Cell } from './model.js';

export interface CsvColumn {
  key: string;
  label: string;
}

export type CsvRow = Record<string, Cell>;

async function* asArrays(
  columns: CsvColumn[],
  rows: Iterable<CsvRow> | AsyncIterable<CsvRow>,
  counter: { rows: number },
): AsyncGenerator<Cell[]> {
  for await (const row of rows) {
    counter.rows += 1;
    yield columns.map((c) => row[c.key]);
  }
}

/** Writes every row to `path` (which must not exist); resolves to the number of data rows. */
export async function writeCsv(
  path: string,
  columns: CsvColumn[],
  rows: Iterable<CsvRow> | AsyncIterable<CsvRow>,
): Promise<number> {
  const counter = { rows: 0 };
  const stringifier = stringify({
    bom: true,
    header: true,
    columns: columns.map((c) => c.label),
    escape_formulas: true,
    record_delimiter: 'windows',
    // quote any cell holding CR or LF (csv-stringify only does so by default for its default delimiter)
    quote_record_delimiter: true,
    cast: {
      boolean: (v: boolean) => (v ? 'true' : 'false'),
      number: (v: number) => String(v),
    },
  });
  await pipeline(
    Readable.from(asArrays(columns, rows, counter)),
    stringifier,
    createWriteStream(path, { flags: 'wx', mode: 0o600 }),
  );
  const handle = await open(path, 'r');
  try {
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return counter.rows;
}
