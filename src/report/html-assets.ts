/**
 * The style sheet and the one small script embedded in report.html and index.html, and the
 * Content-Security-Policy that allows exactly these (by hash) and nothing else: no network, no
 * other script, even if some text escaped our escaping.
 */
import { createHash } from 'node:crypto';

export const REPORT_CSS = `
:root{--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--bg:#f4f6f8;--card:#fff;--good:#0f7b5f;--warn:#9a6700;--bad:#c8372d;--info:#1f6fb2;--band:#123456;color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
a{color:var(--info)}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
.wrap{max-width:1180px;margin:0 auto;padding:0 28px}
header.top{background:var(--band);color:#fff;padding:22px 0 20px}
.eyebrow{font-size:12px;letter-spacing:.08em;text-transform:uppercase;opacity:.8}
h1{font-size:26px;line-height:1.25;margin:4px 0 14px}
h2{font-size:19px;margin:0 0 12px}
h3{font-size:15px;margin:18px 0 6px}
dl.target{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:8px 28px;margin:0}
dl.target div{min-width:0}
dl.target dt{font-size:11px;letter-spacing:.06em;text-transform:uppercase;opacity:.75}
dl.target dd{margin:0;font-weight:600;overflow-wrap:anywhere}
nav.toc{background:#fff;border-bottom:1px solid var(--line);font-size:13px}
nav.toc a{display:inline-block;padding:9px 14px 9px 0;margin-right:8px;color:var(--info);text-decoration:none}
nav.toc a:hover{text-decoration:underline}
main{padding:8px 0 40px}
main>section{margin-top:26px}
.status{border-radius:8px;padding:12px 16px;font-weight:600;border:1px solid;border-left-width:6px;background:#fff}
.status.bad{border-color:var(--bad);background:#fcefed}
.status.warn{border-color:#d4a72c;background:#fff8e5}
.status.good{border-color:var(--good);background:#eaf6f1}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px;margin-top:14px}
.card{background:var(--card);border:1px solid var(--line);border-top:4px solid #8c959f;border-radius:8px;padding:12px 16px 14px}
.card.good{border-top-color:var(--good)}.card.warn{border-top-color:#e0a100}.card.bad{border-top-color:var(--bad)}.card.neutral{border-top-color:#8c959f}
.card .value{font-size:30px;font-weight:700;line-height:1.15;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.card.good .value{color:var(--good)}.card.bad .value{color:var(--bad)}.card.warn .value{color:var(--warn)}
.card .label{font-weight:600;margin-top:2px}
.card .detail{color:var(--muted);font-size:12px}
ul.notes{margin:0;padding:12px 16px 12px 34px;background:#fff;border:1px solid var(--line);border-radius:8px;color:#31373d}
ul.notes li+li{margin-top:4px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:16px}
figure.chart{margin:0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;min-width:0}
figure.chart.wide{grid-column:1/-1}
figure.chart figcaption{font-weight:600;margin-bottom:10px}
.chart-svg{display:block;max-width:100%;height:auto;margin:0 auto}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 6px}
.badge{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;padding:2px 9px;border-radius:999px;color:#fff;white-space:nowrap;vertical-align:1px}
.badge.blocker{background:var(--bad)}.badge.warning{background:var(--warn)}.badge.info{background:var(--info)}
.badge.none{background:#eef1f4;color:var(--muted)}
.finding{background:#fff;border:1px solid var(--line);border-left:5px solid var(--info);border-radius:8px;padding:10px 16px 12px;margin:8px 0}
.finding.blocker{border-left-color:var(--bad)}.finding.warning{border-left-color:#d4a72c}
.finding .f-head{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.finding .message{margin:6px 0 4px;font-weight:600}
.finding p{margin:4px 0}
.finding .k{display:inline-block;min-width:92px;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.finding .advice{background:#f6f8fa;border-radius:6px;padding:6px 10px;margin-top:8px}
.count{color:var(--muted);font-size:13px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px;overflow-wrap:anywhere}
code.code{font-weight:700;color:#31373d}
.more{color:var(--muted);font-style:italic}
.table-block{margin-top:18px}
.table-block .desc{margin:0 0 4px;color:#31373d}
.caption{color:var(--muted);font-size:13px;margin:2px 0 8px}
.caption a{color:var(--info)}
.table-wrap{max-height:560px;overflow:auto;background:#fff;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 12px;text-align:left;vertical-align:top;border-bottom:1px solid #eaeef2}
td{overflow-wrap:break-word}
th{position:sticky;top:0;z-index:1;background:#eef2f5;vertical-align:bottom;border-bottom:1px solid var(--line)}
th button{all:unset;cursor:pointer;font-weight:600;display:inline-flex;align-items:center;gap:6px}
th button::after{content:"\\2195";opacity:.35;font-size:11px}
th[aria-sort=ascending] button::after{content:"\\25B2";opacity:1;font-size:9px}
th[aria-sort=descending] button::after{content:"\\25BC";opacity:1;font-size:9px}
th button:focus-visible{outline:2px solid var(--info);outline-offset:2px}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.num{text-align:right;min-width:6em}
th.mid{min-width:10em}th.wide{min-width:18em}
th.num button{flex-direction:row-reverse;justify-content:flex-start}
tbody tr:nth-child(even){background:#f9fafb}
tbody tr:hover{background:#eef5fc}
td.empty{color:var(--muted);font-style:italic;text-align:center}
footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding:14px 0 30px}
footer code{font-size:11.5px}
.runs td .chip{display:inline-block;background:#eef1f4;border-radius:4px;padding:0 6px;margin:1px 4px 1px 0;white-space:nowrap}
@media (max-width:640px){.charts{grid-template-columns:1fr}.wrap{padding:0 14px}}
@media print{
body{background:#fff;font-size:12px}
header.top{background:#fff;color:var(--ink);border-bottom:2px solid var(--ink)}
nav.toc{display:none}
.card,figure.chart,.finding,.status{break-inside:avoid}
.table-wrap{max-height:none;overflow:visible;border:0}
th{position:static}
th button::after{content:none}
a{color:inherit;text-decoration:none}
}
`;

/** Click a column header to sort the rows shown; numeric columns sort by number, empty cells last. */
export const SORT_SCRIPT = `
(function () {
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  function key(cell, numeric) {
    if (!cell) return null;
    var raw = cell.getAttribute('data-v');
    if (raw === null) raw = cell.textContent || '';
    if (numeric) {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw === '' ? null : raw;
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    if (!table.tHead || !table.tBodies[0]) return;
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = th.classList.contains('num');
        var body = table.tBodies[0];
        var rows = Array.prototype.map.call(body.rows, function (row, i) {
          return { row: row, i: i, k: key(row.cells[col], numeric) };
        });
        rows.sort(function (a, b) {
          if (a.k === null || b.k === null) return a.k === b.k ? a.i - b.i : a.k === null ? 1 : -1;
          var c = numeric ? a.k - b.k : collator.compare(a.k, b.k);
          return c === 0 ? a.i - b.i : ascending ? c : -c;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r.row); });
        body.appendChild(frag);
      });
    });
  });
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Only our own style sheet and script may apply; nothing may be fetched. */
export function contentSecurityPolicy(withScript: boolean): string {
  return [
    "default-src 'none'",
    `style-src ${sha256(REPORT_CSS)}`,
    `script-src ${withScript ? sha256(SORT_SCRIPT) : "'none'"}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
