/**
 * The file change kind on the journal engine: applied atomically with the before-image journaled,
 * idempotent, a file changed since the plan (or a guard that no longer holds) stops the run with
 * nothing written, an in-doubt write is rolled back from its before-image, and rollback restores
 * the bytes (a deleted / created file included). Runs against temp files and the memory directory.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { createPlan, replaceValues } from '../../../src/journal/change.js';
import { replaceFile, sha256 } from '../../../src/journal/file-change.js';
import { planRollback } from '../../../src/journal/plan-rollback.js';
import { renderPlan } from '../../../src/journal/render-plan.js';
import { renderRun } from '../../../src/journal/render-run.js';
import { runRows } from '../../../src/journal/export-csv.js';
import { nodeFileAccess, type FileAccess } from '../../../src/directory/sysvol-files.js';
import { BASE, tempJournal, type TempJournal } from './helpers.js';
import { MemoryDirectory } from './memory-directory.js';

const GPO = `CN={11111111-2222-3333-4444-555555555555},CN=Policies,CN=System,${BASE}`;
let tj: TempJournal;
let folder: string;
let dir: MemoryDirectory;

beforeEach(() => {
  tj = tempJournal();
  folder = mkdtempSync(join(tmpdir(), 'laps-file-change-'));
  dir = new MemoryDirectory();
  dir.seed(BASE, { objectClass: ['domainDNS'] });
  dir.seed(GPO, { objectClass: ['groupPolicyContainer'], versionNumber: ['3'] });
});
afterEach(() => {
  tj.cleanup();
  rmSync(folder, { recursive: true, force: true });
});

const INI_BEFORE = Buffer.from('[General]\r\nVersion=3\r\n');
const INI_AFTER = Buffer.from('[General]\r\nVersion=4\r\n');

function gptIni(): string {
  const p = join(folder, 'GPT.INI');
  writeFileSync(p, INI_BEFORE, { mode: 0o640 });
  return p;
}

function plan(path: string, extra: { guards?: Parameters<typeof replaceFile>[0]['guards'] } = {}) {
  return createPlan('cutover', [
    replaceFile({ dn: GPO, path, label: 'GPT.INI', reason: 'bump', before: INI_BEFORE, after: INI_AFTER, ...extra }),
    replaceValues({ dn: GPO, attribute: 'versionNumber', reason: 'bump', before: ['3'], values: ['4'] }),
  ]);
}

describe('file changes through applyPlan', () => {
  it('writes atomically, keeps the mode, journals the before-image; a rerun is already done', async () => {
    const p = gptIni();
    const r = await applyPlan(dir, plan(p), tj.store);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(p).equals(INI_AFTER)).toBe(true);
    expect(statSync(p).mode & 0o777).toBe(0o640);
    const lines = readFileSync(tj.store.runFile(r.runId), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const writing = lines.find((l) => l.type === 'change' && l.state === 'writing' && l.changeId === 'c1');
    expect(writing.beforeImage).toEqual({ file: INI_BEFORE.toString('base64') });
    const planRec = lines.find((l) => l.type === 'plan');
    expect(planRec.changes[0]).toMatchObject({ kind: 'replace-file', path: p, before: INI_BEFORE.toString('base64'), after: INI_AFTER.toString('base64') });
    const again = await applyPlan(dir, plan(p), tj.store);
    expect(again.counts).toMatchObject({ alreadyDone: 2, applied: 0 });
    expect(readdir(folder)).toEqual(['GPT.INI']);
  });

  it('a file changed since the plan is a conflict: exit 5, nothing written', async () => {
    const p = gptIni();
    writeFileSync(p, '[General]\r\nVersion=65539\r\n');
    const r = await applyPlan(dir, plan(p), tj.store);
    expect(r.exitCode).toBe(5);
    expect(r.stoppedAt).toMatchObject({ changeId: 'c1', state: 'conflict', message: 'GPT.INI was changed since the plan was made' });
    expect(readFileSync(p, 'utf8')).toBe('[General]\r\nVersion=65539\r\n');
    expect(dir.get(GPO, 'versionNumber')).toEqual(['3']);
  });

  it('guards: another half of the GPO changed since the plan stops the run before the first write', async () => {
    const p = gptIni();
    const pol = join(folder, 'Registry.pol');
    writeFileSync(pol, 'PReg\x01\0\0\0');
    const guards = [
      { kind: 'file' as const, path: pol, sha256: sha256(readFileSync(pol)) },
      { kind: 'attribute' as const, dn: GPO, attribute: 'versionNumber', values: ['3'] },
    ];
    writeFileSync(pol, 'PReg\x01\0\0\0[');
    const r = await applyPlan(dir, plan(p, { guards }), tj.store);
    expect(r.stoppedAt).toMatchObject({ changeId: 'c1', state: 'conflict' });
    expect(r.stoppedAt!.message).toContain('Registry.pol was changed since the plan was made');
    expect(readFileSync(p).equals(INI_BEFORE)).toBe(true);

    writeFileSync(pol, 'PReg\x01\0\0\0');
    dir.set(GPO, 'versionNumber', ['4']);
    dir.set(GPO, 'versionNumber', ['3']);
    const ok = await applyPlan(dir, plan(p, { guards }), tj.store);
    expect(ok.exitCode).toBe(0);
  });

  it('a change made between the re-read and the rename is not overwritten', async () => {
    const p = gptIni();
    const racing: FileAccess = {
      read: nodeFileAccess.read,
      write(path, bytes, expected) {
        writeFileSync(path, 'someone else');
        return nodeFileAccess.write(path, bytes, expected);
      },
    };
    const r = await applyPlan(dir, plan(p), tj.store, { files: racing });
    expect(r.exitCode).toBe(5);
    expect(r.stoppedAt?.message).toMatch(/changed between the re-read and the write/);
    expect(readFileSync(p, 'utf8')).toBe('someone else');
    expect(readdir(folder)).toEqual(['GPT.INI']);
  });

  it('rollback restores the bytes; a file the run created is deleted again', async () => {
    const p = gptIni();
    const created = join(folder, 'Machine', 'Registry.pol');
    const drafts = [
      replaceFile({ dn: GPO, path: p, label: 'GPT.INI', reason: 'bump', before: INI_BEFORE, after: INI_AFTER }),
      replaceFile({ dn: GPO, path: created, label: 'Machine\\Registry.pol', reason: 'settings', before: null, after: Buffer.from('PReg\x01\0\0\0') }),
    ];
    const r = await applyPlan(dir, createPlan('cutover', drafts), tj.store);
    expect(r.exitCode).toBe(0);
    expect(existsSync(created)).toBe(true);
    const rb = planRollback(tj.store.readRun(r.runId));
    expect(rb.changes.map((c) => c.id)).toEqual(['undo-c2', 'undo-c1']);
    expect(renderPlan(rb)).toContain('delete file Machine\\Registry.pol');
    const undone = await applyPlan(dir, rb, tj.store);
    expect(undone.exitCode).toBe(0);
    expect(existsSync(created)).toBe(false);
    expect(readFileSync(p).equals(INI_BEFORE)).toBe(true);
  });

  it('an in-doubt write (process died after "writing") rolls back from its before-image', async () => {
    const p = gptIni();
    const run = tj.store.startRun({ kind: 'apply', step: 'cutover', who: { dn: 'x' }, server: 'ldaps://x' });
    const pl = plan(p);
    run.recordPlan(pl);
    run.recordState('c1', 'writing', { beforeImage: { file: INI_BEFORE.toString('base64') } });
    writeFileSync(p, INI_AFTER); // the write happened, the process died before recording it
    const rb = planRollback(tj.store.readRun(run.runId));
    expect(rb.changes).toHaveLength(1);
    const r = await applyPlan(dir, rb, tj.store);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(p).equals(INI_BEFORE)).toBe(true);
  });

  it('rollback of a file changed again since the run is a conflict, not an overwrite', async () => {
    const p = gptIni();
    const r = await applyPlan(dir, plan(p), tj.store);
    writeFileSync(p, '[General]\r\nVersion=5\r\n');
    const rb = await applyPlan(dir, planRollback(tj.store.readRun(r.runId)), tj.store);
    expect(rb.exitCode).toBe(5);
    // newest first: versionNumber goes back, then GPT.INI (someone else's now) stops the rollback
    expect(rb.stoppedAt).toMatchObject({ changeId: 'undo-c1', state: 'conflict' });
    expect(dir.get(GPO, 'versionNumber')).toEqual(['3']);
    expect(readFileSync(p, 'utf8')).toBe('[General]\r\nVersion=5\r\n');
  });

  it('journal show and the CSV export describe file changes by size and hash', async () => {
    const p = gptIni();
    const r = await applyPlan(dir, plan(p), tj.store);
    const run = tj.store.readRun(r.runId);
    const text = renderRun(run, { details: true });
    expect(text).toContain('replace-file GPT.INI on');
    expect(text).toContain(`- GPT.INI: ${INI_BEFORE.length} bytes sha256:${sha256(INI_BEFORE)!.slice(0, 16)}`);
    const rows = runRows(run);
    expect(rows[0]).toMatchObject({ change_kind: 'replace-file', attribute: 'GPT.INI' });
    expect(rows[0]!.before).toContain(`sha256:${sha256(INI_BEFORE)}`);
  });
});

/** The folder's files (no temporary file left behind). */
function readdir(d: string): string[] {
  return readdirSync(d).filter((n) => n !== 'Machine').sort();
}

describe('file write errors', () => {
  it('access denied on the SYSVOL file: exit 6, recorded as not applied, nothing to roll back', async () => {
    const p = gptIni();
    const { UserError, ExitCode } = await import('../../../src/errors.js');
    const denied: FileAccess = {
      read: nodeFileAccess.read,
      write() {
        throw new UserError(`writing ${p} failed: EACCES`, ExitCode.ACCESS_DENIED, { reason: 'SYSVOL_ACCESS_DENIED' });
      },
    };
    const r = await applyPlan(dir, plan(p), tj.store, { files: denied });
    expect(r.exitCode).toBe(6);
    expect(readFileSync(p).equals(INI_BEFORE)).toBe(true);
    const run = tj.store.readRun(r.runId);
    expect(run.changes[0]!.history.at(-1)).toMatchObject({ state: 'failed', phase: 'write', outcome: 'not-applied' });
    expect(planRollback(run).changes).toEqual([]);
  });
});
