import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cell, ReportModel } from '../../../src/report/model.js';
import { readRuns } from '../../../src/report/run-index.js';
import { writeReport } from '../../../src/report/write-report.js';
import { HOSTILE_OU, makeComputers, sampleModel, type Computer } from './sample-model.js';
import { useTmpDir } from './tmp-dir.js';

const tmp = useTmpDir();
const NOW = new Date('2025-03-14T09:26:53.456Z');

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path)) for (const b of chunk as Buffer) if (b === 0x0a) lines += 1;
  return lines;
}

function smallModel(step = 'inventory', headline = 1): ReportModel {
  const model = sampleModel({ list: makeComputers(40) });
  return { ...model, step, headline: [{ label: 'Computers', value: headline, tone: 'good' }] };
}

describe('writeReport: folder and files', () => {
  it('creates <UTC yyyymmddThhmmssZ>-<step>/ with every file, folder 0700 and files 0600', async () => {
    const out = join(tmp(), 'nested', 'reports');
    const written = await writeReport(sampleModel(), { outDir: out, now: NOW });
    expect(written.dir).toBe(join(out, '20250314T092653Z-inventory'));
    expect(mode(written.dir)).toBe(0o700);
    expect(mode(out)).toBe(0o700);
    const names = readdirSync(written.dir).sort();
    expect(names).toEqual(['computers.csv', 'inventory.json', 'ous.csv', 'report.html', 'run.json', 'summary.md']);
    for (const n of names) expect(mode(join(written.dir, n)), n).toBe(0o600);
    expect(written.files.map((f) => f.slice(written.dir.length + 1)).sort()).toEqual(names);
    expect(written.indexFile).toBe(join(out, 'index.html'));
    expect(mode(join(out, 'index.html'))).toBe(0o600);
    // no staging folder is left behind
    expect(readdirSync(out).sort()).toEqual(['20250314T092653Z-inventory', 'index.html']);
  });

  it('writes the step JSON pretty-printed and the CSVs with every row', async () => {
    const model = sampleModel();
    const { dir } = await writeReport(model, { outDir: tmp(), now: NOW });
    const jsonText = readFileSync(join(dir, 'inventory.json'), 'utf8');
    expect(JSON.parse(jsonText)).toEqual(model.json);
    expect(jsonText).toContain('\n  "schemaVersion": 1,');
    expect(await countLines(join(dir, 'computers.csv'))).toBe(1501);
    const ous = readFileSync(join(dir, 'ous.csv'), 'utf8');
    expect(ous.startsWith('\uFEFFOU,Computers,Windows LAPS,Legacy LAPS,None\r\n')).toBe(true);
    const csv = readFileSync(join(dir, 'computers.csv'), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });

  it('adds -2, -3 ... when the name is taken in the same second', async () => {
    const out = tmp();
    const a = await writeReport(smallModel(), { outDir: out, now: NOW });
    const b = await writeReport(smallModel(), { outDir: out, now: NOW });
    const c = await writeReport(smallModel(), { outDir: out, now: NOW });
    expect([a.dir, b.dir, c.dir].map((d) => d.slice(out.length + 1))).toEqual([
      '20250314T092653Z-inventory',
      '20250314T092653Z-inventory-2',
      '20250314T092653Z-inventory-3',
    ]);
    // a folder that is not ours but has the name is never touched
    const d = await writeReport(smallModel('schema'), { outDir: out, now: NOW });
    mkdirSync(join(out, '20250314T092653Z-schema-2'));
    writeFileSync(join(out, '20250314T092653Z-schema-2', 'mine.txt'), 'x');
    const e = await writeReport(smallModel('schema'), { outDir: out, now: NOW });
    expect(d.dir.endsWith('20250314T092653Z-schema')).toBe(true);
    expect(e.dir.endsWith('20250314T092653Z-schema-3')).toBe(true);
    expect(readFileSync(join(out, '20250314T092653Z-schema-2', 'mine.txt'), 'utf8')).toBe('x');
  });

  it('writes concurrent reports of the same second into distinct folders', async () => {
    const out = tmp();
    const results = await Promise.all([1, 2, 3, 4].map((i) => writeReport(smallModel('inventory', i), { outDir: out, now: NOW })));
    expect(new Set(results.map((r) => r.dir)).size).toBe(4);
    const values = readRuns(out).map((r) => r.summary.headline[0]?.value);
    expect(values.sort()).toEqual([1, 2, 3, 4]);
  });

  it('leaves nothing listed when a table stream fails part-way', async () => {
    const out = tmp();
    await writeReport(smallModel(), { outDir: out, now: NOW });
    async function* failing(): AsyncGenerator<Record<string, Cell>> {
      yield { name: 'PC-1' };
      throw new Error('LDAP connection lost');
    }
    const model = sampleModel({ computers: failing() });
    await expect(writeReport(model, { outDir: out, now: new Date('2025-03-14T10:00:00Z') })).rejects.toThrow('LDAP connection lost');
    expect(readdirSync(out).sort()).toEqual(['20250314T092653Z-inventory', 'index.html']);
    expect(readRuns(out)).toHaveLength(1);
  });

  it('rejects a step or CSV name that would escape the folder', async () => {
    const out = tmp();
    await expect(writeReport({ ...smallModel(), step: '../evil' }, { outDir: out, now: NOW })).rejects.toThrow(/step name/);
    const m = smallModel();
    const bad = { ...m, tables: [{ ...m.tables[0]!, csvFile: '../../x.csv' }] };
    await expect(writeReport(bad, { outDir: out, now: NOW })).rejects.toThrow(/plain \*\.csv/);
    const twice = { ...m, tables: [m.tables[0]!, { ...m.tables[1]!, csvFile: 'COMPUTERS.csv' }] };
    await expect(writeReport(twice, { outDir: out, now: NOW })).rejects.toThrow(/same CSV/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('writeReport: index.html', () => {
  it('lists every run newest first with step, time and headline numbers, and skips unfinished folders', async () => {
    const out = tmp();
    await writeReport(smallModel('inventory', 111), { outDir: out, now: new Date('2025-03-01T08:00:00Z') });
    await writeReport(smallModel('schema', 222), { outDir: out, now: new Date('2025-03-03T08:00:00Z') });
    await writeReport(smallModel('inventory', 333), { outDir: out, now: new Date('2025-03-02T08:00:00Z') });
    await writeReport(smallModel('inventory', 444), { outDir: out, now: new Date('2025-03-02T08:00:00Z') });
    // debris a crash could leave, and a foreign folder: neither is listed
    mkdirSync(join(out, '.partial-20250304T000000Z-inventory-abc123'));
    mkdirSync(join(out, '20250305T000000Z-inventory'));
    writeFileSync(join(out, '20250305T000000Z-inventory', 'run.json'), '{"truncated":');
    mkdirSync(join(out, 'holiday-photos'));
    const last = await writeReport(smallModel('permissions', 555), { outDir: out, now: new Date('2025-02-01T08:00:00Z') });

    const html = readFileSync(last.indexFile!, 'utf8');
    const folders = [...html.matchAll(/data-folder="([^"]+)"/g)].map((m) => m[1]);
    expect(folders).toEqual([
      '20250303T080000Z-schema',
      '20250302T080000Z-inventory-2',
      '20250302T080000Z-inventory',
      '20250301T080000Z-inventory',
      '20250201T080000Z-permissions',
    ]);
    expect(html).toContain('href="20250303T080000Z-schema/report.html"');
    expect(html).toContain('2025-03-02 08:00:00 UTC');
    for (const v of ['111', '222', '333', '444', '555']) expect(html).toContain(`Computers: <b>${v}</b>`);
    expect(html).toContain('1 blocker');
    expect(html).not.toContain('holiday-photos');
    expect(html).not.toContain('.partial-');
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes what it reads back from run.json', async () => {
    const out = tmp();
    const m = smallModel();
    await writeReport({ ...m, title: '<script>alert(1)</script>', target: { ...m.target, domain: '"><img src=x>' } }, { outDir: out, now: NOW });
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('writeReport: 100,000 computers', () => {
  it('streams every row to the CSV while report.html and summary.md stay small', async () => {
    const out = tmp();
    const total = 100_000;
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const pad = 'x'.repeat(300);
    async function* stream(): AsyncGenerator<Computer> {
      let i = 0;
      while (i < total) {
        // generate in small batches as a paged LDAP search would deliver them
        for (const c of makeComputers(500, i)) {
          yield { ...c, name: `PC-${String(i).padStart(6, '0')}`, os: `${c.os} ${pad}`.slice(0, 40 + (i % 300)) };
          i += 1;
        }
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    const model = sampleModel({ computers: stream(), total, list: makeComputers(2000) });
    const t0 = performance.now();
    const { dir } = await writeReport(model, { outDir: out, now: NOW });
    const ms = performance.now() - t0;

    expect(await countLines(join(dir, 'computers.csv'))).toBe(total + 1);
    const htmlSize = statSync(join(dir, 'report.html')).size;
    const mdSize = statSync(join(dir, 'summary.md')).size;
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Showing the first 50 of 100,000 rows; the CSV file <a href="computers.csv">computers.csv</a> has every row.');
    expect(html).toContain('data-total="100000"');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('Showing the first 50 of 100,000 rows');
    console.log(
      `100k rows: ${ms.toFixed(0)} ms, report.html ${(htmlSize / 1024).toFixed(0)} KiB, summary.md ${(mdSize / 1024).toFixed(0)} KiB, ` +
        `csv ${(statSync(join(dir, 'computers.csv')).size / 1048576).toFixed(1)} MiB, peak heap growth ${(peak / 1048576).toFixed(1)} MiB`,
    );
    expect(htmlSize).toBeLessThan(200 * 1024);
    expect(mdSize).toBeLessThan(100 * 1024);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });

  it('keeps hostile OU names inert in every file', async () => {
    const { dir } = await writeReport(sampleModel(), { outDir: tmp(), now: NOW });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<script/g)).toHaveLength(1); // only our own sort script
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>Co</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    // outside code spans (where markup is literal text) every < is backslash-escaped
    const outsideCode = md.replace(/`[^`\n]*`/g, '');
    expect(outsideCode).not.toMatch(/(?<!\\)<(script|img|b)/);
    expect(outsideCode).toContain('\\<script\\>alert(1)');
    expect(existsSync(join(dir, 'index.html'))).toBe(false);
    expect(HOSTILE_OU).toContain('<script>');
  });
});
