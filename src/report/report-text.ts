/**
 * Wording shared by report.html and summary.md: counts, the one-line verdict, "showing N of M".
 */
import type { Finding, Severity } from '../model/step-result.js';
import type { CollectedTable } from './collect-table.js';
import { formatNumber } from './format.js';

/** Findings of one severity shown in report.html and summary.md; the JSON holds every one. */
export const FINDINGS_SHOWN_LIMIT = 200;

export const SEVERITY_ORDER: readonly Severity[] = ['blocker', 'warning', 'info'];

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { blocker: 0, warning: 0, info: 0 };
  for (const f of findings) if (f.severity in counts) counts[f.severity] += 1;
  return counts;
}

/** The one-line verdict at the top of the report and of summary.md. */
export function statusLine(findings: Finding[]): { tone: 'good' | 'warn' | 'bad'; text: string } {
  const c = countBySeverity(findings);
  if (c.blocker > 0) {
    return { tone: 'bad', text: `Not ready: ${plural(c.blocker, 'blocker')} must be resolved before going on.` };
  }
  if (c.warning > 0) return { tone: 'warn', text: `No blockers; ${plural(c.warning, 'warning')} worth a look.` };
  return { tone: 'good', text: 'Ready: no blockers or warnings found.' };
}

/** "Showing the first 200 of 100,000 rows; the CSV file computers.csv has every row." */
export function tableCaption(t: CollectedTable, shown: number, csvLink: (file: string) => string): string {
  const csv = t.spec.csvFile;
  if (t.total === 0) return 'No rows.';
  if (shown >= t.total) {
    return `All ${plural(t.total, 'row')}.${csv ? ` Also in the CSV file ${csvLink(csv)}.` : ''}`;
  }
  return (
    `Showing the first ${formatNumber(shown)} of ${plural(t.total, 'row')}` +
    (csv ? `; the CSV file ${csvLink(csv)} has every row.` : '.')
  );
}
