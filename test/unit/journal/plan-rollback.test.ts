import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { addValues, createPlan, replaceDacl, replaceValues } from '../../../src/journal/change.js';
import { planRollback } from '../../../src/journal/plan-rollback.js';
import { buildRunRecord } from '../../../src/journal/run-record.js';
import type { RunRecordLine } from '../../../src/journal/journal-records.js';
import { renderPlan } from '../../../src/journal/render-plan.js';
import { BASE, estate, ouDn, selfWriteDrafts, selfWritePlan, SELF_WRITE, tempJournal, type TempJournal } from './helpers.js';
import { describeTestDescriptor, ouDescriptor } from './sd-bytes.js';

let tj: TempJournal;
beforeEach(() => {
  tj = tempJournal();
});
afterEach(() => tj.cleanup());

describe('planRollback', () => {
  it('plans the inverse of every written change in reverse order, and restores descriptors and values', async () => {
    const dir = estate(['A', 'B']);
    dir.set(ouDn('A'), 'description', ['old']);
    const origA = dir.descriptor(ouDn('A'));
    const origB = dir.descriptor(ouDn('B'));
    const plan = createPlan('permissions', [
      ...selfWriteDrafts(dir, ['A', 'B']),
      replaceValues({ dn: ouDn('A'), attribute: 'description', reason: 'mark', before: ['old'], values: ['new'] }),
      addValues({ dn: ouDn('B'), attribute: 'description', reason: 'note', before: [], values: ['n1', 'n2'] }),
    ]);
    const r = await applyPlan(dir, plan, tj.store);
    expect(r.exitCode).toBe(0);

    const rb = planRollback(tj.store.readRun(r.runId));
    expect(rb.rollbackOf).toBe(r.runId);
    expect(rb.step).toBe('rollback');
    expect(rb.changes.map((c) => c.id)).toEqual(['undo-c4', 'undo-c3', 'undo-c2', 'undo-c1']);
    expect(rb.changes[0]).toMatchObject({ kind: 'modify-attribute', operation: 'delete', before: ['n1', 'n2'], after: [] });
    expect(rb.changes[1]).toMatchObject({ kind: 'modify-attribute', operation: 'replace', before: ['new'], after: ['old'] });
    expect(rb.changes.every((c) => !c.irreversible && c.reason.startsWith(`undo ${r.runId}`))).toBe(true);

    const undo = await applyPlan(dir, rb, tj.store);
    expect(undo.exitCode).toBe(0);
    expect(dir.descriptor(ouDn('A')).equals(origA)).toBe(true);
    expect(dir.descriptor(ouDn('B')).equals(origB)).toBe(true);
    expect(dir.get(ouDn('A'), 'description')).toEqual(['old']);
    expect(dir.get(ouDn('B'), 'description')).toBeUndefined();
    const undoRun = tj.store.readRun(undo.runId);
    expect(undoRun.kind).toBe('rollback');
    expect(undoRun.rollbackOf).toBe(r.runId);
    expect(tj.store.listRuns().runs.map((s) => s.kind)).toEqual(['apply', 'rollback']);

    // rolling back twice is harmless: everything is already as before
    const again = await applyPlan(dir, planRollback(tj.store.readRun(r.runId)), tj.store);
    expect(again.counts.alreadyDone).toBe(4);
  });

  it('does not overwrite a DACL changed after the apply: the rollback stops with a conflict', async () => {
    const dir = estate(['A']);
    const r = await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store);
    const later = ouDescriptor([SELF_WRITE, { type: 1, flags: 0, mask: 0x10, sid: 'S-1-1-0' }]);
    dir.setDescriptor(ouDn('A'), later);
    const undo = await applyPlan(dir, planRollback(tj.store.readRun(r.runId)), tj.store);
    expect(undo.exitCode).toBe(5);
    expect(undo.stoppedAt?.state).toBe('conflict');
    expect(dir.descriptor(ouDn('A')).equals(later)).toBe(true);
  });

  it('restores the bytes read just before the write even if the plan\'s before-state was built differently', async () => {
    const dir = estate(['A']);
    const asRead = dir.descriptor(ouDn('A'));
    // a caller-supplied equality that ignores the control field: the plan's before differs in that field
    const planned = Buffer.from(asRead);
    planned.writeUInt16LE(0x8004, 2);
    const plan = createPlan('p', [replaceDacl({ dn: ouDn('A'), reason: 'r', before: planned, after: ouDescriptor([SELF_WRITE]) })]);
    const eq = (a: Buffer, b: Buffer): boolean => a.subarray(4).equals(b.subarray(4));
    const r = await applyPlan(dir, plan, tj.store, { descriptorsEqual: eq });
    expect(r.exitCode).toBe(0);
    const rb = planRollback(tj.store.readRun(r.runId));
    expect(rb.changes[0]!.kind === 'replace-dacl' && rb.changes[0]!.after.equals(asRead)).toBe(true);
    await applyPlan(dir, rb, tj.store);
    expect(dir.descriptor(ouDn('A')).equals(asRead)).toBe(true);
  });

  it('includes a change left "in doubt" by a killed process and re-reads before touching it', () => {
    const sd1 = ouDescriptor();
    const sd2 = ouDescriptor([SELF_WRITE]);
    const change = {
      id: 'c1',
      kind: 'replace-dacl' as const,
      dn: ouDn('A'),
      step: 'permissions',
      reason: 'r',
      irreversible: false,
      secret: false,
      sdFlags: 4,
      before: sd1.toString('base64'),
      after: sd2.toString('base64'),
    };
    const at = '2025-01-01T00:00:00.000Z';
    const lines: RunRecordLine[] = [
      { journal: 1, type: 'run-start', at, runId: 'r1', kind: 'apply', step: 'permissions', who: { dn: 'x' }, server: 's', options: {}, toolVersion: '0', pid: 1 },
      { journal: 1, type: 'plan', at, runId: 'r1', createdAt: at, changes: [change, { ...change, id: 'c2', dn: ouDn('B') }] },
      { journal: 1, type: 'change', at, runId: 'r1', changeId: 'c1', state: 'writing', beforeImage: { descriptor: sd1.toString('base64') } },
    ];
    const run = buildRunRecord(lines);
    expect(run.status).toBe('incomplete');
    expect(run.changes.map((c) => c.state)).toEqual(['writing', 'planned']);
    const rb = planRollback(run);
    expect(rb.notWritten).toBe(1);
    expect(rb.changes).toHaveLength(1);
    const undo = rb.changes[0]!;
    expect(undo.kind === 'replace-dacl' && undo.before.equals(sd2) && undo.after.equals(sd1)).toBe(true);
  });

  it('lists written changes it cannot undo: irreversible ones and ones whose values are secret', () => {
    const at = '2025-01-01T00:00:00.000Z';
    const secretChange = {
      id: 'c1',
      kind: 'modify-attribute' as const,
      dn: `CN=PC1,${BASE}`,
      step: 's',
      reason: 'r',
      irreversible: false,
      secret: true,
      attribute: 'msLAPS-Password',
      operation: 'delete' as const,
      binary: false,
      match: 'exact' as const,
      before: { redacted: true as const, present: true, count: 1, lengths: [40] },
      after: { redacted: true as const, present: false, count: 0, lengths: [] },
    };
    const run = buildRunRecord([
      { journal: 1, type: 'run-start', at, runId: 'r1', kind: 'apply', step: 's', who: { dn: 'x' }, server: 's', options: {}, toolVersion: '0', pid: 1 },
      { journal: 1, type: 'plan', at, runId: 'r1', createdAt: at, changes: [secretChange, { ...secretChange, id: 'c2', irreversible: true }] },
      { journal: 1, type: 'change', at, runId: 'r1', changeId: 'c1', state: 'writing' },
      { journal: 1, type: 'change', at, runId: 'r1', changeId: 'c1', state: 'verified' },
      { journal: 1, type: 'change', at, runId: 'r1', changeId: 'c2', state: 'writing' },
      { journal: 1, type: 'change', at, runId: 'r1', changeId: 'c2', state: 'verified' },
    ]);
    const rb = planRollback(run);
    expect(rb.changes).toHaveLength(0);
    expect(rb.skipped).toEqual([
      { changeId: 'c2', dn: `CN=PC1,${BASE}`, reason: 'irreversible' },
      { changeId: 'c1', dn: `CN=PC1,${BASE}`, reason: 'its values are secret and were not journaled' },
    ]);
  });

  it('renders as a rollback plan with the ACEs it takes away', async () => {
    const dir = estate(['A']);
    const r = await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store);
    const text = renderPlan(planRollback(tj.store.readRun(r.runId)), { describeDescriptor: describeTestDescriptor });
    expect(text).toContain(`Rollback of run ${r.runId}: 1 change`);
    expect(text).toContain('[undo-c1] replace DACL of OU=A,DC=memory,DC=test');
    expect(text).toContain('- (A;CI;0x20;;;S-1-5-10)');
    expect(text).not.toContain('+ (');
  });
});
