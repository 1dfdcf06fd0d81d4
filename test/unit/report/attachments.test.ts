import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../../src/report/write-report.js';
import { makeComputers, sampleModel } from './sample-model.js';
import { useTmpDir } from './tmp-dir.js';

const tmp = useTmpDir();
const NOW = new Date('2025-03-14T09:26:53.456Z');

describe('writeReport: attachments', () => {
  it('writes them under artifacts/ (folder 0700, files 0600, bytes as given) and links them from report.html', async () => {
    const pol = Buffer.from([0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0, 0xff]);
    const model = { ...sampleModel({ list: makeComputers(3) }), step: 'emulation', attachments: [{ file: 'README.md', data: '# hi\n' }, { file: 'x.Registry.pol', data: pol }] };
    const written = await writeReport(model, { outDir: tmp(), now: NOW });
    const dir = join(written.dir, 'artifacts');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'x.Registry.pol']);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'x.Registry.pol')).equals(pol)).toBe(true);
    expect(readFileSync(join(written.dir, 'report.html'), 'utf8')).toContain('href="artifacts/README.md"');
    expect(JSON.parse(readFileSync(join(written.dir, 'run.json'), 'utf8')).files).toContain('artifacts/x.Registry.pol');
  });

  it('refuses a name that would leave the folder, and duplicates', async () => {
    for (const file of ['../evil.ps1', 'a/b.ps1', '.hidden', '']) {
      await expect(writeReport({ ...sampleModel({ list: makeComputers(1) }), attachments: [{ file, data: 'x' }] }, { outDir: tmp(), now: NOW })).rejects.toThrow(/plain file name/);
    }
    await expect(writeReport({ ...sampleModel({ list: makeComputers(1) }), attachments: [{ file: 'a.ps1', data: 'x' }, { file: 'A.ps1', data: 'y' }] }, { outDir: tmp(), now: NOW })).rejects.toThrow(/two attachments/);
  });
});
