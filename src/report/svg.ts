/**
 * Charts as inline SVG strings (no script, no external font or image), so report.html opens
 * offline and prints. Every chart names itself (<title>, aria-labelledby), carries a text summary
 * of its numbers (<desc>), prints its numbers as labels, and gives each mark a tooltip (<title>).
 * Labels that would not fit are cut with an ellipsis and the full text stays in the tooltip
 * (primitives in svg-kit.ts).
 */
import type { ChartSpec, Slice } from './model.js';
import { escapeHtml } from './escape-html.js';
import { formatNumber, formatPercent } from './format.js';
import { fillFor, inkOn, PALETTE } from './tones.js';
import { AXIS, BOLD, DEFAULT_STACK_LIMIT, DESC_ITEMS, GRID, MAX_BARS, MUTED, ROTATED_LABEL_MAX, describe, fitText, fullRing, label, niceStep, open, polar, r1, ringSegment, safe, text, textWidth, tip } from './svg-kit.js';

function donut(spec: Extract<ChartSpec, { kind: 'donut' }>, domId: string): string {
  const slices = spec.slices.map((s) => ({ ...s, value: safe(s.value) }));
  const total = slices.reduce((a, s) => a + s.value, 0);
  const rowH = 24;
  const W = 560;
  const H = Math.max(220, 24 + slices.length * rowH);
  const cx = 110;
  const cy = H / 2;
  const R = 92;
  const r = 58;
  const out: string[] = [open(domId, spec, W, H, describe(slices, total))];

  if (total === 0) {
    out.push(`<path d="${fullRing(cx, cy, R, r)}" fill="#eef1f4" fill-rule="evenodd" class="arc empty"/>`);
  } else {
    let angle = -Math.PI / 2;
    const nonZero = slices.filter((s) => s.value > 0).length;
    slices.forEach((s, i) => {
      if (s.value === 0) return;
      const fill = fillFor(s.tone, i);
      const sweep = (s.value / total) * Math.PI * 2;
      const d = nonZero === 1 ? fullRing(cx, cy, R, r) : ringSegment(cx, cy, R, r, angle, angle + sweep);
      out.push(
        `<path d="${d}" fill="${fill}" fill-rule="evenodd" stroke="#ffffff" stroke-width="2" class="arc" ` +
          `data-label="${escapeHtml(s.label)}" data-value="${s.value}">` +
          `${tip(`${s.label}: ${formatNumber(s.value)} (${formatPercent(s.value, total)})`)}</path>`,
      );
      if (s.value / total >= 0.06) {
        const [lx, ly] = polar(cx, cy, (R + r) / 2, angle + sweep / 2);
        out.push(text(lx, ly + 4, formatPercent(s.value, total), { anchor: 'middle', size: 11, weight: 'bold', fill: inkOn(fill) }));
      }
      angle += sweep;
    });
  }
  // the total in the hole, shrunk to fit when it has many digits
  const totalText = formatNumber(total);
  const totalSize = Math.max(11, Math.min(22, Math.floor(((2 * r - 16) * 12) / (textWidth(totalText) * BOLD))));
  out.push(text(cx, cy + 4, totalText, { anchor: 'middle', size: totalSize, weight: 'bold', cls: 'donut-total' }));
  out.push(text(cx, cy + 22, 'total', { anchor: 'middle', size: 11, fill: MUTED }));

  const lx = 236;
  const valueX = W - 58;
  const valueW = Math.max(30, ...slices.map((s) => textWidth(formatNumber(s.value)) * BOLD));
  const top = cy - (slices.length * rowH) / 2 + rowH / 2;
  slices.forEach((s, i) => {
    const y = top + i * rowH;
    out.push(`<rect x="${lx}" y="${r1(y - 9)}" width="12" height="12" rx="2" fill="${fillFor(s.tone, i)}"/>`);
    out.push(label(lx + 20, y + 1, s.label, valueX - valueW - 12 - (lx + 20)));
    out.push(text(valueX, y + 1, formatNumber(s.value), { anchor: 'end', weight: 'bold', cls: 'value' }));
    out.push(text(W - 6, y + 1, formatPercent(s.value, total), { anchor: 'end', fill: MUTED }));
  });
  out.push('</svg>');
  return out.join('');
}

