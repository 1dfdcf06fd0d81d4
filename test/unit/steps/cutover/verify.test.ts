/** Per-computer verdicts and gates of a cutover wave, on plain data (issue 17). */
import { describe, expect, it } from 'vitest';
import { newRootKey } from '../../../../src/dpapi-ng/new-root-key.js';
import { encryptLapsValue } from '../../../../src/laps/encrypt-laps-value.js';
import { blobSid, countStates, evaluateGate, verifyComputer, type WaveComputer, type WaveExpectation } from '../../../../src/steps/cutover/verify.js';

const ADMINS = 'S-1-5-21-1-2-3-1105';
const OLD = 'S-1-5-21-1-2-3-512';
const rootKey = newRootKey({});
const start = new Date('2026-11-01T10:00:00Z');
const now = new Date('2026-11-01T12:00:00Z');
const later = (min: number) => new Date(start.getTime() + min * 60_000);
const blob = (sid: string, accountName = 'Administrator') => encryptLapsValue({ accountName, password: 'not-a-real-one-1!' }, { rootKey, sid, time: later(5) });

const expect1: WaveExpectation = { startedAt: start, encryption: true, principalSid: ADMINS, historySize: 2, accountName: '', graceDays: 7, now };

function pc(over: Partial<WaveComputer> = {}): WaveComputer {
  return { dn: 'CN=PC1,OU=Pilot,DC=lab', name: 'PC1', build: 22631, windows: true, enabled: true, stale: false, writes: {}, clearPresent: false, history: [], ...over };
}

describe('verifyComputer', () => {
  it('verified: encrypted to the principal after the start and after the last legacy write', () => {
    const v = verifyComputer(pc({ writes: { encrypted: later(10), legacy: later(-60) }, encrypted: blob(ADMINS), history: [blob(ADMINS)] }), expect1);
    expect(v).toMatchObject({ state: 'verified', reasons: [], drift: [] });
  });

  it('reads the SID from the blob without a key', () => {
    expect(blobSid(blob(ADMINS))).toBe(ADMINS);
  });

  it('pending before the device rotates, stuck past expiry plus grace', () => {
    const c = pc({ writes: { legacy: later(-600) }, expiresAt: later(60 * 24) });
    expect(verifyComputer(c, expect1).state).toBe('pending');
    const v = verifyComputer(c, { ...expect1, now: new Date(start.getTime() + 9 * 86_400_000) });
    expect(v.state).toBe('stuck');
    expect(v.reasons[0]).toMatch(/past its expiry plus 7 days/);
  });

  it('pending while the wave has not started', () => {
    expect(verifyComputer(pc(), { ...expect1, startedAt: undefined })).toMatchObject({ state: 'pending', reasons: ['the wave has not started'] });
  });

  it('a write in the second the wave started counts (replication metadata has whole seconds)', () => {
    expect(verifyComputer(pc({ writes: { encrypted: start }, encrypted: blob(ADMINS) }), expect1).state).toBe('verified');
  });

  it('a native write older than the wave start or than a legacy write does not count', () => {
    expect(verifyComputer(pc({ writes: { encrypted: later(-5) }, encrypted: blob(ADMINS) }), expect1).state).toBe('pending');
    const v = verifyComputer(pc({ writes: { encrypted: later(10), legacy: later(20) }, encrypted: blob(ADMINS) }), expect1);
    expect(v.state).toBe('pending');
    expect(v.reasons.join(' ')).toMatch(/legacy password was written after the wave started/);
  });

  it('failed: known obstacle (missing permission) with nothing written', () => {
    const v = verifyComputer(pc({ obstacles: ['no SELF write on msLAPS-* for OU=Pilot (events 10017)'] }), expect1);
    expect(v).toMatchObject({ state: 'failed', reasons: ['no SELF write on msLAPS-* for OU=Pilot (events 10017)'] });
  });

  it('failed: clear text written where encryption is asked for', () => {
    const v = verifyComputer(pc({ writes: { clear: later(5) }, clearPresent: true }), expect1);
    expect(v.state).toBe('failed');
    expect(v.reasons[0]).toMatch(/clear-text msLAPS-Password was written/);
  });

  it('failed: clear copy left, wrong principal (drift), history over size, bad decrypt, wrong account', () => {
    const v = verifyComputer(
      pc({ writes: { encrypted: later(10) }, encrypted: blob(OLD), clearPresent: true, history: [blob(ADMINS), blob(ADMINS), blob(OLD)], decrypted: { ok: true, accountName: 'Other' } }),
      { ...expect1, accountName: 'LapsAdmin' },
    );
    expect(v.state).toBe('failed');
    expect(v.reasons).toEqual([
      'msLAPS-Password (clear text) is still present next to the encrypted password',
      `encrypted to ${OLD}, not to the expected principal ${ADMINS}`,
      'history holds 3 entries, more than the configured 2',
      'the password is for account "Other", the policy manages "LapsAdmin"',
    ]);
    expect(v.drift.map((d) => d.kind)).toEqual(['current-principal', 'history-size', 'history-principal']);
    expect(v.drift[2]!.detail).toBe(OLD);
  });

  it('history to an old principal is drift but not a failure', () => {
    const v = verifyComputer(pc({ writes: { encrypted: later(10) }, encrypted: blob(ADMINS), history: [blob(OLD)] }), expect1);
    expect(v.state).toBe('verified');
    expect(v.drift).toEqual([{ computer: 'PC1', kind: 'history-principal', detail: OLD }]);
  });

  it('a garbled blob is a failure with the parser reason, never a throw', () => {
    const v = verifyComputer(pc({ writes: { encrypted: later(10) }, encrypted: Buffer.from('garbage!garbage!garbage') }), expect1);
    expect(v.state).toBe('failed');
    expect(v.reasons[0]).toMatch(/does not parse/);
  });

  it('a failed decryption is a failure', () => {
    const v = verifyComputer(pc({ writes: { encrypted: later(10) }, encrypted: blob(ADMINS), decrypted: { ok: false, error: 'root key not found' } }), expect1);
    expect(v).toMatchObject({ state: 'failed', reasons: ['the current encrypted password fails the payload check: root key not found'] });
  });

  it('clear-text policy: verified on msLAPS-Password written after the start', () => {
    const x = { ...expect1, encryption: false, historySize: 0 };
    expect(verifyComputer(pc({ writes: { clear: later(3) }, clearPresent: true }), x).state).toBe('verified');
    expect(verifyComputer(pc({ writes: { encrypted: later(3) } }), x).state).toBe('failed');
  });

  it('left-behind: Server 2016, non-Windows, disabled, stale, each with its reason', () => {
    expect(verifyComputer(pc({ build: 14393 }), expect1)).toMatchObject({ state: 'left-behind', leftBehind: 'unsupported-build' });
    expect(verifyComputer(pc({ build: undefined, windows: false }), expect1)).toMatchObject({ state: 'left-behind', leftBehind: 'not-windows' });
    expect(verifyComputer(pc({ enabled: false }), expect1)).toMatchObject({ state: 'left-behind', leftBehind: 'disabled' });
    expect(verifyComputer(pc({ stale: true }), expect1)).toMatchObject({ state: 'left-behind', leftBehind: 'stale' });
  });
});

