/**
 * `<outDir>/index.html`: every finished run folder, newest first, with its step, time, headline
 * numbers and finding counts, read back from each folder's run.json. A folder without a valid
 * run.json (a crash mid-write, or something that is not ours) is not listed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../config/paths.js';
import type { TargetInfo } from '../model/step-result.js';
import type { Headline, Tone } from './model.js';
import { escapeHtml } from './escape-html.js';
import { formatNumber, formatUtc } from './format.js';
import { contentSecurityPolicy, REPORT_CSS } from './html-assets.js';

export const RUN_FILE = 'run.json';
export const RUN_SCHEMA = 'laps-migrate/report-run';

/** A run folder's name: `<UTC yyyymmddThhmmssZ>-<step>[-N]`. */
export const RUN_FOLDER = /^(\d{8}T\d{6}Z)-([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*?)(?:-(\d+))?$/;

/** What run.json holds: enough to list a run without opening its (possibly large) JSON. */
export interface RunSummary {
  schema: typeof RUN_SCHEMA;
  schemaVersion: 1;
  step: string;
  title: string;
  /** When the step produced its result (the model's generatedAt). */
  generatedAt: string;
  /** When the folder was written (its name's timestamp, to the millisecond). */
  writtenAt: string;
  toolVersion: string;
  target: TargetInfo;
  headline: Array<Pick<Headline, 'label' | 'value' | 'tone'>>;
  findings: { blocker: number; warning: number; info: number };
  /** File names in the folder. */
  files: string[];
  /** A playbook run's own document (the run report has no separate <step>.json). */
  details?: unknown;
}

export interface IndexedRun {
  folder: string;
  summary: RunSummary;
}

const MAX_RUN_FILE = 1024 * 1024;

function isRunSummary(v: unknown): v is RunSummary {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<RunSummary>;
  return (
    r.schema === RUN_SCHEMA &&
    typeof r.step === 'string' &&
    typeof r.title === 'string' &&
    typeof r.generatedAt === 'string' &&
    Array.isArray(r.headline) &&
    Array.isArray(r.files) &&
    typeof r.target === 'object' &&
    r.target !== null &&
    typeof r.findings === 'object' &&
    r.findings !== null
  );
}

function readSummary(dir: string): RunSummary | undefined {
  try {
    const path = join(dir, RUN_FILE);
    if (statSync(path).size > MAX_RUN_FILE) return undefined;
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isRunSummary(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Every finished run in outDir, newest first (same second: the higher -N suffix first). */
export function readRuns(outDir: string): IndexedRun[] {
  let names: string[];
  try {
    names = readdirSync(outDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
  const runs: Array<IndexedRun & { time: string; seq: number }> = [];
  for (const folder of names) {
    const m = RUN_FOLDER.exec(folder);
    if (!m) continue;
    const summary = readSummary(join(outDir, folder));
    if (!summary) continue;
    runs.push({ folder, summary, time: m[1] as string, seq: m[3] ? Number(m[3]) : 1 });
  }
  runs.sort((a, b) => {
    if (a.time !== b.time) return a.time < b.time ? 1 : -1;
    if (a.seq !== b.seq) return b.seq - a.seq;
    return a.folder < b.folder ? 1 : a.folder > b.folder ? -1 : 0;
  });
  return runs.map(({ folder, summary }) => ({ folder, summary }));
}

const TONES: readonly Tone[] = ['good', 'warn', 'bad', 'neutral'];

function headlineChips(summary: RunSummary): string {
  return summary.headline
    .slice(0, 6)
    .map((h) => {
      const value = typeof h.value === 'number' ? formatNumber(h.value) : String(h.value);
      const t = h.tone && TONES.includes(h.tone) ? h.tone : 'neutral';
      return `<span class="chip ${t}">${escapeHtml(h.label)}: <b>${escapeHtml(value)}</b></span>`;
    })
    .join('');
}

function findingBadges(summary: RunSummary): string {
  const f = summary.findings;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return [
    ['blocker', n(f.blocker), 'blocker', 'blockers'],
    ['warning', n(f.warning), 'warning', 'warnings'],
    ['info', n(f.info), 'info', 'info'],
  ]
    .map(([cls, count, one, many]) => {
      const c = count as number;
      return `<span class="badge ${c > 0 ? cls : 'none'}">${formatNumber(c)} ${c === 1 ? one : many}</span>`;
    })
    .join(' ');
}

function link(folder: string, file: string, text: string): string {
  return `<a href="${escapeHtml(`${encodeURIComponent(folder)}/${encodeURIComponent(file)}`)}">${escapeHtml(text)}</a>`;
}

/** index.html for the given runs (already sorted). */
export function renderIndexHtml(runs: IndexedRun[]): string {
  const rows = runs
    .map(({ folder, summary: s }) => {
      const links = [link(folder, 'report.html', 'report')];
      if (s.files.includes('summary.md')) links.push(link(folder, 'summary.md', 'summary.md'));
      return (
        `<tr data-testid="run" data-folder="${escapeHtml(folder)}">` +
        `<td class="when">${escapeHtml(formatUtc(s.writtenAt || s.generatedAt))}</td>` +
        `<td><b>${escapeHtml(s.step)}</b></td>` +
        `<td>${escapeHtml(s.title)}<br><span class="count">${escapeHtml(s.target.domain ?? '')}` +
        `${s.target.scope ? ` \u00b7 ${escapeHtml(s.target.scope)}` : ''}</span></td>` +
        `<td>${headlineChips(s)}</td><td>${findingBadges(s)}</td><td>${links.join(' \u00b7 ')}</td></tr>`
      );
    })
    .join('\n');
  const body = runs.length
    ? `<div class="table-wrap"><table class="runs" data-testid="runs"><thead><tr><th>When (UTC)</th><th>Step</th><th>Report</th><th>Headline</th><th>Findings</th><th>Open</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>`
    : '<p>No reports yet.</p>';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(false)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>laps-migrate reports</title>',
    `<style>${REPORT_CSS}</style></head><body>`,
    '<header class="top"><div class="wrap"><div class="eyebrow">laps-migrate</div><h1>Reports</h1></div></header>',
    `<main class="wrap"><section><p class="caption">${formatNumber(runs.length)} ${runs.length === 1 ? 'run' : 'runs'}, newest first.</p>${body}</section></main>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** Regenerates `<outDir>/index.html` (atomically: temp file + rename, mode 0600). */
export function writeRunIndex(outDir: string): string {
  const path = join(outDir, 'index.html');
  writePrivateFile(path, renderIndexHtml(readRuns(outDir)));
  return path;
}
