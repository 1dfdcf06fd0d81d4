import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setStateDir } from '../../../src/config/paths.js';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { JournalStore } from '../../../src/journal/journal-store.js';
import { recordReadEvent } from '../../../src/journal/read-event.js';
import { registerJournal } from '../../../src/cli/journal.js';
import { registerRollback } from '../../../src/cli/rollback.js';
import type { MemoryDirectory } from './memory-directory.js';
import { estate, ouDn, selfWritePlan, SELF_WRITE, tempJournal, type TempJournal } from './helpers.js';
import { describeTestDescriptor, ouDescriptor } from './sd-bytes.js';

// rollback --apply connects through openDirectory: hand it the in-memory directory instead
const opened: { dir?: MemoryDirectory; flags?: Record<string, unknown> } = {};
vi.mock('../../../src/cli/connection-options.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/cli/connection-options.js')>();
  return {
    ...real,
    openDirectory: async (flags: Record<string, unknown>) => {
      opened.flags = flags;
      if (!opened.dir) throw new Error('no directory prepared');
      return opened.dir;
    },
  };
});

let tj: TempJournal;
let out: string;
let err: string;

beforeEach(() => {
  tj = tempJournal();
  setStateDir(tj.root);
  out = '';
  err = '';
  opened.dir = undefined;
  opened.flags = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += chunk.toString();
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  setStateDir(undefined);
  tj.cleanup();
});

/** Runs one command line the way main.ts does and returns its exit code. */
async function cli(...args: string[]): Promise<number> {
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerJournal(program);
  registerRollback(program, { describeDescriptor: describeTestDescriptor });
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'laps-migrate', ...args]);
  } catch (e) {
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return code;
}

async function oneRun(names = ['A', 'B']): Promise<{ dir: MemoryDirectory; runId: string }> {
  const dir = estate(names);
  const r = await applyPlan(dir, selfWritePlan(dir, names), JournalStore.open());
  return { dir, runId: r.runId };
}

describe('laps-migrate journal', () => {
  it('list: says when the journal is empty, then lists runs (text and JSON)', async () => {
    expect(await cli('journal', 'list')).toBe(0);
    expect(out).toBe('No runs in the journal.\n');
    const { runId } = await oneRun();
    out = '';
    expect(await cli('journal', 'list')).toBe(0);
    expect(out).toMatch(/^RUN\s+STEP\s+STATUS\s+CHANGES\n/);
    expect(out).toContain(runId);
    expect(out).toContain('completed');
    expect(out).toContain('2 planned, 2 applied');
    out = '';
    expect(await cli('journal', 'list', '--json')).toBe(0);
    expect((JSON.parse(out) as { runs: Array<{ runId: string }> }).runs.map((r) => r.runId)).toEqual([runId]);
  });

  it('show: one run with who, where, and what happened to each change', async () => {
    const { runId } = await oneRun();
    expect(await cli('journal', 'show', 'last', '--details')).toBe(0);
    expect(out).toContain(`Run ${runId}`);
    expect(out).toContain('bound as  CN=Administrator,CN=Users,DC=memory,DC=test (S-1-5-21-1-2-3-500)');
    expect(out).toContain('server    ldaps://dc1.memory.test:636 (ldaps)');
    expect(out).toContain(`[c1] applied and verified: replace-dacl nTSecurityDescriptor on ${ouDn('A')}`);
    expect(out).toContain('Applied: c1, c2');
    expect(out).toContain('Pending: none');
    out = '';
    expect(await cli('journal', 'show', runId.slice(0, -3), '--json')).toBe(0);
    const json = JSON.parse(out) as { runId: string; changes: Array<{ state: string }> };
    expect(json.runId).toBe(runId);
    expect(json.changes.map((c) => c.state)).toEqual(['verified', 'verified']);
    expect(await cli('journal', 'show', 'no-such-run')).toBe(2);
    expect(err).toContain('error: no run no-such-run in the journal');
  });

  it('export: a run or everything to a 0600 CSV with BOM; RUN and --all are exclusive (exit 2)', async () => {
    const { runId } = await oneRun();
    recordReadEvent({ who: 'helpdesk', object: 'CN=PC1', source: 'ms-Mcs-AdmPwd' });
    const file = join(tj.root, 'audit.csv');
    expect(await cli('journal', 'export', '--all', '--csv', file)).toBe(0);
    const csv = readFileSync(file, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.trim().split('\r\n')).toHaveLength(1 + 2 + 1);
    expect(csv).toContain('secret-read');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(err).toContain(`wrote 3 rows to ${file}`);

    expect(await cli('journal', 'export', runId, '--csv', file)).toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\r\n')).toHaveLength(3);
    expect(await cli('journal', 'export', '--csv', file)).toBe(2);
    expect(await cli('journal', 'export', runId, '--all', '--csv', file)).toBe(2);
    expect(await cli('journal', 'export', runId)).toBe(2);
  });

  it('reads: lists every revealed secret without its value', async () => {
    expect(await cli('journal', 'reads')).toBe(0);
    expect(out).toContain('No secret has been revealed');
    recordReadEvent({ who: 'helpdesk@memory.test', object: 'CN=PC1,DC=memory,DC=test', source: 'ms-Mcs-AdmPwd', reason: 'INC-7' });
    out = '';
    expect(await cli('journal', 'reads')).toBe(0);
    expect(out).toMatch(/helpdesk@memory\.test .*CN=PC1,DC=memory,DC=test {2}ms-Mcs-AdmPwd {2}reason: INC-7/);
  });
});

