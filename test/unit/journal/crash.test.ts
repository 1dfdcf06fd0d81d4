/**
 * "A process killed at any instant leaves a journal that says exactly which changes happened."
 * A child process applies a plan of DACL changes to a file-backed directory and is killed with
 * SIGKILL at every instant the engine has (before each LDAP write, after the write but before
 * its answer, after "applied", after "verified") and at random times. Afterwards the journal
 * must agree with the directory, a rerun must complete the rest, and rollback must restore every
 * descriptor byte for byte.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/directory/types.js';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { createPlan, replaceDacl, type Plan } from '../../../src/journal/change.js';
import { JournalStore } from '../../../src/journal/journal-store.js';
import { planRollback } from '../../../src/journal/plan-rollback.js';
import { renderRun } from '../../../src/journal/render-run.js';
import { ouDescriptor } from './sd-bytes.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let work: string;
let build: string;

/** A Directory whose state is a JSON file, replaced atomically on every write (a DC that survives the client). */
const FS_DIRECTORY = `
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
export class FsDirectory {
  constructor(file, hooks = {}) {
    this.file = file;
    this.hooks = hooks;
    this.facts = { url: 'ldaps://dc1.fs.test:636', tls: 'ldaps', certificateVerified: true, certificateNames: [] };
  }
  load() { return JSON.parse(readFileSync(this.file, 'utf8')); }
  async whoAmI() { return { dn: 'CN=Administrator,CN=Users,DC=fs,DC=test', sid: 'S-1-5-21-9-9-9-500', groupSids: [] }; }
  async rootDse() { throw new Error('not used'); }
  async *searchPages() { throw new Error('not used'); }
  async searchAll() { throw new Error('not used'); }
  async read(dn, attributes, options = {}) {
    const e = this.load()[dn];
    if (!e) return undefined;
    if (options.sdFlags !== 4) throw new Error('descriptor read without SD flags 4');
    return { dn, attributes: { ntsecuritydescriptor: [Buffer.from(e, 'base64')] } };
  }
  async modify(dn, changes, options = {}) {
    if (options.sdFlags !== 4 || changes.length !== 1 || changes[0].operation !== 'replace') throw new Error('unexpected write');
    this.hooks.beforeWrite?.(dn);
    const state = this.load();
    state[dn] = changes[0].values[0].toString('base64');
    writeFileSync(this.file + '.tmp', JSON.stringify(state));
    renameSync(this.file + '.tmp', this.file);
    this.hooks.afterWrite?.(dn);
  }
  async add() { throw new Error('not used'); }
  async delete() { throw new Error('not used'); }
  async close() {}
}
`;

/** The child: builds the same plan from plan.json and applies it, killing itself at instant KILL_AT. */
const CHILD = `
import { readFileSync } from 'node:fs';
import { FsDirectory } from './fs-directory.mjs';
import { applyPlan } from './src/journal/apply-plan.js';
import { createPlan, replaceDacl } from './src/journal/change.js';
import { JournalStore } from './src/journal/journal-store.js';
const [stateFile, journalDir, planFile] = process.argv.slice(2);
const killAt = Number(process.env.KILL_AT || 0);
let instant = 0;
const tick = () => { instant++; if (instant === killAt) process.kill(process.pid, 'SIGKILL'); };
const input = JSON.parse(readFileSync(planFile, 'utf8'));
const plan = createPlan('permissions', input.map((c) => replaceDacl({ dn: c.dn, reason: 'crash test', before: Buffer.from(c.before, 'base64'), after: Buffer.from(c.after, 'base64') })), { createdAt: new Date(0) });
const dir = new FsDirectory(stateFile, { beforeWrite: tick, afterWrite: tick });
process.stdout.write('ready\\n');
if (process.env.WAIT_GO) { await new Promise((r) => process.stdin.once('data', r)); process.stdin.pause(); }
const result = await applyPlan(dir, plan, new JournalStore(journalDir), {
  onProgress: (p) => { if (p.state === 'applied' || p.state === 'verified') tick(); },
});
process.stdout.write(JSON.stringify({ exitCode: result.exitCode, instants: instant }) + '\\n');
`;

