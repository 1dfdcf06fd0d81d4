/**
 * The rehearsal loop's decisions (scripts/migration-loop.mjs), without a lab: when the migration
 * counts as complete, when the cutover waits only for a soak, which waves cleanup restarted, and
 * the playbook copy the demo and the end-to-end test write.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rehearsalPlaybook, restartedWaves, standing, type StepRunResult, type WaveState } from '../../../scripts/migration-loop.mjs';

const wave = (name: string, startedAt: string | null, states: string[], gate: Partial<WaveState['gate']> = {}): WaveState => ({
  name,
  gpo: `GPO ${name}`,
  ous: [],
  startedAt,
  counts: {},
  gate: { met: false, unmet: [], soakDays: 0, ...gate },
  computers: states.map((state, i) => ({ name: `${name}-${i}`, dn: `CN=${name}-${i},DC=x`, state: state as WaveState['computers'][number]['state'], reasons: [], leftBehind: null })),
});

const cutover = (waves: WaveState[], verdict = 'ready', findings: Array<{ code: string; severity: string; message: string; evidence?: string }> = []): StepRunResult => ({ step: 'cutover', verdict, exitCode: 0, result: { findings, data: { waves } } });

describe('standing', () => {
  const listed = ['inventory', 'cutover', 'cleanup'];
  const done = [wave('pilot', '2026-01-01T00:00:00Z', ['verified']), wave('broad', '2026-01-02T00:00:00Z', ['verified', 'left-behind'])];

  it('is complete only when nothing changed, every wave started and verified, and cleanup ran', () => {
    const ready = [{ step: 'inventory', verdict: 'ready', exitCode: 0 }, cutover(done), { step: 'cleanup', verdict: 'ready', exitCode: 0 }];
    expect(standing(ready, listed).complete).toBe(true);
    expect(standing([ready[0]!, ready[1]!, { ...ready[2]!, verdict: 'changed' }], listed)).toMatchObject({ complete: false, changed: ['cleanup'] });
    expect(standing([ready[0]!, ready[1]!], listed).complete).toBe(false);
    expect(standing([ready[0]!, ready[1]!], ['inventory', 'cutover']).complete).toBe(true);
    expect(standing([ready[0]!, cutover([done[0]!, wave('broad', null, ['pending'])]), ready[2]!], listed).complete).toBe(false);
  });

  it('names the soaking wave only when its soak is all its gate misses', () => {
    const waiting = { code: 'CUTOVER_WAITING', severity: 'info', message: 'Waiting for wave pilot', evidence: 'soaking until tomorrow' };
    const soaking = standing([cutover([wave('pilot', 't', ['verified'], { unmet: ['soaking until tomorrow (1 days from the start)'] }), wave('broad', null, ['pending'])], 'ready', [waiting])], ['cutover']);
    expect(soaking).toMatchObject({ soakingWave: 'pilot', waiting: 'Waiting for wave pilot (soaking until tomorrow)', complete: false });
    const short = standing([cutover([wave('pilot', 't', ['verified', 'pending'], { unmet: ['1 of 2 verified (50%)', 'soaking until tomorrow'] })], 'ready', [waiting])], ['cutover']);
    expect(short.soakingWave).toBeUndefined();
  });
});

describe('restartedWaves', () => {
  it('reports computers verified before that are pending again because their wave starts later', () => {
    const verified = new Map<string, string | null>();
    expect(restartedWaves([wave('broad', '2026-01-02T00:00:00Z', ['verified', 'verified', 'left-behind'])], verified)).toEqual([]);
    const r = restartedWaves([wave('broad', '2026-01-03T00:00:00Z', ['pending', 'verified', 'left-behind'])], verified);
    expect(r).toEqual([{ wave: 'broad', from: '2026-01-02T00:00:00Z', to: '2026-01-03T00:00:00Z', computers: ['broad-0'] }]);
    // pending again without a later start is not a restart (the test harness fails on it)
    expect(restartedWaves([wave('broad', '2026-01-03T00:00:00Z', ['failed', 'verified'])], verified)).toEqual([]);
  });
});

describe('rehearsalPlaybook', () => {
  it('sets the soak and drops steps this build lacks, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'laps-migrate-loop-'));
    const src = join(dir, 'p.yaml');
    writeFileSync(src, 'version: 1\nsteps: [inventory, cutover, cleanup]\nwaves:\n  - name: pilot\n    gates: { minVerifiedPercent: 95, soakDays: 1 }\n');
    const r = rehearsalPlaybook(src, join(dir, 'copy.yaml'), { soakDays: 0, built: ['inventory', 'cutover'] });
    expect(r).toEqual({ steps: ['inventory', 'cutover'], missing: ['cleanup'], changed: ['soakDays: 0', 'without cleanup (not built yet)'] });
    expect(readFileSync(join(dir, 'copy.yaml'), 'utf8')).toBe('version: 1\nsteps: [inventory, cutover]\nwaves:\n  - name: pilot\n    gates: { minVerifiedPercent: 95, soakDays: 0 }\n');
  });
});
