/**
 * What every SVG chart is drawn with: estimated text widths (there is no layout engine here) and
 * ellipsis fitting, text and tooltip elements, the chart's opening with its title and text
 * summary, axis steps and ring geometry.
 */
import type { ChartSpec } from './model.js';
import { escapeHtml } from './escape-html.js';
import { formatNumber, formatPercent } from './format.js';
import { INK } from './tones.js';

export const MUTED = '#59636e';
/** Bold text is about this much wider. */
export const BOLD = 1.1;
/** Longest rotated histogram label, px. */
export const ROTATED_LABEL_MAX = 120;
export const GRID = '#e3e7eb';
export const AXIS = '#8c959f';
/** Bars a plain bar chart shows before summing the rest into "other". */
export const MAX_BARS = 30;
/** Bars a stacked-bar chart shows when the spec sets no limit. */
export const DEFAULT_STACK_LIMIT = 15;
/** Items spelled out in a chart's <desc>. */
export const DESC_ITEMS = 25;

export const r1 = (x: number): string => String(Math.round(x * 10) / 10);

/**
 * Estimated advance of one character at 12px, erring wide (DejaVu Sans, the fallback on Linux,
 * is wider than Segoe UI or Arial), so a label that is estimated to fit does fit.
 */
function charWidth(c: string): number {
  if (' .,:;\'|!ijl'.includes(c)) return 3.8;
  if ('()[]{}/\\-tfr"`*'.includes(c)) return 5;
  if ('mwMW@%'.includes(c)) return 12;
  if ('=+<>~#&_'.includes(c)) return 10.2;
  if (c >= '0' && c <= '9') return 7.6;
  if (c >= 'A' && c <= 'Z') return 8.8;
  if (c >= 'a' && c <= 'z') return 7.2;
  return c.charCodeAt(0) > 0x2e7f ? 12 : 8.5;
}

/** Estimated width in px of text at the given font size. */
export function textWidth(text: string, px = 12): number {
  let w = 0;
  for (const c of text) w += charWidth(c);
  return (w * px) / 12;
}

/** The text, or its longest prefix plus an ellipsis, that fits in maxWidth px. */
export function fitText(text: string, maxWidth: number, px = 12): string {
  if (textWidth(text, px) <= maxWidth) return text;
  const room = maxWidth - textWidth('\u2026', px);
  let w = 0;
  let end = 0;
  const chars = [...text];
  while (end < chars.length) {
    const next = (charWidth(chars[end] as string) * px) / 12;
    if (w + next > room) break;
    w += next;
    end += 1;
  }
  return `${chars.slice(0, Math.max(1, end)).join('').trimEnd()}\u2026`;
}

interface TextOptions {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  weight?: 'bold' | 'normal';
  fill?: string;
  cls?: string;
  transform?: string;
}

export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  const attrs = [
    `x="${r1(x)}"`,
    `y="${r1(y)}"`,
    o.anchor && o.anchor !== 'start' ? `text-anchor="${o.anchor}"` : '',
    o.size && o.size !== 12 ? `font-size="${o.size}"` : '',
    o.weight === 'bold' ? 'font-weight="600"' : '',
    `fill="${o.fill ?? INK}"`,
    o.cls ? `class="${o.cls}"` : '',
    o.transform ? `transform="${o.transform}"` : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${escapeHtml(content)}</text>`;
}

/** A label cut to fit maxWidth px, with the full text as its tooltip when cut. */
export function label(x: number, y: number, content: string, maxWidth: number, o: TextOptions = {}): string {
  const shown = fitText(content, maxWidth, o.size ?? 12);
  if (shown === content) return text(x, y, content, o);
  return `<g>${text(x, y, shown, o)}<title>${escapeHtml(content)}</title></g>`;
}

export function tip(content: string): string {
  return `<title>${escapeHtml(content)}</title>`;
}

export function open(domId: string, spec: ChartSpec, width: number, height: number, desc: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${r1(width)} ${r1(height)}" ` +
    `width="${r1(width)}" height="${r1(height)}" role="img" aria-labelledby="${domId}-title ${domId}-desc" ` +
    `id="${domId}" data-testid="${domId}" data-kind="${spec.kind}" class="chart-svg" ` +
    // the text sizes are laid out for 12px; pin it so the page's font size does not leak in
    `font-size="12" font-family="system-ui, 'Segoe UI', Roboto, Arial, 'DejaVu Sans', sans-serif">` +
    `<title id="${domId}-title">${escapeHtml(spec.title)}</title>` +
    `<desc id="${domId}-desc">${escapeHtml(desc)}</desc>`
  );
}

export function describe(items: Array<{ label: string; value: number }>, total?: number): string {
  const parts = items
    .slice(0, DESC_ITEMS)
    .map((s) => `${s.label}: ${formatNumber(s.value)}${total ? ` (${formatPercent(s.value, total)})` : ''}`);
  if (items.length > DESC_ITEMS) parts.push(`and ${formatNumber(items.length - DESC_ITEMS)} more`);
  return parts.length ? `${parts.join('; ')}.` : 'No data.';
}

export const safe = (v: number): number => (Number.isFinite(v) && v > 0 ? v : 0);

/** A "nice" axis step (1, 2 or 5 times a power of ten) giving about `ticks` intervals up to max. */
export function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  const nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
  return Math.max(1, nice * pow);
}

// ---------------------------------------------------------------------------------- donut

export function polar(cx: number, cy: number, r: number, angle: number): [number, number] {
  return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
}

export function ringSegment(cx: number, cy: number, outer: number, inner: number, a0: number, a1: number): string {
  const large = a1 - a0 > Math.PI ? 1 : 0;
  const [ox0, oy0] = polar(cx, cy, outer, a0);
  const [ox1, oy1] = polar(cx, cy, outer, a1);
  const [ix1, iy1] = polar(cx, cy, inner, a1);
  const [ix0, iy0] = polar(cx, cy, inner, a0);
  return (
    `M${r1(ox0)} ${r1(oy0)}A${outer} ${outer} 0 ${large} 1 ${r1(ox1)} ${r1(oy1)}` +
    `L${r1(ix1)} ${r1(iy1)}A${inner} ${inner} 0 ${large} 0 ${r1(ix0)} ${r1(iy0)}Z`
  );
}

export function fullRing(cx: number, cy: number, outer: number, inner: number): string {
  return (
    `M${cx - outer} ${cy}A${outer} ${outer} 0 1 1 ${cx + outer} ${cy}A${outer} ${outer} 0 1 1 ${cx - outer} ${cy}Z` +
    `M${cx - inner} ${cy}A${inner} ${inner} 0 1 0 ${cx + inner} ${cy}A${inner} ${inner} 0 1 0 ${cx - inner} ${cy}Z`
  );
}
