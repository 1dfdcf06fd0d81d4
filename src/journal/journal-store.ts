/**
 * The journal on disk, under <state>/journal/ (folders 0700, files 0600):
 *   index.jsonl        one line when a run starts, one when it ends (for `journal list`)
 *   runs/<run>.jsonl   run-start, plan, every change-state record, run-end
 *   reads.jsonl        every secret revealed to a user (who, object, source, when)
 * Every record is fsync'd before the call that wrote it returns, so a record announcing an LDAP
 * write is on disk before the write is sent.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, fsyncDir, stateDir } from '../config/paths.js';
import { InputError } from '../errors.js';
import { VERSION } from '../version.js';
import type { Plan } from './change.js';
import { JsonlAppender, appendJsonLine, readJsonLines } from './jsonl-file.js';
import {
  JOURNAL_FORMAT,
  toJournalChange,
  type ApplyCounts,
  type ChangeStateRecord,
  type IndexLine,
  type ReadEventRecord,
  type RunEndRecord,
  type RunEndStatus,
  type RunRecordLine,
  type RunStartRecord,
} from './journal-records.js';
import { buildRunRecord, type RunRecord, type RunStatus } from './run-record.js';

/** What a caller says about a run when starting it (the rest of the run-start record is filled in). */
export type RunMeta = Pick<RunStartRecord, 'kind' | 'step' | 'rollbackOf' | 'who' | 'server' | 'tls'> & { options?: Record<string, unknown> };

export interface RunSummary {
  runId: string;
  kind: 'apply' | 'rollback';
  step: string;
  rollbackOf?: string;
  startedAt: string;
  endedAt?: string;
  status: RunStatus;
  exitCode?: number;
  counts?: ApplyCounts;
  server: string;
  who: string;
}

const RUN_ID = /^[0-9]{8}T[0-9]{6}Z-[a-z0-9-]+-[0-9a-f]{6}$/;

function compactUtc(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Keys whose values are never recorded, whatever a caller passes as "options". */
const SECRET_OPTION = /pass(word)?|secret|token|credential|private|cookie/i;

/** Options as recorded in a run: JSON-safe, without anything that might be a secret. */
export function sanitizeOptions(options: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options ?? {})) {
    if (v === undefined || typeof v === 'function') continue;
    if (SECRET_OPTION.test(k)) out[k] = '[not recorded]';
    else if (Buffer.isBuffer(v)) out[k] = '[binary]';
    else if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map((x) => (['string', 'number', 'boolean'].includes(typeof x) ? x : '[value]'));
    else out[k] = '[value]';
  }
  return out;
}

function osIdentity(): { osUser?: string; host?: string } {
  let osUser: string | undefined;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = undefined;
  }
  return { ...(osUser ? { osUser } : {}), host: hostname() };
}

/** Writes one run's file. Obtained from JournalStore.startRun(). */
export class RunWriter {
  readonly runId: string;
  readonly file: string;
  private readonly out: JsonlAppender;
  private readonly store: JournalStore;
  private ended = false;

  constructor(store: JournalStore, runId: string, file: string, start: RunStartRecord) {
    this.store = store;
    this.runId = runId;
    this.file = file;
    this.out = new JsonlAppender(file, { exclusive: true });
    this.out.append(start);
    fsyncDir(store.runsDir);
  }

  recordPlan(plan: Plan): void {
    this.out.append({
      journal: JOURNAL_FORMAT,
      type: 'plan',
      at: new Date().toISOString(),
      runId: this.runId,
      createdAt: plan.createdAt,
      changes: plan.changes.map(toJournalChange),
    } satisfies RunRecordLine);
  }

