/**
 * report.html: one self-contained page (inline CSS, inline SVG charts, one small inline sort
 * script, nothing fetched) that a manager can read: who/what/when, a status line, headline
 * numbers, charts, findings with advice, and the first rows of each table with a link to the
 * CSV that has them all. Every string from the model is escaped.
 */
import type { Finding, Severity } from '../model/step-result.js';
import { cellLink, type Cell, type ChartSpec, type ReportModel, type Tone } from './model.js';
import type { CollectedTable } from './collect-table.js';
import { escapeHtml } from './escape-html.js';
import { formatCell, formatNumber, formatUtc } from './format.js';
import { contentSecurityPolicy, REPORT_CSS, SORT_SCRIPT } from './html-assets.js';
import { renderChartSvg } from './svg.js';
import { countBySeverity, FINDINGS_SHOWN_LIMIT, plural, SEVERITY_ORDER, statusLine, tableCaption } from './report-text.js';

const SEVERITY_TITLE: Record<Severity, [string, string]> = {
  blocker: ['Blocker', 'Blockers'],
  warning: ['Warning', 'Warnings'],
  info: ['Info', 'Information'],
};

const TONES: readonly Tone[] = ['good', 'warn', 'bad', 'neutral'];

/** Turns model ids into unique DOM ids: `<prefix>-<slug>`. */
export function domIds(prefix: string, ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.map((id, i) => {
    const slug = id.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || String(i + 1);
    let candidate = `${prefix}-${slug}`;
    for (let n = 2; seen.has(candidate); n += 1) candidate = `${prefix}-${slug}-${n}`;
    seen.add(candidate);
    return candidate;
  });
}

const tone = (t: Tone | undefined): Tone => (t && TONES.includes(t) ? t : 'neutral');

function header(model: ReportModel): string {
  const t = model.target;
  const rows: Array<[string, string | undefined]> = [
    ['Domain', t.domain],
    ['Server', t.server],
    ['Base DN', t.baseDn],
    ['Scope', t.scope],
    ['Bound as', t.boundAs],
    ['Generated', formatUtc(model.generatedAt)],
  ];
  const items = rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`)
    .join('');
  return (
    `<header class="top" data-testid="report-header"><div class="wrap">` +
    `<div class="eyebrow">laps-migrate &middot; ${escapeHtml(model.step)} report</div>` +
    `<h1>${escapeHtml(model.title)}</h1><dl class="target" data-testid="target">${items}</dl></div></header>`
  );
}

function headline(model: ReportModel): string {
  const status = statusLine(model.findings);
  const cards = model.headline
    .map(
      (h) =>
        `<div class="card ${tone(h.tone)}" data-testid="headline-card">` +
        `<div class="value">${escapeHtml(typeof h.value === 'number' ? formatNumber(h.value) : h.value)}</div>` +
        `<div class="label">${escapeHtml(h.label)}</div>` +
        (h.detail ? `<div class="detail">${escapeHtml(h.detail)}</div>` : '') +
        `</div>`,
    )
    .join('');
  return (
    `<section id="summary" data-testid="headline"><h2>Summary</h2>` +
    `<div class="status ${status.tone}" data-testid="status">${escapeHtml(status.text)}</div>` +
    (cards ? `<div class="cards">${cards}</div>` : '') +
    `</section>`
  );
}

function notes(model: ReportModel): string {
  if (model.notes.length === 0) return '';
  const items = model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return `<section id="notes" data-testid="notes"><h2>Notes</h2><ul class="notes">${items}</ul></section>`;
}

function charts(list: ChartSpec[]): string {
  if (list.length === 0) return '';
  const ids = domIds('chart', list.map((c) => c.id));
  const figures = list
    .map((c, i) => {
      const id = ids[i] as string;
      const wide = c.kind === 'stacked-bar' ? ' wide' : '';
      return `<figure class="chart${wide}" data-testid="${id}-figure"><figcaption>${escapeHtml(c.title)}</figcaption>${renderChartSvg(c, id)}</figure>`;
    })
    .join('');
  return `<section id="charts" data-testid="charts"><h2>Charts</h2><div class="charts">${figures}</div></section>`;
}

function finding(f: Finding): string {
  const sev = SEVERITY_ORDER.includes(f.severity) ? f.severity : 'info';
  const count = f.count !== undefined ? `<span class="count">${escapeHtml(plural(f.count, 'object'))}</span>` : '';
  return (
    `<article class="finding ${sev}" data-testid="finding" data-code="${escapeHtml(f.code)}" data-severity="${sev}">` +
    `<div class="f-head"><span class="badge ${sev}">${SEVERITY_TITLE[sev][0]}</span>` +
    `<code class="code">${escapeHtml(f.code)}</code>${count}</div>` +
    `<p class="message">${escapeHtml(f.message)}</p>` +
    `<p class="object"><span class="k">Object</span><code>${escapeHtml(f.object)}</code></p>` +
    (f.evidence ? `<p class="evidence"><span class="k">Evidence</span>${escapeHtml(f.evidence)}</p>` : '') +
    `<p class="advice"><span class="k">What to do</span>${escapeHtml(f.advice)}</p>` +
    `</article>`
  );
}

function findings(model: ReportModel): string {
  const counts = countBySeverity(model.findings);
  const badges = SEVERITY_ORDER.map((s) => {
    const n = counts[s];
    const [one, many] = SEVERITY_TITLE[s];
    return `<span class="badge ${n > 0 ? s : 'none'}" data-testid="count-${s}">${escapeHtml(plural(n, one.toLowerCase(), s === 'info' ? 'info' : many.toLowerCase()))}</span>`;
  }).join('');
  const groups = SEVERITY_ORDER.map((s) => {
    const list = model.findings.filter((f) => f.severity === s);
    if (list.length === 0) return '';
    const shown = list.slice(0, FINDINGS_SHOWN_LIMIT).map(finding).join('');
    const more =
      list.length > FINDINGS_SHOWN_LIMIT
        ? `<p class="more">Showing the first ${formatNumber(FINDINGS_SHOWN_LIMIT)} of ${formatNumber(list.length)}; <code>${escapeHtml(model.step)}.json</code> has every finding.</p>`
        : '';
    return `<h3>${SEVERITY_TITLE[s][1]} (${formatNumber(list.length)})</h3>${shown}${more}`;
  }).join('');
  return (
    `<section id="findings" data-testid="findings"><h2>Findings</h2><div class="counts">${badges}</div>` +
    (model.findings.length === 0 ? '<p>No findings.</p>' : groups) +
    `</section>`
  );
}

/** Escaped cell text; long DNs may wrap after each comma (<wbr>), not in the middle of a name. */
function cellText(value: Cell): string {
  const text = escapeHtml(formatCell(value));
  return typeof value === 'string' ? text.replace(/,(?=\S)/g, ',<wbr>') : text;
}

/** A table cell; `href` (checked by cellLink) makes its text a link. */
function cell(value: Cell, numeric: boolean, href?: string): string {
  const text = href ? `<a href="${escapeHtml(encodeURI(href))}">${cellText(value)}</a>` : cellText(value);
  if (numeric && typeof value === 'number' && Number.isFinite(value)) return `<td class="num" data-v="${value}">${text}</td>`;
  return numeric ? `<td class="num">${text}</td>` : `<td>${text}</td>`;
}

function table(t: CollectedTable, id: string): string {
  const cols = t.spec.columns;
  const width = (key: string): string => {
    const longest = Math.max(0, ...t.head.map((row) => formatCell(row[key]).length));
    return longest > 40 ? ' class="wide"' : longest > 20 ? ' class="mid"' : '';
  };
  const head = cols
    .map((c) => `<th scope="col"${c.numeric ? ' class="num"' : width(c.key)}><button type="button" title="Sort by ${escapeHtml(c.label)}">${escapeHtml(c.label)}</button></th>`)
    .join('');
  const body = t.head.length
    ? t.head.map((row) => `<tr>${cols.map((c) => cell(row[c.key], c.numeric === true, cellLink(row, c.href))).join('')}</tr>`).join('')
    : `<tr><td class="empty" colspan="${cols.length}">No rows</td></tr>`;
  const caption = tableCaption(t, t.head.length, (f) => `<a href="${escapeHtml(encodeURI(f))}">${escapeHtml(f)}</a>`);
  const sortHint = t.head.length > 1 ? ' Click a column header to sort the rows shown.' : '';
  return (
    `<section class="table-block" id="${id}-block" data-testid="${id}-block"><h3>${escapeHtml(t.spec.title)}</h3>` +
    (t.spec.description ? `<p class="desc">${escapeHtml(t.spec.description)}</p>` : '') +
    `<p class="caption" data-testid="${id}-caption">${caption}${sortHint}</p>` +
    `<div class="table-wrap"><table class="sortable" id="${id}" data-testid="${id}" data-total="${t.total}">` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div></section>`
  );
}

