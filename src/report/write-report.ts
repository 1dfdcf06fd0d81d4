/**
 * Writes one run's report folder, `<outDir>/<UTC yyyymmddThhmmssZ>-<step>[-N]/` (folder 0700,
 * files 0600): summary.md, report.html, <step>.json, one CSV per table with a csvFile, and
 * run.json (what index.html lists). Then regenerates `<outDir>/index.html`.
 *
 * Crash safety: everything is written and fsync'd inside a hidden `.partial-*` folder that is
 * renamed to its final name only when complete, so a crash never leaves a half-written report
 * under a run name (and index.html only lists folders with a valid run.json).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fsyncDir, writePrivateFile } from '../config/paths.js';
import type { ReportModel, WrittenReport } from './model.js';
import { collectTable, type CollectedTable } from './collect-table.js';
import { folderTimestamp } from './format.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { countBySeverity } from './report-text.js';
import { RUN_FILE, RUN_SCHEMA, writeRunIndex, type RunSummary } from './run-index.js';

/** A step name usable in a folder name (lower-case words joined by hyphens). */
export const STEP_NAME = /^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*$/;
const CSV_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.csv$/;
const ATTACHMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;
/** The sub-folder of a run's report that holds its attachments. */
export const ATTACHMENTS_DIR = 'artifacts';
const MAX_SUFFIX = 10_000;

export interface WriteReportOptions {
  outDir: string;
  /** The run's time, used for the folder name (default: now). */
  now?: Date;
}

/** Checks the parts of the model that become file names; a failure here is a bug in a step. */
function checkModel(model: ReportModel): void {
  if (!STEP_NAME.test(model.step)) throw new Error(`report step name ${JSON.stringify(model.step)} cannot be a folder name`);
  const seen = new Set<string>();
  for (const t of model.tables) {
    if (t.csvFile === undefined) continue;
    if (!CSV_NAME.test(t.csvFile) || t.csvFile.includes('..')) {
      throw new Error(`table ${JSON.stringify(t.id)}: csvFile ${JSON.stringify(t.csvFile)} must be a plain *.csv file name`);
    }
    const key = t.csvFile.toLowerCase();
    if (seen.has(key)) throw new Error(`two tables write the same CSV file ${JSON.stringify(t.csvFile)}`);
    seen.add(key);
  }
  const names = new Set<string>();
  for (const a of model.attachments ?? []) {
    if (!ATTACHMENT_NAME.test(a.file) || a.file.includes('..')) throw new Error(`attachment ${JSON.stringify(a.file)} must be a plain file name`);
    if (names.has(a.file.toLowerCase())) throw new Error(`two attachments are named ${JSON.stringify(a.file)}`);
    names.add(a.file.toLowerCase());
  }
}


function isTaken(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EEXIST' || code === 'ENOTEMPTY' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EPERM';
}

/** Renames the finished staging folder to the first free `<base>`, `<base>-2`, `<base>-3`... */
async function publish(staging: string, outDir: string, base: string): Promise<string> {
  for (let n = 1; n <= MAX_SUFFIX; n += 1) {
    const dir = join(outDir, n === 1 ? base : `${base}-${n}`);
    if (existsSync(dir)) continue;
    try {
      await rename(staging, dir);
      return dir;
    } catch (e) {
      // another writer took the name between our check and the rename: try the next one
      if (isTaken(e) && existsSync(dir)) continue;
      throw e;
    }
  }
  throw new Error(`no free report folder name for ${base} in ${outDir}`);
}

export async function writeReport(model: ReportModel, options: WriteReportOptions): Promise<WrittenReport> {
  checkModel(model);
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw new Error('writeReport: options.now is not a valid date');
  const outDir = resolve(options.outDir);
  if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const base = `${folderTimestamp(now)}-${model.step}`;

  const staging = await mkdtemp(join(outDir, `.partial-${base}-`));
  let published = false;
  try {
    await chmod(staging, 0o700);
    const collected: CollectedTable[] = [];
    for (const table of model.tables) {
      collected.push(await collectTable(table, staging));
      performance.mark(`laps-migrate:report-table-${table.id}`);
    }

    // a playbook run's report (step "run") keeps its document inside run.json, under "details"
    const jsonFile = `${model.step}.json`;
    const ownJson = jsonFile !== RUN_FILE;
    const csvFiles = model.tables.flatMap((t) => (t.csvFile ? [t.csvFile] : []));
    const attached = (model.attachments ?? []).map((a) => `${ATTACHMENTS_DIR}/${a.file}`);
    if (attached.length) {
      mkdirSync(join(staging, ATTACHMENTS_DIR), { mode: 0o700 });
      for (const a of model.attachments ?? []) writePrivateFile(join(staging, ATTACHMENTS_DIR, a.file), a.data);
      fsyncDir(join(staging, ATTACHMENTS_DIR));
    }
    const files = ['report.html', 'summary.md', ...(ownJson ? [jsonFile] : []), ...csvFiles, ...attached];

    if (ownJson) writePrivateFile(join(staging, jsonFile), `${JSON.stringify(model.json ?? null, null, 2)}\n`);
    performance.mark('laps-migrate:report-json');
    writePrivateFile(join(staging, 'summary.md'), renderMarkdown(model, collected));
    performance.mark('laps-migrate:report-markdown');
    writePrivateFile(join(staging, 'report.html'), renderHtml(model, collected, files.filter((f) => f !== 'report.html')));
    performance.mark('laps-migrate:report-html');
    const summary: RunSummary = {
      schema: RUN_SCHEMA,
      schemaVersion: 1,
      step: model.step,
      title: model.title,
      generatedAt: model.generatedAt,
      writtenAt: now.toISOString(),
      toolVersion: model.toolVersion,
      target: model.target,
      headline: model.headline.map((h) => ({ label: h.label, value: h.value, ...(h.tone ? { tone: h.tone } : {}) })),
      findings: countBySeverity(model.findings),
      files: [...files, RUN_FILE],
      ...(ownJson ? {} : { details: model.json }),
    };
    // run.json last: a folder is listed only once it has one.
    writePrivateFile(join(staging, RUN_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    fsyncDir(staging);

    const dir = await publish(staging, outDir, base);
    published = true;
    fsyncDir(outDir);
    const indexFile = writeRunIndex(outDir);
    return { dir, files: summary.files.map((f) => join(dir, f)), indexFile };
  } finally {
    if (!published) await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}
