import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { addEntry, createPlan, deleteValues, replaceValues } from '../../../src/journal/change.js';
import { readEventRows, runRows, toCsv } from '../../../src/journal/export-csv.js';
import { recordReadEvent } from '../../../src/journal/read-event.js';
import { planToJson, renderPlan } from '../../../src/journal/render-plan.js';
import { renderRun } from '../../../src/journal/render-run.js';
import { isSecretAttribute } from '../../../src/journal/secret-attributes.js';
import { allText, BASE, estate, ouDn, tempJournal, type TempJournal } from './helpers.js';

let tj: TempJournal;
beforeEach(() => {
  tj = tempJournal();
});
afterEach(() => tj.cleanup());

const LEGACY_PW = 'Zq7!legacy-Pw-9931';
const ROTATED_PW = 'Rt5#rotated-Pw-4410';
const NATIVE_JSON = '{"n":"Administrator","t":"1d9f0e0a1b2c3d4","p":"Nv8$native-Pw-2208"}';
const ENCRYPTED = randomBytes(300);
const ROOT_KEY = randomBytes(64);

/** Every form a secret could take in a text file: as is, base64, hex, JSON-escaped, UTF-16LE. */
function forms(secret: string | Buffer): string[] {
  const buf = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const out = [buf.toString('base64'), buf.toString('hex'), buf.toString('base64').slice(8, 40)];
  if (typeof secret === 'string') out.push(secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret, 'utf16le').toString('base64'));
  return out;
}

function expectNoSecret(text: string): void {
  for (const s of [LEGACY_PW, ROTATED_PW, NATIVE_JSON, 'Nv8$native-Pw-2208', ENCRYPTED, ROOT_KEY]) {
    for (const f of forms(s)) expect(text.includes(f), `found a form of a secret: ${f.slice(0, 6)}...`).toBe(false);
  }
}

