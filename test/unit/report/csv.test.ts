import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCsv } from '../../../src/report/csv.js';
import type { Cell } from '../../../src/report/model.js';
import { useTmpDir } from './tmp-dir.js';

const tmp = useTmpDir();

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path)) {
    for (const byte of chunk as Buffer) if (byte === 0x0a) lines += 1;
  }
  return lines;
}

describe('writeCsv', () => {
  it('writes a UTF-8 BOM, a header of column labels, CRLF records and RFC 4180 quoting', async () => {
    const path = join(tmp(), 'a.csv');
    const n = await writeCsv(
      path,
      [
        { key: 'name', label: 'Name, full' },
        { key: 'n', label: 'Count' },
        { key: 'ok', label: 'OK' },
      ],
      [
        { name: 'line\nbreak "quoted"', n: 3.5, ok: true },
        { name: 'Zoë Ærø 北京', n: null, ok: false },
        { name: undefined, n: 0, ok: undefined },
      ],
    );
    expect(n).toBe(3);
    const bytes = readFileSync(path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(
      '"Name, full",Count,OK\r\n"line\nbreak ""quoted""",3.5,true\r\nZoë Ærø 北京,,false\r\n,0,\r\n',
    );
  });

  it('escapes cells that a spreadsheet would run as formulas, but keeps negative numbers', async () => {
    const path = join(tmp(), 'f.csv');
    const rows: Array<Record<string, Cell>> = [
      { v: '=HYPERLINK("http://evil.example","x")' },
      { v: '+1+1' },
      { v: '-2+3' },
      { v: '@SUM(A1)' },
      { v: '\tcmd' },
      { v: '\rcmd' },
      { v: 'two\rlines' },
      { v: -42 },
      { v: 'a=b' },
      { v: 'plain' },
    ];
    await writeCsv(path, [{ key: 'v', label: '=header' }], rows);
    const lines = readFileSync(path, 'utf8').slice(1).split('\r\n');
    expect(lines.slice(0, 11)).toEqual([
      "'=header",
      `"'=HYPERLINK(""http://evil.example"",""x"")"`,
      "'+1+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\tcmd",
      // a leading CR also forces quoting
      `"'\rcmd"`,
      '"two\rlines"',
      '-42',
      'a=b',
      'plain',
    ]);
  });

  it('creates the file with mode 0600 and refuses to overwrite an existing one', async () => {
    const dir = tmp();
    const path = join(dir, 'm.csv');
    await writeCsv(path, [{ key: 'a', label: 'A' }], [{ a: 1 }]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const other = join(dir, 'exists.csv');
    writeFileSync(other, 'keep me');
    await expect(writeCsv(other, [{ key: 'a', label: 'A' }], [{ a: 1 }])).rejects.toThrow(/EEXIST/);
    expect(readFileSync(other, 'utf8')).toBe('keep me');
  });

  it('streams 100,000 rows from an async iterable with flat memory', async () => {
    const path = join(tmp(), 'big.csv');
    const pad = 'x'.repeat(400);
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    async function* rows(): AsyncGenerator<Record<string, Cell>> {
      for (let i = 0; i < 100_000; i += 1) {
        if (i % 2000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
        // each row holds ~1 KB of distinct text: buffering them all would take ~100 MB
        yield { name: `PC-${i}`, ou: `OU=Site${i % 97},DC=corp,DC=example,DC=com`, n: i, note: `${pad}${i}` };
      }
    }
    const n = await writeCsv(
      path,
      [
        { key: 'name', label: 'Computer' },
        { key: 'ou', label: 'OU' },
        { key: 'n', label: 'N' },
        { key: 'note', label: 'Note' },
      ],
      rows(),
    );
    expect(n).toBe(100_000);
    expect(await countLines(path)).toBe(100_001);
    expect(statSync(path).size).toBeGreaterThan(100_000 * 400);
    console.log(`csv 100k rows: peak heap growth ${(peak / 1048576).toFixed(1)} MiB, file ${(statSync(path).size / 1048576).toFixed(1)} MiB`);
    expect(peak).toBeLessThan(48 * 1024 * 1024);
  });
});

describe('csvCell against csv-stringify (the encoder it replaced)', () => {
  it('writes the same bytes for random cells: formulas, quotes, separators, line breaks, numbers, booleans, empties', async () => {
    const { stringify } = await import('csv-stringify/sync');
    const { csvCell } = await import('../../../src/report/csv.js');
    const alphabet = ['a', 'Z', '0', '9', ' ', ',', '"', '\r', '\n', '\t', '=', '+', '-', '@', "'", ';', 'é', '北', '\u2028', '\\'];
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const cell = (): Cell => {
      switch (rnd(6)) {
        case 0: return null;
        case 1: return rnd(2) === 0;
        case 2: return (rnd(2000) - 1000) / (rnd(3) + 1);
        case 3: return undefined;
        default: return Array.from({ length: rnd(8) }, () => alphabet[rnd(alphabet.length)]).join('');
      }
    };
    const rows = Array.from({ length: 3000 }, () => [cell(), cell(), cell()]);
    const theirs = stringify(rows, {
      escape_formulas: true,
      record_delimiter: 'windows',
      quote_record_delimiter: true,
      cast: { boolean: (v: boolean) => (v ? 'true' : 'false'), number: (v: number) => String(v) },
    });
    const ours = rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
    expect(ours).toBe(theirs);
  });
});
