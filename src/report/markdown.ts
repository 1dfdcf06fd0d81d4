/**
 * summary.md: the report as plain Markdown for a terminal, a ticket or a wiki: title, target,
 * verdict, headline numbers, notes, chart numbers, findings grouped by severity (code, object,
 * message, advice) and the first rows of each table with "showing N of M". Text from AD is
 * escaped so it cannot turn into markup, links or broken tables.
 */
import type { Finding } from '../model/step-result.js';
import { cellLink, type Cell, type ChartSpec, type ReportModel } from './model.js';
import type { CollectedTable } from './collect-table.js';
import { formatCell, formatNumber, formatPercent, formatUtc } from './format.js';
import { countBySeverity, FINDINGS_SHOWN_LIMIT, plural, SEVERITY_ORDER, statusLine, tableCaption } from './report-text.js';
import { stackRows } from './svg.js';

/** Plain text made inert: one line, Markdown punctuation backslash-escaped. */
export function mdText(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_[\]<>|#~&!]/g, '\\$&');
}

/** A code span that survives backticks in its content. */
export function mdCode(value: unknown): string {
  const text = (value === null || value === undefined ? '' : String(value)).replace(/[\r\n\t]+/g, ' ');
  if (text === '') return '';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function mdTable(headers: string[], numeric: boolean[], rows: string[][]): string[] {
  const head = `| ${headers.join(' | ')} |`;
  const rule = `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  return [head, rule, ...rows.map((r) => `| ${r.map((c) => c || ' ').join(' | ')} |`)];
}

function target(model: ReportModel): string[] {
  const t = model.target;
  const parts = [`**Domain:** ${mdText(t.domain)}`, `**Server:** ${mdCode(t.server)}`, `**Base DN:** ${mdCode(t.baseDn)}`];
  if (t.scope) parts.push(`**Scope:** ${mdCode(t.scope)}`);
  parts.push(`**Bound as:** ${mdCode(t.boundAs)}`);
  parts.push(`**Generated:** ${mdText(formatUtc(model.generatedAt))} by laps-migrate ${mdText(model.toolVersion)}`);
  return parts.map((p, i) => (i < parts.length - 1 ? `${p}  ` : p));
}

function chart(c: ChartSpec): string[] {
  const out = ['', `### ${mdText(c.title)}`, ''];
  if (c.kind === 'stacked-bar') {
    const rows = stackRows(c);
    out.push(
      ...mdTable(
        ['', ...c.series.map((s) => mdText(s.label)), 'Total'],
        [false, ...c.series.map(() => true), true],
        rows.map((r) => [mdText(r.label), ...r.values.map((v) => formatNumber(v)), formatNumber(r.total)]),
      ),
    );
    return out;
  }
  const items = c.kind === 'donut' ? c.slices : c.kind === 'bar' ? c.bars : c.bins;
  const total = items.reduce((a, s) => a + (Number.isFinite(s.value) && s.value > 0 ? s.value : 0), 0);
  out.push(
    ...mdTable(
      ['', 'Value', 'Share'],
      [false, true, true],
      items.map((s) => [mdText(s.label), formatNumber(s.value), formatPercent(s.value, total)]),
    ),
  );
  return out;
}

function finding(f: Finding): string[] {
  const count = f.count !== undefined ? ` (${plural(f.count, 'object')})` : '';
  const lines = [`- **${mdCode(f.code)}** on ${mdCode(f.object) || '(none)'}${count}  `, `  ${mdText(f.message)}  `];
  if (f.evidence) lines.push(`  Evidence: ${mdText(f.evidence)}  `);
  lines.push(`  What to do: ${mdText(f.advice)}`);
  return lines;
}

function findings(model: ReportModel): string[] {
  const c = countBySeverity(model.findings);
  const out = ['', '## Findings', ''];
  if (model.findings.length === 0) return [...out, 'No findings.'];
  out.push(`${plural(c.blocker, 'blocker')}, ${plural(c.warning, 'warning')}, ${formatNumber(c.info)} info.`);
  const titles = { blocker: 'Blockers', warning: 'Warnings', info: 'Information' } as const;
  for (const s of SEVERITY_ORDER) {
    const list = model.findings.filter((f) => f.severity === s);
    if (list.length === 0) continue;
    out.push('', `### ${titles[s]} (${formatNumber(list.length)})`, '');
    for (const f of list.slice(0, FINDINGS_SHOWN_LIMIT)) out.push(...finding(f));
    if (list.length > FINDINGS_SHOWN_LIMIT) {
      out.push('', `Showing the first ${formatNumber(FINDINGS_SHOWN_LIMIT)} of ${formatNumber(list.length)}; ${mdCode(`${model.step}.json`)} has every finding.`);
    }
  }
  return out;
}

function cell(value: Cell): string {
  return mdText(formatCell(value));
}

function table(t: CollectedTable): string[] {
  const out = ['', `### ${mdText(t.spec.title)}`, ''];
  if (t.spec.description) out.push(mdText(t.spec.description), '');
  out.push(tableCaption(t, t.head.length, (f) => mdCode(f)));
  if (t.head.length === 0) return out;
  out.push('');
  out.push(
    ...mdTable(
      t.spec.columns.map((c) => mdText(c.label)),
      t.spec.columns.map((c) => c.numeric === true),
      t.head.map((row) => t.spec.columns.map((c) => {
        const href = cellLink(row, c.href);
        return href ? `[${cell(row[c.key])}](${encodeURI(href)})` : cell(row[c.key]);
      })),
    ),
  );
  return out;
}

/** The whole summary.md. */
export function renderMarkdown(model: ReportModel, collected: CollectedTable[]): string {
  const out: string[] = [`# ${mdText(model.title)}`, '', ...target(model), '', `**Status:** ${mdText(statusLine(model.findings).text)}`];
  if (model.headline.length) {
    const details = model.headline.some((h) => h.detail);
    out.push('', '## Summary', '');
    out.push(
      ...mdTable(
        details ? ['', 'Value', ''] : ['', 'Value'],
        details ? [false, true, false] : [false, true],
        model.headline.map((h) => {
          const v = typeof h.value === 'number' ? formatNumber(h.value) : mdText(h.value);
          return details ? [mdText(h.label), v, mdText(h.detail ?? '')] : [mdText(h.label), v];
        }),
      ),
    );
  }
  if (model.notes.length) out.push('', '## Notes', '', ...model.notes.map((n) => `- ${mdText(n)}`));
  if (model.charts.length) {
    out.push('', '## Charts');
    for (const c of model.charts) out.push(...chart(c));
  }
  out.push(...findings(model));
  if (collected.length) {
    out.push('', '## Tables');
    for (const t of collected) out.push(...table(t));
  }
  out.push('');
  return out.join('\n');
}