function tables(list: CollectedTable[]): string {
  if (list.length === 0) return '';
  const ids = domIds('table', list.map((t) => t.spec.id));
  return `<section id="tables" data-testid="tables"><h2>Tables</h2>${list.map((t, i) => table(t, ids[i] as string)).join('')}</section>`;
}

function nav(model: ReportModel, list: CollectedTable[]): string {
  const links: Array<[string, string]> = [['summary', 'Summary']];
  if (model.notes.length) links.push(['notes', 'Notes']);
  if (model.charts.length) links.push(['charts', 'Charts']);
  links.push(['findings', 'Findings']);
  if (list.length) links.push(['tables', 'Tables']);
  return `<nav class="toc"><div class="wrap">${links.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</div></nav>`;
}

/** The whole report.html; `files` are the names written beside it (listed in the footer). */
export function renderHtml(model: ReportModel, collected: CollectedTable[], files: string[]): string {
  const hasScript = collected.length > 0;
  const fileList = files.map((f) => `<a href="${escapeHtml(encodeURI(f))}"><code>${escapeHtml(f)}</code></a>`).join(', ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(hasScript)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<meta name="generator" content="laps-migrate ${escapeHtml(model.toolVersion)}">`,
    `<title>${escapeHtml(model.title)} \u2014 ${escapeHtml(model.target.domain || model.step)}</title>`,
    `<style>${REPORT_CSS}</style></head><body>`,
    header(model),
    nav(model, collected),
    '<main class="wrap">',
    headline(model),
    notes(model),
    charts(model.charts),
    findings(model),
    tables(collected),
    '</main>',
    `<footer class="wrap">Generated by laps-migrate ${escapeHtml(model.toolVersion)} on ${escapeHtml(formatUtc(model.generatedAt))}.` +
      (fileList ? ` Files in this folder: ${fileList}.` : '') +
      '</footer>',
    hasScript ? `<script>${SORT_SCRIPT}</script>` : '',
    '</body></html>',
    '',
  ].join('\n');
}