  recordState(changeId: string, state: ChangeStateRecord['state'], extra: Partial<Pick<ChangeStateRecord, 'beforeImage' | 'observed' | 'phase' | 'outcome' | 'error' | 'note'>> = {}): void {
    const rec: ChangeStateRecord = { journal: JOURNAL_FORMAT, type: 'change', at: new Date().toISOString(), runId: this.runId, changeId, state, ...extra };
    this.out.append(rec);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  end(status: RunEndStatus, exitCode: number, counts: ApplyCounts, stoppedAt?: string, interrupted?: Pick<RunEndRecord, 'signal' | 'inDoubt'>): void {
    if (this.ended) return;
    this.ended = true;
    const at = new Date().toISOString();
    try {
      this.out.append({ journal: JOURNAL_FORMAT, type: 'run-end', at, runId: this.runId, status, exitCode, counts, ...(stoppedAt ? { stoppedAt } : {}), ...(interrupted ?? {}) } satisfies RunRecordLine);
    } finally {
      this.out.close();
    }
    this.store.appendIndex({ journal: JOURNAL_FORMAT, type: 'run-index-end', at, runId: this.runId, status, exitCode, counts });
  }

  /** Closes the file without an end record (used when the caller itself fails). */
  abandon(): void {
    this.ended = true;
    this.out.close();
  }
}

export class JournalStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The journal under the state folder (--state-dir or the XDG default). */
  static open(dir: string = join(stateDir(), 'journal')): JournalStore {
    return new JournalStore(dir);
  }

  get runsDir(): string {
    return join(this.dir, 'runs');
  }
  get indexFile(): string {
    return join(this.dir, 'index.jsonl');
  }
  get readsFile(): string {
    return join(this.dir, 'reads.jsonl');
  }
  runFile(runId: string): string {
    return join(this.runsDir, `${runId}.jsonl`);
  }

  private ensureDirs(): void {
    ensurePrivateDir(this.dir);
    ensurePrivateDir(this.runsDir);
  }

  appendIndex(line: IndexLine): void {
    this.ensureDirs();
    const isNew = !existsSync(this.indexFile);
    appendJsonLine(this.indexFile, line);
    if (isNew) fsyncDir(this.dir);
  }

  startRun(meta: RunMeta, now: Date = new Date()): RunWriter {
    this.ensureDirs();
    const slug = meta.step.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
    const runId = `${compactUtc(now)}-${slug}-${randomBytes(3).toString('hex')}`;
    const at = now.toISOString();
    const start: RunStartRecord = {
      journal: JOURNAL_FORMAT,
      type: 'run-start',
      at,
      runId,
      kind: meta.kind,
      step: meta.step,
      ...(meta.rollbackOf ? { rollbackOf: meta.rollbackOf } : {}),
      who: { ...osIdentity(), ...meta.who },
      server: meta.server,
      ...(meta.tls ? { tls: meta.tls } : {}),
      options: sanitizeOptions(meta.options),
      toolVersion: VERSION,
      pid: process.pid,
    };
    // run file first: a crash before the index line still leaves a run that list() finds
    const writer = new RunWriter(this, runId, this.runFile(runId), start);
    this.appendIndex({
      journal: JOURNAL_FORMAT,
      type: 'run-index',
      at,
      runId,
      kind: meta.kind,
      step: meta.step,
      file: `runs/${runId}.jsonl`,
      server: meta.server,
      who: meta.who.dn,
      ...(meta.rollbackOf ? { rollbackOf: meta.rollbackOf } : {}),
    });
    return writer;
  }

