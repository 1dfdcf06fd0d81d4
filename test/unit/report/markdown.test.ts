import { describe, expect, it } from 'vitest';
import type { CollectedTable } from '../../../src/report/collect-table.js';
import { mdCode, mdText, renderMarkdown } from '../../../src/report/markdown.js';
import type { ReportModel } from '../../../src/report/model.js';
import { sampleModel } from './sample-model.js';

function collected(model: ReportModel): CollectedTable[] {
  return model.tables.map((spec) => {
    const rows = [...(spec.rows as Iterable<Record<string, string | number | boolean | null>>)];
    return { spec, head: rows.slice(0, spec.htmlLimit ?? 200), total: rows.length };
  });
}

describe('mdText / mdCode', () => {
  it('makes text inert: one line, Markdown punctuation escaped', () => {
    expect(mdText('a|b\n<script>*x*_y_ [l](u) `c` #h & !')).toBe('a\\|b \\<script\\>\\*x\\*\\_y\\_ \\[l\\](u) \\`c\\` \\#h \\& \\!');
    expect(mdText(null)).toBe('');
  });

  it('fences code spans longer than any backtick run inside', () => {
    expect(mdCode('CN=PC01')).toBe('`CN=PC01`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('')).toBe('');
  });
});

describe('renderMarkdown', () => {
  const model = sampleModel();
  const md = renderMarkdown(model, collected(model));

  it('starts with the title, target, time and verdict', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('# LAPS inventory');
    expect(md).toContain('**Domain:** corp.example.com  \n**Server:** `ldaps://dc01.corp.example.com`');
    expect(md).toContain('**Generated:** 2025-03-14 09:26:53 UTC by laps-migrate 0.1.0');
    expect(md).toContain('**Status:** Not ready: 1 blocker must be resolved before going on.');
  });

  it('lists the headline numbers and the notes', () => {
    expect(md).toContain('## Summary\n\n|  | Value |  |\n| --- | ---: | --- |\n| Computers | 1,500 | enabled and disabled |');
    expect(md).toContain('## Notes\n\n- AD cannot tell whether a device actually applied');
  });

  it('gives each chart its numbers as a small table', () => {
    expect(md).toContain('### LAPS state of computers');
    expect(md).toMatch(/\| Windows LAPS \| \d+ \| \d+% \|/);
    expect(md).toContain('|  | Windows LAPS | Both (migrating) | Legacy LAPS | None | Total |');
    expect(md).toMatch(/\| Other \(1 more\) \| \d+ \| \d+ \| \d+ \| \d+ \| 13 \|/);
  });

  it('groups findings by severity with code, object, message, evidence and advice', () => {
    const blockers = md.indexOf('### Blockers (1)');
    const warnings = md.indexOf('### Warnings (2)');
    const info = md.indexOf('### Information (1)');
    expect(blockers).toBeGreaterThan(0);
    expect(warnings).toBeGreaterThan(blockers);
    expect(info).toBeGreaterThan(warnings);
    expect(md).toContain('1 blocker, 2 warnings, 1 info.');
    expect(md).toContain(
      '- **`LEGACY_READ_DELEGATION`** on `OU=Workstations,OU=Paris,DC=corp,DC=example,DC=com` (412 objects)  \n' +
        '  Helpdesk-Paris can read ms-Mcs-AdmPwd but has no read right on msLAPS-Password.  \n' +
        '  Evidence: ACE: allow CORP\\\\Helpdesk-Paris ReadProperty ms-Mcs-AdmPwd (inherited to computer objects)  \n' +
        '  What to do: Grant the same group read',
    );
  });

  it('shows each table\'s first rows with "showing N of M" and the CSV name', () => {
    expect(md).toContain('### Computers\n\nEvery computer object under the base DN with its LAPS state.\n\nShowing the first 50 of 1,500 rows; the CSV file `computers.csv` has every row.');
    expect(md).toContain('| Computer | OU | Operating system | LAPS state | Expires in (days) | Password age (days) | Enabled |\n| --- | --- | --- | --- | ---: | ---: | --- |');
    const computerRows = md.split('\n').filter((l) => /^\| (PC-\d{5}|\\?[=<])/.test(l));
    expect(computerRows).toHaveLength(50);
    expect(md).toContain('All 7 rows. Also in the CSV file `ous.csv`.');
  });

  it('keeps table rows intact whatever the cells hold', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    for (const r of rows) {
      const cells = r.replace(/\\\|/g, '').split('|').length;
      const header = rows.find((h) => h.split('|').length === cells);
      expect(header, r).toBeDefined();
    }
    expect(md).toContain('| =HYPERLINK("http://evil.example","click") |');
    expect(md).toContain('OU=\\<script\\>alert(1)\\</script\\>,OU="Sales" \\& \\<b\\>Co\\</b\\>');
  });
});