// ---------------------------------------------------------------------------- plain bars

function capBars(bars: Slice[]): Slice[] {
  if (bars.length <= MAX_BARS) return bars;
  const kept = bars.slice(0, MAX_BARS - 1);
  const rest = bars.slice(MAX_BARS - 1);
  kept.push({ label: `Other (${formatNumber(rest.length)} more)`, value: rest.reduce((a, b) => a + safe(b.value), 0), tone: 'neutral' });
  return kept;
}

function bar(spec: Extract<ChartSpec, { kind: 'bar' }>, domId: string): string {
  const bars = capBars(spec.bars.map((b) => ({ ...b, value: safe(b.value) })));
  const W = 560;
  const labelRight = 200;
  const x0 = 210;
  const x1 = W - 12 - Math.max(40, ...bars.map((b) => textWidth(formatNumber(b.value)) * BOLD));
  const rowH = 26;
  const barH = 16;
  const top = spec.xLabel ? 30 : 10;
  const H = top + bars.length * rowH + (spec.yLabel ? 28 : 8);
  const max = Math.max(0, ...bars.map((b) => b.value));
  const scale = max > 0 ? (x1 - x0) / max : 0;
  const out: string[] = [open(domId, spec, W, H, describe(bars))];
  if (spec.xLabel) out.push(label(labelRight, 16, spec.xLabel, labelRight - 4, { anchor: 'end', size: 11, weight: 'bold', fill: MUTED }));
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const w = b.value > 0 ? Math.max(2, b.value * scale) : 0;
    const fill = b.tone ? fillFor(b.tone, i) : (PALETTE[0] as string);
    out.push(label(labelRight, y + barH / 2 + 4, b.label, labelRight - 4, { anchor: 'end' }));
    out.push(
      `<rect x="${x0}" y="${y}" width="${r1(w)}" height="${barH}" rx="2" fill="${fill}" class="bar" ` +
        `data-label="${escapeHtml(b.label)}" data-value="${b.value}">${tip(`${b.label}: ${formatNumber(b.value)}`)}</rect>`,
    );
    out.push(text(x0 + w + 6, y + barH / 2 + 4, formatNumber(b.value), { weight: 'bold', cls: 'value' }));
  });
  out.push(`<line x1="${x0}" y1="${top - 4}" x2="${x0}" y2="${top + bars.length * rowH - 6}" stroke="${AXIS}"/>`);
  if (spec.yLabel) out.push(text((x0 + x1) / 2, H - 8, spec.yLabel, { anchor: 'middle', size: 11, fill: MUTED }));
  out.push('</svg>');
  return out.join('');
}

// ----------------------------------------------------------------------------- histogram