describe('evaluateGate', () => {
  const gates = { minVerifiedPercent: 95, maxFailures: 2, soakDays: 1 };
  const counts = (verified: number, pending: number, failed: number, stuck: number, leftBehind: number) => ({ verified, pending, failed, stuck, 'left-behind': leftBehind });

  it('percentage over computers expected to migrate (left-behind excluded); soak from the start', () => {
    const soaked = new Date(start.getTime() + 86_400_000);
    const g = evaluateGate(counts(19, 0, 1, 0, 5), gates, start, soaked);
    expect(g).toMatchObject({ met: true, verifiedPercent: 95, expected: 20, failures: 1, unmet: [] });
    const early = evaluateGate(counts(19, 0, 1, 0, 5), gates, start, now);
    expect(early.met).toBe(false);
    expect(early.unmet).toEqual(['soaking until 2026-11-02T10:00:00.000Z (1 days from the start)']);
  });

  it('failed and stuck count against maxFailures; a low percentage is unmet', () => {
    const soaked = new Date(start.getTime() + 2 * 86_400_000);
    const g = evaluateGate(counts(10, 5, 2, 1, 0), gates, start, soaked);
    expect(g.met).toBe(false);
    expect(g.unmet).toEqual(['10 of 18 verified (55.5%), the gate needs 95%', '3 failed or stuck, the gate allows 2']);
  });

  it('a wave that has not started never meets its gate; an empty wave is 100%', () => {
    expect(evaluateGate(counts(0, 0, 0, 0, 3), gates, undefined, now)).toMatchObject({ met: false, verifiedPercent: 100, unmet: ['the wave has not started'] });
  });

  it('countStates counts each verdict once', () => {
    const vs = [verifyComputer(pc({ build: 14393 }), expect1), verifyComputer(pc(), expect1)];
    expect(countStates(vs)).toEqual(counts(0, 1, 0, 0, 1));
  });
});
