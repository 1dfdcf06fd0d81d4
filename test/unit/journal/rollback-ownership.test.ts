/**
 * Rollback undoes only what its own run wrote (issue 21), and an interrupt ends a run cleanly:
 * the journal engine against the in-memory directory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { createPlan, replaceDacl } from '../../../src/journal/change.js';
import { planRollback } from '../../../src/journal/plan-rollback.js';
import type { RunRecord } from '../../../src/journal/run-record.js';
import { estate, ouDn, SELF_WRITE, selfWritePlan, tempJournal, type TempJournal } from './helpers.js';
import { ouDescriptor } from './sd-bytes.js';

let tj: TempJournal;
beforeEach(() => {
  tj = tempJournal();
});
afterEach(() => tj.cleanup());

function allRuns(): RunRecord[] {
  return tj.store.listRuns().runs.map((r) => tj.store.readRun(r.runId));
}

const OTHER = { type: 0, flags: 0x02, mask: 0x10, sid: 'S-1-5-21-1-2-3-1200' };

describe('rollback ownership', () => {
  it('a write lost with the connection that a later run made: skipped with a note naming that run; the rest is undone', async () => {
    const dir = estate(['A', 'B']);
    const plan = selfWritePlan(dir, ['A', 'B']);
    dir.failWrite(2, 'connection');
    const first = await applyPlan(dir, plan, tj.store);
    expect(first.outcomes.map((o) => o.state)).toEqual(['verified', 'failed']);
    expect(first.counts).toMatchObject({ inDoubt: 1, failed: 0 });
    dir.reconnect();
    const second = await applyPlan(dir, plan, tj.store);
    expect(second.outcomes.map((o) => o.state)).toEqual(['already-done', 'verified']);

    const rb = planRollback(tj.store.readRun(first.runId), { laterRuns: allRuns() });
    expect(rb.changes.map((c) => c.dn)).toEqual([ouDn('A')]);
    expect(rb.blocked).toEqual([]);
    expect(rb.skipped).toHaveLength(1);
    expect(rb.skipped[0]!.reason).toContain(second.runId);
    const undo = await applyPlan(dir, rb, tj.store);
    expect(undo.exitCode).toBe(0);
    expect(dir.descriptor(ouDn('A')).equals(ouDescriptor())).toBe(true);
    // the second run's completed change stays
    expect(dir.descriptor(ouDn('B')).equals(ouDescriptor([SELF_WRITE]))).toBe(true);
    // without the later journal the old behaviour would have reverted B
    expect(planRollback(tj.store.readRun(first.runId)).changes).toHaveLength(2);
  });

  it('a change written again by a later run blocks the rollback (roll back the later run first), then it goes through', async () => {
    const dir = estate(['A']);
    const first = await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store);
    const on = createPlan('permissions', [replaceDacl({ dn: ouDn('A'), reason: 'another grant', before: dir.descriptor(ouDn('A')), after: ouDescriptor([SELF_WRITE, OTHER]) })]);
    const second = await applyPlan(dir, on, tj.store);
    expect(second.exitCode).toBe(0);

    const rb = planRollback(tj.store.readRun(first.runId), { laterRuns: allRuns() });
    expect(rb.changes).toHaveLength(0);
    expect(rb.blocked).toMatchObject([{ dn: ouDn('A'), laterRunId: second.runId }]);

    const undoSecond = await applyPlan(dir, planRollback(tj.store.readRun(second.runId), { laterRuns: allRuns() }), tj.store);
    expect(undoSecond.exitCode).toBe(0);
    const again = planRollback(tj.store.readRun(first.runId), { laterRuns: allRuns() });
    expect(again.blocked).toEqual([]);
    expect((await applyPlan(dir, again, tj.store)).exitCode).toBe(0);
    expect(dir.descriptor(ouDn('A')).equals(ouDescriptor())).toBe(true);
  });

  it('an in-doubt write that did land, with only reads by later runs: still this run\'s, undone', async () => {
    const dir = estate(['A']);
    const plan = selfWritePlan(dir, ['A']);
    dir.failWrite(1, 'lost-response');
    const first = await applyPlan(dir, plan, tj.store);
    expect(first.outcomes[0]).toMatchObject({ state: 'failed', inDoubt: true });
    dir.reconnect();
    const second = await applyPlan(dir, plan, tj.store);
    expect(second.outcomes[0]!.state).toBe('already-done');
    const rb = planRollback(tj.store.readRun(first.runId), { laterRuns: allRuns() });
    expect(rb.changes).toHaveLength(1);
    expect((await applyPlan(dir, rb, tj.store)).counts.applied).toBe(1);
    expect(dir.descriptor(ouDn('A')).equals(ouDescriptor())).toBe(true);
  });
});

describe('interrupts', () => {
  it('an abort between writes ends the run "interrupted" with exit 143 for SIGTERM; a rerun completes', async () => {
    const dir = estate(['A', 'B', 'C']);
    const plan = selfWritePlan(dir, ['A', 'B', 'C']);
    const ac = new AbortController();
    const r = await applyPlan(dir, plan, tj.store, { signal: ac.signal, onProgress: (p) => p.state === 'verified' && p.index === 0 && ac.abort('SIGTERM') });
    expect(r).toMatchObject({ status: 'interrupted', exitCode: 143, interrupted: { signal: 'SIGTERM', inDoubt: [] } });
    expect(r.outcomes.map((o) => o.state)).toEqual(['verified', 'planned', 'planned']);
    const run = tj.store.readRun(r.runId);
    expect(run).toMatchObject({ status: 'interrupted', exitCode: 143, interrupted: { signal: 'SIGTERM', inDoubt: [] } });
    expect(tj.store.listRuns().runs.at(-1)).toMatchObject({ status: 'interrupted', exitCode: 143 });
    const rerun = await applyPlan(dir, plan, tj.store);
    expect(rerun.counts).toMatchObject({ alreadyDone: 1, applied: 2 });
  });

  it('an abort while a write is in flight lets it finish and verify, then stops (exit 130)', async () => {
    const dir = estate(['A', 'B']);
    const ac = new AbortController();
    dir.onBeforeWrite(() => ac.abort('SIGINT'));
    const r = await applyPlan(dir, selfWritePlan(dir, ['A', 'B']), tj.store, { signal: ac.signal });
    expect(r.exitCode).toBe(130);
    expect(r.outcomes.map((o) => o.state)).toEqual(['verified', 'planned']);
    expect(dir.descriptor(ouDn('A')).equals(ouDescriptor([SELF_WRITE]))).toBe(true);
  });
});
