/**
 * Legacy password presence from the disagreement search (inventory/presence.ts) gives, for every
 * computer, the same answer as the positive search ((ms-Mcs-AdmPwd=*)), in all four states of
 * password and expiration time, as the admin (who sees the passwords) and as a plain user (who
 * does not: presence unknown either way). Values are never read: both are filter-only searches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnKey } from '../../src/directory/dn.js';
import { firstString } from '../../src/directory/entry.js';
import type { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { positivePresence, presenceOfLegacy } from '../../src/steps/inventory/presence.js';
import { connectAs, lab, resetLab } from './lab-env.js';
import { integer8 } from './windows-laps-fixture.js';

const PWD = 'ms-Mcs-AdmPwd';
const EXP = 'ms-Mcs-AdmPwdExpirationTime';

/** `sample`: the probe's computers (with an expiration time and, for the admin, a visible password: the disagreement path). */
async function compare(dir: LdapDirectory, sample: string[]): Promise<{ computers: number; present: number; visible: boolean }> {
  const m = lab();
  const all = await dir.searchAll({ base: m.baseDn, filter: '(objectCategory=computer)', attributes: [EXP] });
  const positive = await positivePresence(dir, m.baseDn, PWD);
  const disagreement = await presenceOfLegacy(dir, m.baseDn, PWD, EXP, Promise.resolve(sample));
  let present = 0;
  for (const e of all) {
    const expSet = firstString(e, EXP) !== undefined;
    const p = positive.of(dnKey(e.dn), expSet);
    expect(disagreement.of(dnKey(e.dn), expSet), e.dn).toBe(p);
    if (p) present++;
  }
  expect(disagreement.visible).toBe(positive.visible);
  return { computers: all.length, present, visible: positive.visible };
}

describe('legacy password presence: one disagreement search, the same answers as the positive search', () => {
  let admin: LdapDirectory;
  let a: string;
  beforeAll(async () => {
    const m = lab();
    admin = await connectAs('admin');
    const [first, b, c, d] = m.computers.slice(0, 4).map((x) => x.dn);
    a = first!;
    const exp = integer8(new Date(Date.now() + 10 * 86_400_000));
    // a: password and expiration; b: password only; c: expiration only; d: neither
    await admin.modify(a, [{ operation: 'replace', attribute: PWD, values: ['presence-test-a'] }, { operation: 'replace', attribute: EXP, values: [exp] }]);
    await admin.modify(b!, [{ operation: 'replace', attribute: PWD, values: ['presence-test-b'] }, { operation: 'replace', attribute: EXP, values: [] }]);
    await admin.modify(c!, [{ operation: 'replace', attribute: PWD, values: [] }, { operation: 'replace', attribute: EXP, values: [exp] }]);
    await admin.modify(d!, [{ operation: 'replace', attribute: PWD, values: [] }, { operation: 'replace', attribute: EXP, values: [] }]);
  });
  afterAll(async () => {
    await admin?.close();
    await resetLab();
  });

  it('as the admin: every computer, all four states', async () => {
    const r = await compare(admin, [a]);
    expect(r.visible).toBe(true);
    expect(r.present).toBeGreaterThanOrEqual(2);
    expect(r.computers).toBeGreaterThanOrEqual(4);
  });

  it('as a plain user: nothing visible, unknown for every computer either way', async () => {
    const user = await connectAs('user');
    try {
      const r = await compare(user, [a]);
      expect(r.visible).toBe(false);
      expect(r.present).toBe(0);
    } finally {
      await user.close();
    }
  });
});
