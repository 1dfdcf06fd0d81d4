import { describe, expect, it } from 'vitest';
import { analyzeSchema } from '../../../src/steps/schema-analysis.js';
import { boundDcComputerDn, schemaDrafts } from '../../../src/steps/schema-plan.js';
import { kdsRootKeyAttributes } from '../../../src/directory/kds.js';
import { kdsMasterRootKeysDn, kdsServiceDn } from '../../../src/directory/kds.js';
import { checkApplyPreconditions } from '../../../src/steps/schema.js';
import { createPlan, planToJson, renderPlan, type AddEntryChange, type ModifyAttributeChange } from '../../../src/journal/index.js';
import { lapsExtendedRightEntry, windowsLapsAttributeEntries } from '../../../src/laps/schema-entries.js';
import { newRootKey } from '../../../src/dpapi-ng/new-root-key.js';
import { rootKeyFromDirectoryEntry } from '../../../src/dpapi-ng/root-key.js';
import { encryptLapsValue } from '../../../src/laps/encrypt-laps-value.js';
import { decryptLapsValue } from '../../../src/laps/decrypt-laps-value.js';
import { ExitCode, UserError } from '../../../src/errors.js';
import { readAt, snapshot, type FixtureName } from './schema-fixtures.js';

function planFor(name: FixtureName, withKey = false) {
  const s = snapshot(name);
  const a = analyzeSchema(s, { now: readAt(s) });
  const key = withKey ? newRootKey({ useStartTime: new Date(readAt(s).getTime() + 10 * 3600_000) }) : undefined;
  const d = schemaDrafts(s, a, key ? { kdsRootKey: key } : {}, readAt(s));
  const plan = createPlan('schema', d.drafts.map((x) => x.draft), { createdAt: readAt(s) });
  return { s, a, key, d, plan, phases: d.drafts.map((x) => x.phase) };
}

describe('schema plan', () => {
  it('a fresh forest: the extended right, seven attributes as Update-LapsADSchema creates them, then the computer class', () => {
    const { s, plan, phases } = planFor('fresh-admin');
    expect(plan.changes).toHaveLength(9);
    expect(phases).toEqual([...Array(8).fill('schema-objects'), 'computer-class']);
    expect(plan.changes.every((c) => c.irreversible)).toBe(true);
    const right = plan.changes[0] as AddEntryChange;
    const expectedRight = lapsExtendedRightEntry(s.naming.configurationNamingContext);
    expect(right.dn).toBe(expectedRight.dn);
    expect(right.after).toEqual(expectedRight.attributes);
    const entries = windowsLapsAttributeEntries(s.naming.schemaNamingContext);
    expect(plan.changes.slice(1, 8).map((c) => [c.kind, c.dn])).toEqual(entries.map((e) => ['add-entry', e.dn]));
    expect((plan.changes[4] as AddEntryChange).after).toEqual(entries[3]!.attributes);
    const cls = plan.changes[8] as ModifyAttributeChange;
    expect(cls).toMatchObject({ kind: 'modify-attribute', attribute: 'mayContain', operation: 'add', match: 'case-ignore' });
    expect(cls.dn).toBe(s.computerClass!.dn);
    expect(cls.before).toEqual(s.computerClass!.attributes['maycontain']);
    expect(cls.after.slice(cls.before.length)).toEqual([
      'msLAPS-PasswordExpirationTime', 'msLAPS-Password', 'msLAPS-EncryptedPassword', 'msLAPS-EncryptedPasswordHistory',
      'msLAPS-EncryptedDSRMPassword', 'msLAPS-EncryptedDSRMPasswordHistory', 'msLAPS-CurrentPasswordVersion',
    ]);
  });

  it('a partial schema: only what is missing; existing ones that differ and the look-alike are left alone', () => {
    const { plan, phases, d } = planFor('partial-admin');
    expect(plan.changes.map((c) => c.dn.split(',')[0])).toEqual([
      'CN=ms-LAPS-Encrypted-Password-Attributes',
      'CN=ms-LAPS-EncryptedDSRMPassword',
      'CN=ms-LAPS-EncryptedDSRMPasswordHistory',
      'CN=ms-LAPS-CurrentPasswordVersion',
      'CN=Computer',
    ]);
    expect(phases.at(-1)).toBe('computer-class');
    const cls = plan.changes.at(-1) as ModifyAttributeChange;
    expect(cls.after.filter((v) => String(v).startsWith('msLAPS-'))).toEqual([
      'msLAPS-PasswordExpirationTime', 'msLAPS-Password', 'msLAPS-EncryptedPassword', 'msLAPS-EncryptedDSRMPassword', 'msLAPS-EncryptedDSRMPasswordHistory', 'msLAPS-CurrentPasswordVersion',
    ]);
    expect(d.notes.join('\n')).toMatch(/msLAPS-Password differs/);
    expect(d.notes.join('\n')).toMatch(/msLAPS-EncryptedPasswordHistory cannot be added/);
  });

  it('a complete schema with a root key: nothing to change, even when a root key is asked for', () => {
    for (const name of ['extended-admin', 'ready-admin'] as FixtureName[]) {
      const { plan, d } = planFor(name, true);
      expect(plan.changes).toEqual([]);
      expect(d.notes.join('\n')).toMatch(/already exists/);
    }
  });

  it('a plain user who cannot read root keys gets no KDS change, only a note', () => {
    const { plan, d, phases } = planFor('fresh-user', true);
    expect(phases).not.toContain('kds');
    expect(plan.changes).toHaveLength(9);
    expect(d.notes.join('\n')).toMatch(/cannot read root keys/);
  });

  it('a root key in a forest without the KDS containers: containers, then the key, never its secret in the plan', () => {
    const { s, key, plan, phases } = planFor('fresh-admin', true);
    const config = s.naming.configurationNamingContext;
    const kds = plan.changes.filter((_, i) => phases[i] === 'kds') as AddEntryChange[];
    expect(kds.map((c) => c.dn)).toEqual([kdsServiceDn(config), kdsMasterRootKeysDn(config), `CN=${key!.id},${kdsMasterRootKeysDn(config)}`]);
    const rk = kds[2]!;
    expect(rk.secret).toBe(true);
    expect(rk.irreversible).toBe(true);
    expect(rk.secretAttributes).toEqual(['msKds-RootKeyData']);
    expect(rk.after['msKds-DomainID']).toEqual([boundDcComputerDn(s)]);
    expect(boundDcComputerDn(s)).toBe(`CN=DC1,OU=Domain Controllers,${s.facts.domainDn}`);
    // what a human or a script sees of the plan never holds the key data
    const shown = [renderPlan(plan), JSON.stringify(planToJson(plan))].join('\n');
    const secret = key!.keyData;
    for (const form of [secret.toString('hex'), secret.toString('hex').toUpperCase(), secret.toString('base64'), secret.subarray(0, 16).toString('hex')]) {
      expect(shown).not.toContain(form);
    }
    expect(renderPlan(plan)).toContain('msKds-RootKeyData: <secret: 1 value, 64 bytes; value not recorded>');
  });

  it('the msKds-ProvRootKey entry reads back as the same root key, which decrypts what it encrypts', async () => {
    const created = new Date('2026-01-02T03:04:05.000Z');
    for (const alg of ['DH', 'ECDH_P256', 'ECDH_P384'] as const) {
      const key = newRootKey({ secretAgreementAlgorithm: alg, useStartTime: new Date(created.getTime() - 36_000_000) });
      const attrs = kdsRootKeyAttributes(key, 'CN=DC1,OU=Domain Controllers,DC=lab,DC=example,DC=test', created);
      expect('msKds-SecretAgreementParam' in attrs).toBe(alg === 'DH');
      // as LDAP returns it: lower-case names, strings for the non-binary attributes
      const entry = { dn: `CN=${key.id},CN=Master Root Keys`, attributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k.toLowerCase(), v])) };
      const back = rootKeyFromDirectoryEntry(entry);
      expect(back.id).toBe(key.id);
      expect(back.keyData.equals(key.keyData)).toBe(true);
      expect(back.secretAgreementAlgorithm).toBe(alg);
      expect(back.kdfHash).toBe('SHA512');
      expect(back.useStartTime?.toISOString()).toBe(key.useStartTime?.toISOString());
      const value = encryptLapsValue({ accountName: 'Administrator', password: 'lab only: not a secret' }, { rootKey: key, sid: 'S-1-5-21-1-2-3-512', time: created });
      const opened = await decryptLapsValue(value, [back]);
      expect(opened.payload?.password).toBe('lab only: not a secret');
      expect(opened.payload?.accountName).toBe('Administrator');
    }
  });
});

