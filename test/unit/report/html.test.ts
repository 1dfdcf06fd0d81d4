import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CollectedTable } from '../../../src/report/collect-table.js';
import { escapeHtml } from '../../../src/report/escape-html.js';
import { domIds, renderHtml } from '../../../src/report/html.js';
import { SORT_SCRIPT } from '../../../src/report/html-assets.js';
import type { ReportModel } from '../../../src/report/model.js';
import type { Finding } from '../../../src/model/step-result.js';
import { HOSTILE_OU, makeComputers, sampleModel } from './sample-model.js';

function collected(model: ReportModel): CollectedTable[] {
  return model.tables.map((spec) => {
    const rows = [...(spec.rows as Iterable<Record<string, string | number | boolean | null>>)];
    return { spec, head: rows.slice(0, spec.htmlLimit ?? 200), total: rows.length };
  });
}

function render(model: ReportModel): string {
  return renderHtml(model, collected(model), ['summary.md', 'inventory.json', 'computers.csv', 'ous.csv']);
}

describe('escapeHtml', () => {
  it('escapes markup, quotes and control characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
    expect(escapeHtml('a\u0000b\u001bc\td\ne')).toBe('a\uFFFDb\uFFFDc\td\ne');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(12)).toBe('12');
  });
});

describe('renderHtml', () => {
  const model = sampleModel();
  const html = render(model);

  it('is one self-contained page: no external script, style, font, image or frame', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/<[a-z]+\s[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    // the only links: in-page anchors and the files beside the report
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.every((h) => /^#[a-z]+$|^[\w.-]+\.(csv|md|json)$/.test(h as string)), hrefs.join(' ')).toBe(true);
  });

  it('allows only its own script and style by hash in a Content-Security-Policy', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    const scriptHash = createHash('sha256').update(SORT_SCRIPT).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${scriptHash}'`);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(script).toBe(SORT_SCRIPT);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/i);
  });

  it('marks its main parts for tests and tools', () => {
    for (const id of ['report-header', 'target', 'headline', 'status', 'notes', 'charts', 'findings', 'tables', 'table-computers', 'table-ous', 'table-computers-caption']) {
      expect(html, id).toContain(`data-testid="${id}"`);
    }
    for (const id of ['laps-state', 'os', 'password-age', 'state-by-ou']) expect(html).toContain(`id="chart-${id}" data-testid="chart-${id}"`);
    expect(html.match(/data-testid="chart-[a-z-]+" data-kind=/g)).toHaveLength(4);
    expect(html.match(/data-testid="headline-card"/g)).toHaveLength(5);
    expect(html.match(/data-testid="finding"/g)).toHaveLength(4);
  });

  it('shows target and time, the verdict, and headline numbers formatted', () => {
    expect(html).toContain('<dd>corp.example.com</dd>');
    expect(html).toContain('<dd>ldaps://dc01.corp.example.com</dd>');
    expect(html).toContain('<dd>2025-03-14 09:26:53 UTC</dd>');
    expect(html).toContain('Not ready: 1 blocker must be resolved before going on.');
    expect(html).toContain('<div class="value">1,500</div><div class="label">Computers</div>');
    expect(html).toContain('class="card good"');
  });

  it('never lets a hostile name through unescaped', () => {
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('<b>Co</b>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<here>');
    expect(html).toContain(escapeHtml(HOSTILE_OU).replace(/,/g, ',<wbr>'));
    const evil: ReportModel = {
      ...model,
      title: '</title><script>alert(1)</script>',
      step: 'inventory',
      toolVersion: '"><script>x</script>',
      target: { ...model.target, domain: '<svg onload=alert(1)>', scope: "' onmouseover='x" },
      headline: [{ label: '<i>x</i>', value: '<u>y</u>', detail: '<s>z</s>' }],
      notes: ['<iframe src=//evil>'],
      charts: [{ kind: 'donut', id: '"><script>', title: '<script>t</script>', slices: [{ label: '<script>s</script>', value: 1 }] }],
      findings: [{ code: '<C>', severity: 'blocker', object: '<o>', message: '<m>', evidence: '<e>', advice: '<a>' }],
      tables: [{ id: 't"><x', title: '<t>', description: '<d>', columns: [{ key: 'k', label: '<script>col</script>' }], rows: [{ k: '<script>cell</script>' }] }],
    };
    const out = renderHtml(evil, collected(evil), []);
    expect(out.match(/<script/g)).toHaveLength(1);
    expect(out).not.toMatch(/<(iframe|svg onload|i>|u>|s>|C>|o>|m>|e>|a>|t>|d>|x)/);
    expect(out).not.toContain(`' onmouseover='x`);
    expect(out).toContain('id="chart-script"');
    expect(out).toContain('id="table-t-x"');
  });

  it('shows the first htmlLimit rows, says how many there are and where the rest is', () => {
    expect(html.match(/<tr>/g)?.length).toBe(1 + 50 + 1 + 7);
    expect(html).toContain('Showing the first 50 of 1,500 rows; the CSV file <a href="computers.csv">computers.csv</a> has every row.');
    expect(html).toContain('All 7 rows. Also in the CSV file <a href="ous.csv">ous.csv</a>.');
    // numeric columns: right-aligned, sortable by raw value
    expect(html).toContain('<th scope="col" class="num"><button type="button" title="Sort by Password age (days)">');
    expect(html).toMatch(/<td class="num" data-v="-?\d+">/);
  });

  it('groups findings blockers first, with badges, object, evidence and advice', () => {
    const order = [...html.matchAll(/data-testid="finding" data-code="([A-Z0-9_]+)" data-severity="(\w+)"/g)].map((m) => m[2]);
    expect(order).toEqual(['blocker', 'warning', 'warning', 'info']);
    expect(html).toContain('<span class="badge blocker">Blocker</span><code class="code">LEGACY_READ_DELEGATION</code><span class="count">412 objects</span>');
    expect(html).toContain('<span class="k">What to do</span>Grant the same group read');
    expect(html).toContain('<span class="k">Evidence</span>ACE: allow');
    expect(html).toContain('data-testid="count-blocker">1 blocker</span>');
  });

  it('caps the findings shown per severity and points to the JSON for the rest', () => {
    const many: Finding[] = Array.from({ length: 250 }, (_, i) => ({ code: 'NO_LAPS', severity: 'warning', object: `CN=PC${i}`, message: 'm', advice: 'a' }));
    const out = renderHtml({ ...model, findings: many, tables: [] }, [], []);
    expect(out.match(/data-testid="finding"/g)).toHaveLength(200);
    expect(out).toContain('Showing the first 200 of 250; <code>inventory.json</code> has every finding.');
    expect(out).toContain('No blockers; 250 warnings worth a look.');
    expect(out).not.toContain('<script>');
  });

  it('stays small with many rows and says "no findings" and "no rows" when there are none', () => {
    const list = makeComputers(5000);
    const m = sampleModel({ list });
    const out = renderHtml({ ...m, findings: [] }, [{ spec: m.tables[0]!, head: list.slice(0, 200), total: 100_000 }, { spec: { ...m.tables[1]!, rows: [] }, head: [], total: 0 }], []);
    expect(Buffer.byteLength(out)).toBeLessThan(250 * 1024);
    expect(out).toContain('Ready: no blockers or warnings found.');
    expect(out).toContain('<p>No findings.</p>');
    expect(out).toContain('<td class="empty" colspan="5">No rows</td>');
    expect(out).toContain('Showing the first 200 of 100,000 rows');
  });
});

describe('domIds', () => {
  it('makes DOM-safe, unique ids', () => {
    expect(domIds('chart', ['a', 'a', 'b c', '<>', ''])).toEqual(['chart-a', 'chart-a-2', 'chart-b-c', 'chart-4', 'chart-5']);
  });
});