function histogram(spec: Extract<ChartSpec, { kind: 'histogram' }>, domId: string): string {
  const bins = spec.bins.map((b) => ({ ...b, value: safe(b.value) }));
  const W = 560;
  const x1 = W - 12;
  const y0 = 22;
  const n = Math.max(1, bins.length);
  const max = Math.max(0, ...bins.map((b) => b.value));
  const step = max > 0 ? niceStep(max, 4) : 1;
  const topV = max > 0 ? Math.ceil(max / step) * step : 4;
  // left margin: the rotated y-axis title, then the widest tick label
  let x0 = Math.max(58, 24 + textWidth(formatNumber(topV), 11) + 10);
  const maxLabel = Math.min(ROTATED_LABEL_MAX, Math.max(0, ...bins.map((b) => textWidth(b.label, 11))));
  const rotate = maxLabel > (x1 - x0) / n - 4;
  if (rotate) {
    // a label turned by 45 degrees reaches cos(45) of its width left of its bin's centre
    const reach = maxLabel * Math.SQRT1_2 + 2;
    x0 = Math.max(x0, (reach - x1 / (2 * n)) / (1 - 1 / (2 * n)));
  }
  const bw = (x1 - x0) / n;
  const bottom = rotate ? Math.ceil(24 + maxLabel * Math.SQRT1_2 + 18) : 48;
  const plotH = 190;
  const y1 = y0 + plotH;
  const H = y1 + bottom;
  const out: string[] = [open(domId, spec, W, H, describe(bins))];

  for (let v = 0; v <= topV + step / 2; v += step) {
    const y = y1 - (v / topV) * plotH;
    out.push(`<line x1="${x0}" y1="${r1(y)}" x2="${x1}" y2="${r1(y)}" stroke="${v === 0 ? AXIS : GRID}"/>`);
    out.push(text(x0 - 6, y + 4, formatNumber(v), { anchor: 'end', size: 11, fill: MUTED }));
  }
  const gap = Math.min(6, bw * 0.12);
  bins.forEach((b, i) => {
    const h = (b.value / topV) * plotH;
    const x = x0 + i * bw + gap / 2;
    const cx = x0 + i * bw + bw / 2;
    const fill = b.tone ? fillFor(b.tone, i) : (PALETTE[0] as string);
    out.push(
      `<rect x="${r1(x)}" y="${r1(y1 - h)}" width="${r1(bw - gap)}" height="${r1(h)}" fill="${fill}" class="bar" ` +
        `data-label="${escapeHtml(b.label)}" data-value="${b.value}">${tip(`${b.label}: ${formatNumber(b.value)}`)}</rect>`,
    );
    const valueText = formatNumber(b.value);
    if (textWidth(valueText, 11) * BOLD <= bw - 3) {
      out.push(text(cx, y1 - h - 5, valueText, { anchor: 'middle', size: 11, weight: 'bold', cls: 'value' }));
    }
    if (rotate) {
      out.push(label(cx + 4, y1 + 14, b.label, ROTATED_LABEL_MAX, { anchor: 'end', size: 11, transform: `rotate(-45 ${r1(cx + 4)} ${r1(y1 + 14)})` }));
    } else {
      out.push(label(cx, y1 + 16, b.label, bw - 2, { anchor: 'middle', size: 11 }));
    }
  });
  out.push(text((x0 + x1) / 2, H - 8, spec.xLabel, { anchor: 'middle', size: 11, fill: MUTED }));
  out.push(text(14, (y0 + y1) / 2, spec.yLabel, { anchor: 'middle', size: 11, fill: MUTED, transform: `rotate(-90 14 ${r1((y0 + y1) / 2)})` }));
  out.push('</svg>');
  return out.join('');
}

// --------------------------------------------------------------------------- stacked bars

interface StackRow {
  label: string;
  values: number[];
  total: number;
  other?: boolean;
}

/** Largest bars first, the first `limit` kept, the rest summed into one "other" bar. */
export function stackRows(spec: Extract<ChartSpec, { kind: 'stacked-bar' }>): StackRow[] {
  const width = spec.series.length;
  const rows = spec.bars
    .map((b) => {
      const values = Array.from({ length: width }, (_, i) => safe(b.values[i] ?? 0));
      return { label: b.label, values, total: values.reduce((a, v) => a + v, 0) };
    })
    .sort((a, b) => b.total - a.total);
  const limit = Math.max(1, spec.limit ?? DEFAULT_STACK_LIMIT);
  if (rows.length <= limit) return rows;
  const kept: StackRow[] = rows.slice(0, limit);
  const rest = rows.slice(limit);
  const values = Array.from({ length: width }, (_, i) => rest.reduce((a, r) => a + (r.values[i] ?? 0), 0));
  kept.push({ label: `Other (${formatNumber(rest.length)} more)`, values, total: values.reduce((a, v) => a + v, 0), other: true });
  return kept;
}