describe('apply preconditions (checked before anything is written)', () => {
  const pre = (name: FixtureName, phases: string[], tweak?: (s: ReturnType<typeof snapshot>) => void) => {
    const s = snapshot(name);
    tweak?.(s);
    const a = analyzeSchema(s, { now: readAt(s) });
    return () => checkApplyPreconditions(s, a, new Set(phases as never[]));
  };
  const failure = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      return e as UserError;
    }
    throw new Error('expected a refusal');
  };

  it('a Schema Admin bound to the schema master may extend the schema and create a root key', () => {
    expect(pre('fresh-admin', ['schema-objects', 'computer-class', 'kds'])).not.toThrow();
  });

  it('a plain user: exit 6, NOT_SCHEMA_ADMIN', () => {
    const e = failure(pre('fresh-user', ['schema-objects', 'computer-class']));
    expect(e).toBeInstanceOf(UserError);
    expect(e.exitCode).toBe(ExitCode.ACCESS_DENIED);
    expect(e.reason).toBe('NOT_SCHEMA_ADMIN');
    expect(e.message).toMatch(/not a Schema Admin.*Nothing was written/);
  });

  it('a plain user asking only for a root key: exit 6, NOT_FOREST_ADMIN', () => {
    const e = failure(pre('extended-user', ['kds']));
    expect(e.exitCode).toBe(ExitCode.ACCESS_DENIED);
    expect(e.reason).toBe('NOT_FOREST_ADMIN');
  });

  it('not the schema master: exit 2 with the master\'s name', () => {
    const e = failure(
      pre('fresh-admin', ['schema-objects'], (s) => {
        s.schemaHead!.attributes['fsmoroleowner'] = [`CN=NTDS Settings,CN=DC2,CN=Servers,CN=Default-First-Site-Name,CN=Sites,${s.naming.configurationNamingContext}`];
      }),
    );
    expect(e.exitCode).toBe(ExitCode.USAGE);
    expect(e.reason).toBe('NOT_SCHEMA_MASTER');
  });
});
