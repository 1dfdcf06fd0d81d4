import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { createPlan, replaceValues } from '../../../src/journal/change.js';
import { EXPORT_COLUMNS, readEventRows, runRows, toCsv } from '../../../src/journal/export-csv.js';
import { recordReadEvent } from '../../../src/journal/read-event.js';
import { createHash } from 'node:crypto';
import { estate, ouDn, selfWritePlan, SELF_WRITE, tempJournal, type TempJournal } from './helpers.js';
import { ouDescriptor } from './sd-bytes.js';

let tj: TempJournal;
beforeEach(() => {
  tj = tempJournal();
});
afterEach(() => tj.cleanup());

/** Minimal RFC 4180 reader for the assertions (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

describe('journal export CSV', () => {
  it('starts with a UTF-8 BOM, has a header, one row per change and per password read, CRLF line ends', async () => {
    const dir = estate(['A', 'Zürich Büro']);
    const r = await applyPlan(dir, selfWritePlan(dir, ['A', 'Zürich Büro']), tj.store);
    recordReadEvent({ who: 'CN=Jörg,CN=Users,DC=memory,DC=test', object: `CN=PC1,${ouDn('A')}`, source: 'ms-Mcs-AdmPwd', reason: 'ticket 7' }, tj.store);
    const csv = toCsv([...runRows(tj.store.readRun(r.runId)), ...readEventRows(tj.store.readReadEvents().events)]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = parseCsv(csv.slice(1));
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(4);
    const col = (name: (typeof EXPORT_COLUMNS)[number]): number => EXPORT_COLUMNS.indexOf(name);
    const change = rows[2]!;
    expect(change[col('record')]).toBe('change');
    expect(change[col('run_id')]).toBe(r.runId);
    expect(change[col('dn')]).toBe('OU=Zürich Büro,DC=memory,DC=test');
    expect(change[col('attribute')]).toBe('nTSecurityDescriptor');
    expect(change[col('state')]).toBe('verified');
    const after = ouDescriptor([SELF_WRITE]);
    expect(change[col('after')]).toBe(`descriptor ${after.length} bytes sha256:${createHash('sha256').update(after).digest('hex')}`);
    const read = rows[3]!;
    expect(read[col('record')]).toBe('secret-read');
    expect(read[col('who')]).toBe('CN=Jörg,CN=Users,DC=memory,DC=test');
    expect(read[col('attribute')]).toBe('ms-Mcs-AdmPwd');
    expect(read[col('reason')]).toBe('ticket 7');
    expect(csv).toContain('\r\n');
  });

  it('escapes cells that a spreadsheet would run as formulas', async () => {
    const dir = estate(['A']);
    const r = await applyPlan(
      dir,
      createPlan('x', [replaceValues({ dn: ouDn('A'), attribute: 'description', reason: '=HYPERLINK("http://evil.example","click")', before: [], values: ['+SUM(1,2)', '@cmd'] })]),
      tj.store,
    );
    const rows = parseCsv(toCsv(runRows(tj.store.readRun(r.runId))).slice(1));
    const reason = rows[1]![EXPORT_COLUMNS.indexOf('reason')]!;
    expect(reason).toBe('\'=HYPERLINK("http://evil.example","click")');
    for (const row of rows) for (const cell of row) expect(/^[=+@\t\r]/.test(cell), cell).toBe(false);
  });
});
