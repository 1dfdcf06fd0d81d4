/**
 * Number and time formatting shared by the report writers. Fixed to en-US grouping so reports
 * read the same whichever locale the tool ran under.
 */
import type { Cell } from './model.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** 1204 -> "1,204"; 12.345 -> "12.35". */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? integer.format(n) : decimal.format(n);
}

/** A headline value or table cell as display text (numbers grouped, null/undefined empty). */
export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return value;
}

/** Share as a whole-number percent, with "<1%" for small non-zero shares. */
export function formatPercent(part: number, total: number): string {
  if (total <= 0) return '0%';
  const p = (part / total) * 100;
  if (p > 0 && p < 1) return '<1%';
  return `${Math.round(p)}%`;
}

/** "2025-01-31T09:05:00.000Z" -> "2025-01-31 09:05:00 UTC"; text that is not a date is kept. */
export function formatUtc(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The run-folder timestamp: UTC yyyymmddThhmmssZ. */
export function folderTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}