function transpileTree(srcRel: string): void {
  const abs = join(repo, srcRel);
  for (const name of readdirSync(abs, { withFileTypes: true })) {
    const p = join(abs, name.name);
    if (name.isDirectory()) continue;
    if (!name.name.endsWith('.ts')) continue;
    const out = ts.transpileModule(readFileSync(p, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
    const dest = join(build, relative(repo, p)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, out.outputText);
  }
}

interface Scenario {
  root: string;
  stateFile: string;
  journalDir: string;
  planFile: string;
  input: Array<{ dn: string; before: string; after: string }>;
}

function scenario(n: number): Scenario {
  const root = mkdtempSync(join(work, 'case-'));
  const input = Array.from({ length: n }, (_, i) => ({
    dn: `OU=Unit${i},DC=fs,DC=test`,
    before: ouDescriptor([{ type: 0, flags: 0, mask: 0x10 << (i % 8), sid: `S-1-5-21-9-9-9-${1000 + i}` }]).toString('base64'),
    after: ouDescriptor([{ type: 0, flags: 0, mask: 0x10 << (i % 8), sid: `S-1-5-21-9-9-9-${1000 + i}` }, { type: 0, flags: 2, mask: 0x20, sid: 'S-1-5-10' }]).toString('base64'),
  }));
  const stateFile = join(root, 'directory.json');
  writeFileSync(stateFile, JSON.stringify(Object.fromEntries(input.map((c) => [c.dn, c.before]))));
  const planFile = join(root, 'plan.json');
  writeFileSync(planFile, JSON.stringify(input));
  return { root, stateFile, journalDir: join(root, 'journal'), planFile, input };
}

function planOf(s: Scenario): Plan {
  return createPlan(
    'permissions',
    s.input.map((c) => replaceDacl({ dn: c.dn, reason: 'crash test', before: Buffer.from(c.before, 'base64'), after: Buffer.from(c.after, 'base64') })),
    { createdAt: new Date(0) },
  );
}

interface ChildResult {
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from "go" to exit (when WAIT_GO is used). */
  ranMs: number;
}

function runChild(s: Scenario, env: Record<string, string>, killAfterMs?: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(build, 'child.mjs'), s.stateFile, s.journalDir, s.planFile], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let goAt = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfterMs !== undefined && goAt === 0 && stdout.startsWith('ready\n')) {
        goAt = performance.now();
        child.stdin.end('go\n');
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ signal, stdout, stderr, ranMs: goAt ? performance.now() - goAt : 0 });
    });
  });
}

async function fsDirectory(s: Scenario): Promise<Directory> {
  const mod = (await import(pathToFileURL(join(build, 'fs-directory.mjs')).href)) as { FsDirectory: new (file: string) => Directory };
  return new mod.FsDirectory(s.stateFile);
}

function directoryState(s: Scenario): Record<string, string> {
  return JSON.parse(readFileSync(s.stateFile, 'utf8')) as Record<string, string>;
}

/** The journal of the killed run must agree with the directory, change by change. */
function checkAgreement(s: Scenario): { runId: string | undefined; inDoubt: number; applied: number } {
  const store = new JournalStore(s.journalDir);
  const { runs } = store.listRuns();
  const state = directoryState(s);
  if (runs.length === 0) {
    // killed before the run was recorded: then nothing may have been written either
    for (const c of s.input) expect(state[c.dn]).toBe(c.before);
    return { runId: undefined, inDoubt: 0, applied: 0 };
  }
  expect(runs).toHaveLength(1);
  const run = store.readRun(runs[0]!.runId);
  // killed after the run-end record (while the process was exiting): then everything is verified
  if (run.status === 'completed') expect(run.changes.every((rc) => rc.state === 'verified')).toBe(true);
  else expect(run.status).toBe('incomplete');
  // killed before the plan record was complete: nothing written
  if (run.changes.length === 0) for (const c of s.input) expect(state[c.dn]).toBe(c.before);
  let inDoubt = 0;
  let applied = 0;
  run.changes.forEach((rc, i) => {
    const written = state[s.input[i]!.dn] === s.input[i]!.after;
    if (!written) expect(state[s.input[i]!.dn]).toBe(s.input[i]!.before);
    switch (rc.state) {
      case 'applied':
      case 'verified':
        expect(written, `${rc.change.id} is ${rc.state} in the journal`).toBe(true);
        applied++;
        break;
      case 'writing':
        inDoubt++; // announced: written or not, the journal says "in doubt" and a re-read decides
        break;
      case 'planned':
        expect(written, `${rc.change.id} was written without being announced`).toBe(false);
        break;
      default:
        throw new Error(`unexpected state ${rc.state}`);
    }
  });
  expect(inDoubt).toBeLessThanOrEqual(1);
  // announcements precede writes: no change after the first pending one has been written
  const firstPending = run.changes.findIndex((rc) => rc.state === 'planned');
  if (firstPending >= 0) for (const rc of run.changes.slice(firstPending)) expect(rc.state).toBe('planned');
  const text = renderRun(run);
  expect(text).toContain(`Applied: ${applied ? run.changes.filter((rc) => rc.state === 'applied' || rc.state === 'verified').map((rc) => rc.change.id).join(', ') : 'none'}`);
  return { runId: run.runId, inDoubt, applied };
}