describe('laps-migrate rollback', () => {
  it('without --apply prints the plan with the ACEs it removes, connects to nothing and writes nothing', async () => {
    const { dir, runId } = await oneRun();
    const writes = dir.writes.length;
    expect(await cli('rollback', runId)).toBe(0);
    expect(out).toContain(`Rollback of run ${runId}: 2 changes`);
    expect(out).toContain('- (A;CI;0x20;;;S-1-5-10)');
    expect(err).toContain(`To roll back: laps-migrate rollback ${runId} --apply`);
    expect(opened.flags).toBeUndefined();
    expect(dir.writes.length).toBe(writes);
  });

  it('--apply without a terminal needs --yes (exit 2)', async () => {
    const { dir, runId } = await oneRun();
    opened.dir = dir;
    expect(await cli('rollback', runId, '--apply')).toBe(2);
    expect(err).toContain('needs --yes');
    expect(opened.flags).toBeUndefined();
  });

  it('--apply --yes restores every DACL byte for byte and journals a rollback run', async () => {
    const { dir, runId } = await oneRun();
    opened.dir = dir;
    expect(await cli('rollback', runId, '--apply', '--yes', '--server', 'ldaps://dc1.memory.test', '--user', 'admin@memory.test')).toBe(0);
    expect(opened.flags).toMatchObject({ server: 'ldaps://dc1.memory.test', user: 'admin@memory.test', apply: true, yes: true });
    for (const n of ['A', 'B']) expect(dir.descriptor(ouDn(n)).equals(ouDescriptor())).toBe(true);
    expect(out).toMatch(/Rollback run \S+: 2 undone, 0 already as before, 0 conflicts, 0 failed, 0 in doubt, 0 pending\./);
    expect(dir.closed).toBe(true);
    const runs = JournalStore.open().listRuns().runs;
    expect(runs.map((r) => [r.kind, r.rollbackOf])).toEqual([
      ['apply', undefined],
      ['rollback', runId],
    ]);
  });

  it('stops with exit 5 when a DACL changed since the run, and points at the journal', async () => {
    const { dir, runId } = await oneRun();
    dir.setDescriptor(ouDn('B'), ouDescriptor([SELF_WRITE, { type: 0, flags: 0, mask: 0x10, sid: 'S-1-1-0' }]));
    opened.dir = dir;
    expect(await cli('rollback', runId, '--apply', '--yes', '--json')).toBe(5);
    const json = JSON.parse(out) as { result: { stoppedAt: { changeId: string; state: string }; counts: { applied: number } } };
    expect(json.result.stoppedAt).toMatchObject({ changeId: 'undo-c2', state: 'conflict' });
    expect(json.result.counts.applied).toBe(0);
  });
});