  /** Every run, oldest first, with warnings about damaged or torn lines. */
  listRuns(): { runs: RunSummary[]; warnings: string[] } {
    const { records, warnings } = readJsonLines<IndexLine>(this.indexFile);
    const runs = new Map<string, RunSummary>();
    for (const r of records) {
      if (r.type === 'run-index') {
        runs.set(r.runId, {
          runId: r.runId,
          kind: r.kind,
          step: r.step,
          ...(r.rollbackOf ? { rollbackOf: r.rollbackOf } : {}),
          startedAt: r.at,
          status: 'incomplete',
          server: r.server,
          who: r.who,
        });
      } else if (r.type === 'run-index-end') {
        const s = runs.get(r.runId);
        if (s) Object.assign(s, { endedAt: r.at, status: r.status, exitCode: r.exitCode, counts: { ...r.counts, inDoubt: r.counts.inDoubt ?? 0 } });
      }
    }
    // runs whose index line was lost (crash between the two appends), and counts of unfinished runs
    const files = existsSync(this.runsDir) ? readdirSync(this.runsDir).filter((f) => f.endsWith('.jsonl')) : [];
    for (const f of files) {
      const id = f.slice(0, -'.jsonl'.length);
      const known = runs.get(id);
      if (known && known.status !== 'incomplete') continue;
      try {
        const rec = this.readRun(id);
        runs.set(id, summaryOf(rec));
        // torn or damaged lines of an unfinished run: warned here as by every journal command
        warnings.push(...rec.warnings);
        if (!known) warnings.push(`run ${id} is missing from the index (found its file)`);
      } catch (e) {
        warnings.push(`run ${id}: ${(e as Error).message}`);
      }
    }
    // stable sort: equal start times keep the index's append order
    const list = [...runs.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    return { runs: list, warnings };
  }

  /** A run's full record; the id may be a unique prefix or "last". */
  readRun(runIdOrPrefix: string): RunRecord {
    const runId = this.resolveRunId(runIdOrPrefix);
    const { records, warnings } = readJsonLines<RunRecordLine>(this.runFile(runId));
    try {
      return buildRunRecord(records, warnings);
    } catch (e) {
      throw new InputError(`run ${runId}: ${(e as Error).message}`, { reason: 'JOURNAL_DAMAGED', cause: e });
    }
  }

  /** Accepts a full run id, a unique prefix of one, or "last". */
  resolveRunId(text: string): string {
    const wanted = text.trim();
    if (RUN_ID.test(wanted) && existsSync(this.runFile(wanted))) return wanted;
    const files = existsSync(this.runsDir)
      ? readdirSync(this.runsDir)
          .filter((f) => f.endsWith('.jsonl'))
          .map((f) => f.slice(0, -'.jsonl'.length))
          .sort()
      : [];
    if (files.length === 0) throw new InputError(`no runs in the journal at ${this.dir}`, { reason: 'RUN_NOT_FOUND', advice: 'Check --state-dir.' });
    // the newest by start time; runs started in the same millisecond keep the index's (append) order
    if (wanted === 'last' || wanted === 'latest') return this.listRuns().runs.at(-1)?.runId ?? files[files.length - 1]!;
    const matches = files.filter((f) => f.startsWith(wanted));
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) throw new InputError(`no run ${wanted} in the journal`, { reason: 'RUN_NOT_FOUND', advice: 'List the runs with: laps-migrate journal list' });
    throw new InputError(`"${wanted}" matches ${matches.length} runs`, { reason: 'RUN_AMBIGUOUS', advice: 'Give more of the run id (laps-migrate journal list).' });
  }

  appendReadEvent(event: ReadEventRecord): void {
    this.ensureDirs();
    const isNew = !existsSync(this.readsFile);
    appendJsonLine(this.readsFile, event);
    if (isNew) fsyncDir(this.dir);
  }

  readReadEvents(): { events: ReadEventRecord[]; warnings: string[] } {
    const { records, warnings } = readJsonLines<ReadEventRecord>(this.readsFile);
    return { events: records.filter((r) => r.type === 'read-event'), warnings };
  }
}

export function summaryOf(rec: RunRecord): RunSummary {
  return {
    runId: rec.runId,
    kind: rec.kind,
    step: rec.step,
    ...(rec.rollbackOf ? { rollbackOf: rec.rollbackOf } : {}),
    startedAt: rec.startedAt,
    ...(rec.endedAt ? { endedAt: rec.endedAt } : {}),
    status: rec.status,
    ...(rec.exitCode !== undefined ? { exitCode: rec.exitCode } : {}),
    counts: rec.counts,
    server: rec.server,
    who: rec.who.dn,
  };
}