/** Rerun completes; rollback of every run, newest first, restores every descriptor byte for byte. */
async function recoverAndRollBack(s: Scenario, crashedRunId: string | undefined, rollbackFirst: boolean): Promise<void> {
  const store = new JournalStore(s.journalDir);
  const dir = await fsDirectory(s);
  if (rollbackFirst && crashedRunId) {
    const undo = await applyPlan(dir, planRollback(store.readRun(crashedRunId)), store);
    expect(undo.exitCode).toBe(0);
    for (const c of s.input) expect(directoryState(s)[c.dn]).toBe(c.before);
  }
  const rerun = await applyPlan(dir, planOf(s), store);
  expect(rerun.exitCode).toBe(0);
  expect(rerun.counts.applied + rerun.counts.alreadyDone).toBe(s.input.length);
  for (const c of s.input) expect(directoryState(s)[c.dn]).toBe(c.after);
  const runs = store.listRuns().runs.filter((r) => r.kind === 'apply').reverse();
  for (const r of runs) {
    const undo = await applyPlan(dir, planRollback(store.readRun(r.runId)), store);
    expect(undo.exitCode).toBe(0);
  }
  for (const c of s.input) expect(directoryState(s)[c.dn]).toBe(c.before);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'laps-journal-crash-'));
  build = join(work, 'build');
  for (const d of ['src/journal', 'src/config', 'src/directory', 'src/security', 'src/laps', 'src/dpapi-ng', 'src/dtyp', 'src/model']) transpileTree(d);
  for (const f of ['src/errors.ts', 'src/version.ts']) {
    const out = ts.transpileModule(readFileSync(join(repo, f), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
    writeFileSync(join(build, f.replace(/\.ts$/, '.js')), out.outputText);
  }
  writeFileSync(join(build, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(build, 'fs-directory.mjs'), FS_DIRECTORY);
  writeFileSync(join(build, 'child.mjs'), CHILD);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a process killed during an apply', () => {
  it('without a kill, the child applies everything (and counts 4 instants per change)', async () => {
    const s = scenario(3);
    const { signal, stdout, stderr } = await runChild(s, {});
    expect(stderr).toBe('');
    expect(signal).toBeNull();
    expect(stdout.trim().split('\n').pop()).toBe('{"exitCode":0,"instants":12}');
  });

  it('at every instant: the journal names exactly the changes that happened; rerun completes; rollback restores bytes', async () => {
    const n = 3;
    for (let killAt = 1; killAt <= 4 * n; killAt++) {
      const s = scenario(n);
      const { signal } = await runChild(s, { KILL_AT: String(killAt) });
      expect(signal, `kill at instant ${killAt}`).toBe('SIGKILL');
      const { runId, inDoubt, applied } = checkAgreement(s);
      // instants per change: 1 before the write, 2 after it, 3 after "applied", 4 after "verified"
      const change = Math.floor((killAt - 1) / 4);
      const phase = (killAt - 1) % 4;
      expect(applied, `kill at ${killAt}`).toBe(change + (phase >= 2 ? 1 : 0));
      expect(inDoubt, `kill at ${killAt}`).toBe(phase < 2 ? 1 : 0);
      await recoverAndRollBack(s, runId, killAt % 2 === 0);
    }
  });

  it('at random times during a 40-change apply: the same holds', async () => {
    // how long a whole apply of 40 changes takes here, so the kills land inside it
    const probe = await runChild(scenario(40), { WAIT_GO: '1' }, 60_000);
    expect(probe.signal).toBeNull();
    const span = Math.max(2, probe.ranMs);
    let killedMidway = 0;
    for (let attempt = 0; attempt < 60 && killedMidway < 6; attempt++) {
      const s = scenario(40);
      const { signal } = await runChild(s, { WAIT_GO: '1' }, Math.random() * span);
      if (signal !== 'SIGKILL') continue;
      const { runId, applied } = checkAgreement(s);
      if (applied > 0 && applied < 40) killedMidway++;
      await recoverAndRollBack(s, runId, attempt % 2 === 0);
    }
    expect(killedMidway).toBeGreaterThan(0);
  });
});