describe('secrets are never journaled', () => {
  it('knows the secret attributes, including a renamed legacy one', () => {
    for (const a of ['ms-Mcs-AdmPwd', 'MS-MCS-ADMPWD', 'ms-Contoso-AdmPwd', 'msLAPS-Password', 'msLAPS-EncryptedPasswordHistory', 'msKds-RootKeyData', 'unicodePwd']) {
      expect(isSecretAttribute(a), a).toBe(true);
    }
    for (const a of ['ms-Mcs-AdmPwdExpirationTime', 'msLAPS-PasswordExpirationTime', 'msKds-KDFAlgorithmID', 'description', 'nTSecurityDescriptor']) {
      expect(isSecretAttribute(a), a).toBe(false);
    }
  });

  it('records presence and length only, in the journal files, plans, run views and CSV exports', async () => {
    const dir = estate(['A']);
    const pc1 = `CN=PC1,${ouDn('A')}`;
    const pc2 = `CN=PC2,${ouDn('A')}`;
    const pc3 = `CN=PC3,${ouDn('A')}`;
    dir.seed(pc1, { objectClass: ['computer'], 'ms-Mcs-AdmPwd': [LEGACY_PW] });
    dir.seed(pc2, { objectClass: ['computer'], 'msLAPS-Password': [NATIVE_JSON], 'msLAPS-EncryptedPassword': [ENCRYPTED] });
    dir.seed(pc3, { objectClass: ['computer'], 'ms-Mcs-AdmPwd': [LEGACY_PW] });
    const kdsDn = `CN=11111111-2222-3333-4444-555555555555,CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services,CN=Configuration,${BASE}`;

    const plan = createPlan('cleanup', [
      deleteValues({ dn: pc1, attribute: 'ms-Mcs-AdmPwd', reason: 'clear legacy password', before: [LEGACY_PW] }),
      deleteValues({ dn: pc2, attribute: 'msLAPS-Password', reason: 'clear clear-text copy', before: [NATIVE_JSON] }),
      deleteValues({ dn: pc2, attribute: 'msLAPS-EncryptedPassword', reason: 'reset encrypted copy', before: [ENCRYPTED] }),
      addEntry({
        dn: kdsDn,
        reason: 'create a KDS root key',
        attributes: { objectClass: ['msKds-ProvRootKey'], 'msKds-RootKeyData': [ROOT_KEY], 'msKds-Version': ['1'] },
      }),
      // this one conflicts: the device rotated its password after the plan was made
      deleteValues({ dn: pc3, attribute: 'ms-Mcs-AdmPwd', reason: 'clear legacy password', before: [LEGACY_PW] }),
    ]);
    expect(plan.changes.every((c) => c.irreversible && c.secret)).toBe(true);
    dir.set(pc3, 'ms-Mcs-AdmPwd', [ROTATED_PW]);
    // and one write fails with a server message
    dir.failWrite(2, { code: 19, name: 'ConstraintViolationError' });

    const first = await applyPlan(dir, plan, tj.store, { confirmIrreversible: true });
    expect(first.exitCode).toBe(5);
    dir.onBeforeWrite(undefined);
    const second = await applyPlan(dir, plan, tj.store, { confirmIrreversible: true });
    expect(second.stoppedAt).toMatchObject({ changeId: 'c5', state: 'conflict' });
    expect(dir.get(pc1, 'ms-Mcs-AdmPwd')).toBeUndefined();
    expect(dir.get(kdsDn, 'msKds-RootKeyData')?.[0]).toEqual(ROOT_KEY);

    recordReadEvent({ who: 'CN=Helpdesk,CN=Users,DC=memory,DC=test', object: pc3, source: 'ms-Mcs-AdmPwd', reason: 'user locked out' }, tj.store);

    // what the journal does know: presence and byte lengths
    const journalText = allText(tj.store.dir);
    expect(journalText).toContain(`"redacted":true,"present":true,"count":1,"lengths":[${Buffer.byteLength(LEGACY_PW)}]`);
    expect(journalText).toContain(`"lengths":[${ENCRYPTED.length}]`);
    expect(journalText).toContain(`"lengths":[${ROOT_KEY.length}]`);
    expect(journalText).toContain('msKds-Version'); // non-secret attributes of the same entry are kept
    expectNoSecret(journalText);

    const runs = tj.store.listRuns().runs.map((s) => tj.store.readRun(s.runId));
    const views = [
      renderPlan(plan),
      JSON.stringify(planToJson(plan)),
      ...runs.map((r) => renderRun(r, { details: true })),
      ...runs.map((r) => JSON.stringify(r)),
      toCsv([...runs.flatMap(runRows), ...readEventRows(tj.store.readReadEvents().events)]),
    ];
    for (const v of views) expectNoSecret(v);
    expect(renderPlan(plan)).toContain(`<secret: 1 value, ${Buffer.byteLength(LEGACY_PW)} bytes; value not recorded>`);
  });

  it('does not keep server messages about a secret attribute, only the error name and code', async () => {
    const dir = estate(['A']);
    const pc = `CN=PC1,${ouDn('A')}`;
    dir.seed(pc, { objectClass: ['computer'], 'ms-Mcs-AdmPwd': [LEGACY_PW] });
    dir.failWrite(1, { code: 19, name: 'ConstraintViolationError' });
    const r = await applyPlan(dir, createPlan('x', [replaceValues({ dn: pc, attribute: 'ms-Mcs-AdmPwd', reason: 'r', before: [LEGACY_PW], values: ['New-Value-1'] })]), tj.store, {
      confirmIrreversible: true,
    });
    const err = tj.store.readRun(r.runId).changes[0]!.error!;
    expect(err).toMatchObject({ name: 'ConstraintViolationError', ldapCode: 19 });
    expect(err.message).toMatch(/not recorded for a secret attribute/);
    expect(allText(tj.store.dir)).not.toContain('New-Value-1');
  });
});
