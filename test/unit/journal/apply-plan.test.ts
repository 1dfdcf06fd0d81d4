import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { addEntry, addValues, createPlan, deleteValues, replaceDacl, replaceValues } from '../../../src/journal/change.js';
import { JOURNAL_FORMAT } from '../../../src/journal/journal-records.js';
import { planRollback } from '../../../src/journal/plan-rollback.js';
import { renderRun } from '../../../src/journal/render-run.js';
import { UserError } from '../../../src/errors.js';
import { BASE, estate, ouDn, selfWritePlan, SELF_WRITE, tempJournal, type TempJournal } from './helpers.js';
import { daclDescriptor, ouDescriptor, parseTestDescriptor } from './sd-bytes.js';

let tj: TempJournal;
beforeEach(() => {
  tj = tempJournal();
});
afterEach(() => tj.cleanup());

function runFileLines(runId: string): Array<Record<string, unknown>> {
  return readFileSync(tj.store.runFile(runId), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function selfAces(sd: Buffer): number {
  return parseTestDescriptor(sd).aces.filter((a) => a.sid === SELF_WRITE.sid && a.mask === SELF_WRITE.mask).length;
}

describe('applyPlan: DACL changes', () => {
  it('writes each DACL with SD flags 4, verifies it, and journals planned -> writing -> applied -> verified', async () => {
    const names = ['A', 'B', 'C'];
    const dir = estate(names);
    const original = dir.descriptor(ouDn('A'));
    const plan = selfWritePlan(dir, names);

    const result = await applyPlan(dir, plan, tj.store);

    expect(result.exitCode).toBe(0);
    expect(result.status).toBe('completed');
    expect(result.counts).toEqual({ planned: 3, applied: 3, alreadyDone: 0, conflicts: 0, failed: 0, inDoubt: 0, pending: 0 });
    expect(dir.writes).toHaveLength(3);
    for (const w of dir.writes) {
      expect(w.sdFlags).toBe(4);
      expect(w.changes).toHaveLength(1);
      expect(w.changes![0]!.operation).toBe('replace');
    }
    expect(dir.sdFlagsSeen.every((f) => f === 4)).toBe(true);
    for (const n of names) expect(dir.descriptor(ouDn(n)).equals(ouDescriptor([SELF_WRITE]))).toBe(true);

    const lines = runFileLines(result.runId);
    expect(lines.every((l) => l.journal === JOURNAL_FORMAT)).toBe(true);
    expect(lines.map((l) => (l.type === 'change' ? `${l.changeId}:${l.state}` : l.type))).toEqual([
      'run-start',
      'plan',
      'c1:writing',
      'c1:applied',
      'c1:verified',
      'c2:writing',
      'c2:applied',
      'c2:verified',
      'c3:writing',
      'c3:applied',
      'c3:verified',
      'run-end',
    ]);
    const writing = lines.find((l) => l.state === 'writing') as { beforeImage: { descriptor: string } };
    expect(Buffer.from(writing.beforeImage.descriptor, 'base64').equals(original)).toBe(true);
    const start = lines[0] as { who: { dn: string; sid: string }; server: string; toolVersion: string; step: string };
    expect(start.who.dn).toBe(dir.identity.dn);
    expect(start.who.sid).toBe(dir.identity.sid);
    expect(start.server).toBe(dir.facts.url);
    expect(start.step).toBe('permissions');
    expect(start.toolVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a rerun writes nothing and leaves no duplicate ACE', async () => {
    const names = ['A', 'B', 'C'];
    const dir = estate(names);
    const plan = selfWritePlan(dir, names);
    await applyPlan(dir, plan, tj.store);
    const again = await applyPlan(dir, plan, tj.store);

    expect(again.exitCode).toBe(0);
    expect(again.counts.alreadyDone).toBe(3);
    expect(again.counts.applied).toBe(0);
    expect(dir.writes).toHaveLength(3);
    for (const n of names) expect(selfAces(dir.descriptor(ouDn(n)))).toBe(1);
    expect(tj.store.readRun(again.runId).changes.map((c) => c.state)).toEqual(['already-done', 'already-done', 'already-done']);
  });

  it('stops with a conflict (exit 5) when a DACL was changed behind its back, and does not overwrite it', async () => {
    const names = ['A', 'B', 'C'];
    const dir = estate(names);
    const plan = selfWritePlan(dir, names);
    const foreign = ouDescriptor([{ type: 0, flags: 0, mask: 0x10, sid: 'S-1-5-21-1-2-3-1105' }]);
    dir.setDescriptor(ouDn('B'), foreign);

    const result = await applyPlan(dir, plan, tj.store);

    expect(result.exitCode).toBe(5);
    expect(result.status).toBe('stopped');
    expect(result.stoppedAt).toMatchObject({ changeId: 'c2', state: 'conflict' });
    expect(result.counts).toMatchObject({ applied: 1, conflicts: 1, pending: 1 });
    expect(dir.descriptor(ouDn('B')).equals(foreign)).toBe(true);
    expect(dir.writes.map((w) => w.dn)).toEqual([ouDn('A')]);
    const run = tj.store.readRun(result.runId);
    expect(run.status).toBe('stopped');
    expect(run.exitCode).toBe(5);
    const c2 = run.changes[1]!;
    expect(c2.state).toBe('conflict');
    expect(c2.observed && 'descriptor' in c2.observed && Buffer.from(c2.observed.descriptor, 'base64').equals(foreign)).toBe(true);
  });

  it('checks that the record announcing a write is on disk before the write is sent', async () => {
    const dir = estate(['A', 'B']);
    const plan = selfWritePlan(dir, ['A', 'B']);
    const seen: string[] = [];
    dir.onBeforeWrite((w) => {
      const runs = readdirSync(tj.store.runsDir).sort();
      const text = readFileSync(join(tj.store.runsDir, runs[runs.length - 1]!), 'utf8');
      const last = JSON.parse(text.trim().split('\n').pop()!) as { state: string; changeId: string };
      seen.push(`${w.dn}:${last.changeId}:${last.state}`);
    });
    await applyPlan(dir, plan, tj.store);
    expect(seen).toEqual([`${ouDn('A')}:c1:writing`, `${ouDn('B')}:c2:writing`]);
  });

  it('records a verification failure (exit 5) when the server stores another descriptor; an injected equality accepts it', async () => {
    const dir = estate(['A']);
    const plan = selfWritePlan(dir, ['A']);
    const original = dir.descriptor(ouDn('A'));
    // a server that sets SE_DACL_PROTECTED on what it stores
    dir.normalizeDescriptor = (sd) => {
      const copy = Buffer.from(sd);
      copy.writeUInt16LE(copy.readUInt16LE(2) | 0x1000, 2);
      return copy;
    };
    const first = await applyPlan(dir, plan, tj.store);
    expect(first.exitCode).toBe(5);
    const rc = tj.store.readRun(first.runId).changes[0]!;
    expect(rc.state).toBe('failed');
    expect(rc.history.at(-1)?.phase).toBe('verify');
    const stored = dir.descriptor(ouDn('A'));
    expect(rc.observed && 'descriptor' in rc.observed && Buffer.from(rc.observed.descriptor, 'base64').equals(stored)).toBe(true);

    const ignoreControl = (a: Buffer, b: Buffer): boolean => a.subarray(4).equals(b.subarray(4));
    const rerun = await applyPlan(dir, plan, tj.store, { descriptorsEqual: ignoreControl });
    expect(rerun.exitCode).toBe(0);
    expect(rerun.counts.alreadyDone).toBe(1);

    // rollback of the first run restores the exact bytes read before the write
    dir.normalizeDescriptor = undefined;
    const back = await applyPlan(dir, planRollback(tj.store.readRun(first.runId)), tj.store);
    expect(back.exitCode).toBe(0);
    expect(dir.descriptor(ouDn('A')).equals(original)).toBe(true);
  });
});

describe('applyPlan: faults', () => {
  it('the connection dies mid-apply: exit 5, the journal names applied and pending; rerun completes; rollback restores every DACL byte for byte', async () => {
    const names = ['A', 'B', 'C', 'D', 'E'];
    const dir = estate(names);
    // each OU gets a slightly different starting DACL so a wrong restore would show
    names.forEach((n, i) => dir.setDescriptor(ouDn(n), ouDescriptor([{ type: 0, flags: 0, mask: 0x10 << i, sid: `S-1-5-21-1-2-3-${1100 + i}` }])));
    const originals = new Map(names.map((n) => [n, dir.descriptor(ouDn(n))]));
    const plan = createPlan(
      'permissions',
      names.map((n, i) =>
        replaceDacl({
          dn: ouDn(n),
          reason: 'SELF write',
          before: dir.descriptor(ouDn(n)),
          after: ouDescriptor([{ type: 0, flags: 0, mask: 0x10 << i, sid: `S-1-5-21-1-2-3-${1100 + i}` }, SELF_WRITE]),
        }),
      ),
    );
    dir.failWrite(3, 'connection');

    const first = await applyPlan(dir, plan, tj.store);

    expect(first.exitCode).toBe(5);
    expect(first.counts).toEqual({ planned: 5, applied: 2, alreadyDone: 0, conflicts: 0, failed: 0, inDoubt: 1, pending: 2 });
    const run1 = tj.store.readRun(first.runId);
    expect(run1.changes.map((c) => c.state)).toEqual(['verified', 'verified', 'failed', 'planned', 'planned']);
    expect(run1.changes[2]!.history.at(-1)).toMatchObject({ phase: 'write', outcome: 'unknown' });
    expect(run1.changes[2]!.error).toMatchObject({ exitCode: 4, reason: 'CONNECTION_LOST' });
    const text = renderRun(run1);
    expect(text).toContain('Applied: c1, c2');
    expect(text).toContain('Pending: c4, c5');

    dir.reconnect();
    const second = await applyPlan(dir, plan, tj.store);
    expect(second.exitCode).toBe(0);
    expect(second.counts).toMatchObject({ applied: 3, alreadyDone: 2 });
    for (const n of names) expect(selfAces(dir.descriptor(ouDn(n)))).toBe(1);

    // undo the newest run first, then the older one
    const undo2 = await applyPlan(dir, planRollback(tj.store.readRun(second.runId)), tj.store);
    expect(undo2.exitCode).toBe(0);
    expect(undo2.counts.applied).toBe(3);
    const rollback1 = planRollback(tj.store.readRun(first.runId));
    expect(rollback1.changes.map((c) => c.id)).toEqual(['undo-c3', 'undo-c2', 'undo-c1']);
    const undo1 = await applyPlan(dir, rollback1, tj.store);
    expect(undo1.exitCode).toBe(0);
    // c3 never reached the server in run 1: its undo finds it already as before
    expect(undo1.counts).toMatchObject({ applied: 2, alreadyDone: 1 });
    for (const n of names) expect(dir.descriptor(ouDn(n)).equals(originals.get(n)!)).toBe(true);
  });

  it('a write whose answer is lost (applied on the server) is "may have reached the server"; the rerun sees it done', async () => {
    const dir = estate(['A', 'B']);
    const plan = selfWritePlan(dir, ['A', 'B']);
    dir.failWrite(1, 'lost-response');
    const first = await applyPlan(dir, plan, tj.store);
    expect(first.exitCode).toBe(5);
    expect(tj.store.readRun(first.runId).changes[0]!.history.at(-1)).toMatchObject({ state: 'failed', outcome: 'unknown' });
    dir.reconnect();
    const second = await applyPlan(dir, plan, tj.store);
    expect(second.counts).toMatchObject({ alreadyDone: 1, applied: 1 });
    expect(dir.writes).toHaveLength(2);
    // the first run's rollback includes the change that may have been written
    expect(planRollback(tj.store.readRun(first.runId)).changes.map((c) => c.id)).toEqual(['undo-c1']);
  });

  it('access denied on the first write exits 6 with nothing written; after a write it is a part-way stop (5)', async () => {
    const dir = estate(['A', 'B']);
    const plan = selfWritePlan(dir, ['A', 'B']);
    dir.failWrite(1, 'access-denied');
    const denied = await applyPlan(dir, plan, tj.store);
    expect(denied.exitCode).toBe(6);
    expect(denied.counts).toMatchObject({ applied: 0, failed: 1, pending: 1 });
    const rc = tj.store.readRun(denied.runId).changes[0]!;
    expect(rc.history.at(-1)).toMatchObject({ state: 'failed', phase: 'write', outcome: 'not-applied' });
    expect(planRollback(tj.store.readRun(denied.runId)).changes).toHaveLength(0);

    dir.failWrite(2, 'access-denied');
    const partway = await applyPlan(dir, plan, tj.store);
    expect(partway.exitCode).toBe(5);
    expect(partway.counts).toMatchObject({ applied: 1, failed: 1 });
  });

  it('a directory that is unreachable from the start exits 4 after journaling the failed read', async () => {
    const dir = estate(['A']);
    const plan = selfWritePlan(dir, ['A']);
    dir.disconnect();
    const result = await applyPlan(dir, plan, tj.store);
    expect(result.exitCode).toBe(4);
    expect(tj.store.readRun(result.runId).changes[0]!.history.at(-1)).toMatchObject({ state: 'failed', phase: 'read' });
  });
});

describe('applyPlan: attribute and entry changes', () => {
  const gpo1 = `[LDAP://cn={11111111-1111-1111-1111-111111111111},cn=policies,cn=system,${BASE};0]`;
  const gpo2 = `[LDAP://cn={22222222-2222-2222-2222-222222222222},cn=policies,cn=system,${BASE};0]`;

  it('writes an attribute change as one modify that deletes the exact old value and adds the new one', async () => {
    const dir = estate(['A']);
    dir.set(ouDn('A'), 'gPLink', [gpo1]);
    const plan = createPlan('cutover', [replaceValues({ dn: ouDn('A'), attribute: 'gPLink', reason: 'link the Windows LAPS GPO', before: [gpo1], values: [gpo2 + gpo1] })]);
    const r = await applyPlan(dir, plan, tj.store);
    expect(r.exitCode).toBe(0);
    expect(dir.writes[0]!.changes).toEqual([
      { operation: 'delete', attribute: 'gPLink', values: [gpo1] },
      { operation: 'add', attribute: 'gPLink', values: [gpo2 + gpo1] },
    ]);
    expect(dir.get(ouDn('A'), 'gPLink')).toEqual([gpo2 + gpo1]);
  });

  it('a change made between the re-read and the write makes the conditional modify fail: conflict, nothing overwritten', async () => {
    const dir = estate(['A']);
    dir.set(ouDn('A'), 'gPLink', [gpo1]);
    const plan = createPlan('cutover', [replaceValues({ dn: ouDn('A'), attribute: 'gPLink', reason: 'link', before: [gpo1], values: [gpo2] })]);
    const someoneElse = '[LDAP://cn={33333333-3333-3333-3333-333333333333},cn=policies,cn=system,DC=memory,DC=test;0]';
    dir.onBeforeWrite(() => dir.set(ouDn('A'), 'gPLink', [someoneElse]));
    const r = await applyPlan(dir, plan, tj.store);
    expect(r.exitCode).toBe(5);
    expect(r.stoppedAt?.state).toBe('conflict');
    expect(dir.get(ouDn('A'), 'gPLink')).toEqual([someoneElse]);
    expect(dir.writes).toHaveLength(0);
    const rc = tj.store.readRun(r.runId).changes[0]!;
    expect(rc.state).toBe('conflict');
    expect(rc.error?.ldapCode).toBe(16);
    // the server refused the write: rollback has nothing to undo
    expect(planRollback(tj.store.readRun(r.runId)).changes).toHaveLength(0);
  });

  it('when the concurrent change is exactly the planned one, the change counts as already done', async () => {
    const dir = estate(['A']);
    dir.set(ouDn('A'), 'gPLink', [gpo1]);
    const plan = createPlan('cutover', [replaceValues({ dn: ouDn('A'), attribute: 'gPLink', reason: 'link', before: [gpo1], values: [gpo2] })]);
    dir.onBeforeWrite(() => dir.set(ouDn('A'), 'gPLink', [gpo2]));
    const r = await applyPlan(dir, plan, tj.store);
    expect(r.exitCode).toBe(0);
    expect(r.counts.alreadyDone).toBe(1);
    expect(tj.store.readRun(r.runId).changes[0]!.history.at(-1)?.note).toMatch(/someone else/);
  });

  it('adding values is done once the values are there, even if other values changed; replace must match exactly', async () => {
    const dir = estate(['A']);
    dir.set(ouDn('A'), 'description', ['one']);
    const add = createPlan('x', [addValues({ dn: ouDn('A'), attribute: 'description', reason: 'r', before: ['one'], values: ['two'] })]);
    expect((await applyPlan(dir, add, tj.store)).counts.applied).toBe(1);
    dir.set(ouDn('A'), 'description', ['one', 'two', 'three']);
    expect((await applyPlan(dir, add, tj.store)).counts.alreadyDone).toBe(1);

    const replace = createPlan('x', [replaceValues({ dn: ouDn('A'), attribute: 'description', reason: 'r', before: ['one', 'two'], values: ['only'] })]);
    const r = await applyPlan(dir, replace, tj.store);
    expect(r.counts.conflicts).toBe(1);
    expect(dir.get(ouDn('A'), 'description')).toEqual(['one', 'two', 'three']);
  });

  it('adds an entry once, refuses a different existing entry, and rolls the addition back', async () => {
    const dir = estate([]);
    const dn = `OU=LAPS Staging,${BASE}`;
    const plan = createPlan('inventory', [addEntry({ dn, reason: 'staging OU', attributes: { objectClass: ['top', 'organizationalUnit'], ou: ['LAPS Staging'] } })]);
    const r1 = await applyPlan(dir, plan, tj.store);
    expect(r1.counts.applied).toBe(1);
    expect(dir.has(dn)).toBe(true);
    expect((await applyPlan(dir, plan, tj.store)).counts.alreadyDone).toBe(1);

    const other = createPlan('inventory', [addEntry({ dn, reason: 'x', attributes: { objectClass: ['top', 'container'] } })]);
    expect((await applyPlan(dir, other, tj.store)).counts.conflicts).toBe(1);

    const undo = planRollback(tj.store.readRun(r1.runId));
    expect(undo.changes[0]).toMatchObject({ kind: 'delete-entry', dn, irreversible: false });
    expect((await applyPlan(dir, undo, tj.store)).exitCode).toBe(0);
    expect(dir.has(dn)).toBe(false);
  });
});

describe('applyPlan: irreversible changes', () => {
  function clearLegacyPlan(): { dir: ReturnType<typeof estate>; plan: ReturnType<typeof createPlan>; pc: string } {
    const dir = estate(['A']);
    const pc = `CN=PC1,${ouDn('A')}`;
    dir.seed(pc, { objectClass: ['top', 'computer'], 'ms-Mcs-AdmPwd': ['Legacy-Pw-123!'] });
    const plan = createPlan('cleanup', [
      replaceValues({ dn: ouDn('A'), attribute: 'description', reason: 'note', before: [], values: ['migrated'] }),
      deleteValues({ dn: pc, attribute: 'ms-Mcs-AdmPwd', reason: 'clear the legacy password', before: ['Legacy-Pw-123!'] }),
    ]);
    return { dir, plan, pc };
  }

  it('refuses (exit 2) without confirmation and writes nothing, not even a run', async () => {
    const { dir, plan } = clearLegacyPlan();
    expect(plan.changes[1]!.irreversible).toBe(true);
    const err = await applyPlan(dir, plan, tj.store).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).reason).toBe('IRREVERSIBLE_NOT_CONFIRMED');
    expect(dir.writeAttempts).toBe(0);
    expect(tj.store.listRuns().runs).toHaveLength(0);
  });

  it('asks the prompt about the irreversible changes only; "no" writes nothing, "yes" applies', async () => {
    const { dir, plan, pc } = clearLegacyPlan();
    const asked: string[][] = [];
    await expect(
      applyPlan(dir, plan, tj.store, {
        confirmIrreversible: async (cs) => {
          asked.push(cs.map((c) => c.id));
          return false;
        },
      }),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(asked).toEqual([['c2']]);
    expect(dir.writeAttempts).toBe(0);

    const ok = await applyPlan(dir, plan, tj.store, { confirmIrreversible: async () => true });
    expect(ok.exitCode).toBe(0);
    expect(dir.get(pc, 'ms-Mcs-AdmPwd')).toBeUndefined();
    // the conditional delete named the exact old value
    expect(dir.writes[1]!.changes).toEqual([{ operation: 'delete', attribute: 'ms-Mcs-AdmPwd', values: ['Legacy-Pw-123!'] }]);
    // and rollback cannot bring it back
    const undo = planRollback(tj.store.readRun(ok.runId));
    expect(undo.skipped).toEqual([{ changeId: 'c2', dn: pc, reason: 'irreversible' }]);
    expect(undo.changes.map((c) => c.id)).toEqual(['undo-c1']);
  });

  it('a password rotated between the re-read and the clearing makes the delete fail: conflict, the new password stays', async () => {
    const { dir, plan, pc } = clearLegacyPlan();
    dir.onBeforeWrite((w) => {
      if (w.dn === pc) dir.set(pc, 'ms-Mcs-AdmPwd', ['Rotated-Pw-456!']);
    });
    const r = await applyPlan(dir, plan, tj.store, { confirmIrreversible: true });
    expect(r.exitCode).toBe(5);
    expect(r.stoppedAt).toMatchObject({ changeId: 'c2', state: 'conflict' });
    expect(dir.get(pc, 'ms-Mcs-AdmPwd')).toEqual(['Rotated-Pw-456!']);
  });

  it('a DACL change can be marked irreversible too', async () => {
    const dir = estate(['A']);
    const plan = createPlan('x', [replaceDacl({ dn: ouDn('A'), reason: 'r', before: dir.descriptor(ouDn('A')), after: ouDescriptor([SELF_WRITE]), irreversible: true })]);
    await expect(applyPlan(dir, plan, tj.store)).rejects.toMatchObject({ reason: 'IRREVERSIBLE_NOT_CONFIRMED' });
    expect((await applyPlan(dir, plan, tj.store, { confirmIrreversible: true })).exitCode).toBe(0);
  });
});

describe('applyPlan: progress', () => {
  it('reports each state change, and a throwing progress callback does not break the apply', async () => {
    const dir = estate(['A']);
    const states: string[] = [];
    const r = await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store, {
      onProgress: (p) => {
        states.push(`${p.index}/${p.total}:${p.state}`);
        throw new Error('display broke');
      },
    });
    expect(r.exitCode).toBe(0);
    expect(states).toEqual(['0/1:reading', '0/1:writing', '0/1:applied', '0/1:verified']);
  });

  it('keeps DACL-only descriptors intact end to end (inherited ACEs stay as read)', async () => {
    const dir = estate(['A']);
    const before = dir.descriptor(ouDn('A'));
    const after = daclDescriptor([...parseTestDescriptor(before).aces.slice(0, 2), SELF_WRITE, ...parseTestDescriptor(before).aces.slice(2)]);
    const plan = createPlan('permissions', [replaceDacl({ dn: ouDn('A'), reason: 'SELF write', before, after })]);
    await applyPlan(dir, plan, tj.store);
    expect(parseTestDescriptor(dir.descriptor(ouDn('A'))).aces.filter((a) => a.flags & 0x10)).toHaveLength(2);
  });
});