function stackedBar(spec: Extract<ChartSpec, { kind: 'stacked-bar' }>, domId: string): string {
  const rows = stackRows(spec);
  const series = spec.series.map((s, i) => ({
    ...s,
    fill: fillFor(s.tone, i),
    total: rows.reduce((a, r) => a + (r.values[i] ?? 0), 0),
  }));
  const W = 1080;
  const labelRight = 320;
  const x0 = 332;
  const x1 = W - 12 - Math.max(40, ...rows.map((r) => textWidth(formatNumber(r.total)) * BOLD));
  const rowH = 28;
  const barH = 18;

  // Legend: series with their totals, wrapped onto as many lines as needed.
  const legend: string[] = [];
  let lx = 8;
  let ly = 16;
  for (const s of series) {
    const caption = `${fitText(s.label, 260)} (${formatNumber(s.total)})`;
    const w = 20 + textWidth(caption) + 22;
    if (lx + w > W && lx > 8) {
      lx = 8;
      ly += 22;
    }
    legend.push(`<g class="legend-item"><rect x="${r1(lx)}" y="${ly - 10}" width="12" height="12" rx="2" fill="${s.fill}"/>`);
    legend.push(`${text(lx + 18, ly, caption)}${fitText(s.label, 260) !== s.label ? tip(s.label) : ''}</g>`);
    lx += w;
  }
  const top = ly + 18;
  const H = top + rows.length * rowH + 6;
  const max = Math.max(0, ...rows.map((r) => r.total));
  const scale = max > 0 ? (x1 - x0) / max : 0;
  const desc = rows
    .slice(0, DESC_ITEMS)
    .map((r) => `${r.label}: ${series.map((s, i) => `${s.label} ${formatNumber(r.values[i] ?? 0)}`).join(', ')}`)
    .join('; ');
  const out: string[] = [open(domId, spec, W, H, rows.length ? `${desc}.` : 'No data.'), `<g class="legend">${legend.join('')}</g>`];

  rows.forEach((row, ri) => {
    const y = top + ri * rowH;
    out.push(label(labelRight, y + barH / 2 + 4, row.label, labelRight - 6, { anchor: 'end', ...(row.other ? { fill: MUTED } : {}) }));
    let x = x0;
    row.values.forEach((v, si) => {
      if (v <= 0) return;
      const s = series[si];
      if (!s) return;
      const w = v * scale;
      out.push(
        `<rect x="${r1(x)}" y="${y}" width="${r1(w)}" height="${barH}" fill="${s.fill}" stroke="#ffffff" stroke-width="1" class="bar segment" ` +
          `data-series="${escapeHtml(s.label)}" data-label="${escapeHtml(row.label)}" data-value="${v}">` +
          `${tip(`${row.label} \u2014 ${s.label}: ${formatNumber(v)} (${formatPercent(v, row.total)})`)}</rect>`,
      );
      const valueText = formatNumber(v);
      if (textWidth(valueText, 11) + 8 <= w) {
        out.push(text(x + w / 2, y + barH / 2 + 4, valueText, { anchor: 'middle', size: 11, fill: inkOn(s.fill), cls: 'value' }));
      }
      x += w;
    });
    out.push(text(x + 6, y + barH / 2 + 4, formatNumber(row.total), { weight: 'bold', cls: 'value total' }));
  });
  out.push(`<line x1="${x0}" y1="${top - 5}" x2="${x0}" y2="${top + rows.length * rowH - 5}" stroke="${AXIS}"/>`);
  out.push('</svg>');
  return out.join('');
}

/** One chart as an inline <svg>; domId becomes its id and data-testid. */
export function renderChartSvg(spec: ChartSpec, domId: string): string {
  switch (spec.kind) {
    case 'donut':
      return donut(spec, domId);
    case 'bar':
      return bar(spec, domId);
    case 'histogram':
      return histogram(spec, domId);
    case 'stacked-bar':
      return stackedBar(spec, domId);
  }
}
export { fitText, textWidth } from './svg-kit.js';
