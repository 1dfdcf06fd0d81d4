/**
 * The safe-change mechanism against the real DC: idempotent reruns, a connection cut in the
 * middle of an apply (through a loopback proxy), a conflicting change made behind the tool's
 * back, byte-identical rollback, and no secret in the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { applyPlan, createPlan, JournalStore, planRollback, replaceValues } from '../../src/journal/index.js';
import { mergeAce, parseSddlAce, parseSecurityDescriptor, serializeSecurityDescriptor, toSddl } from '../../src/security/index.js';
import { dacl, delegationPlan, SD_DACL } from './delegation-plan.js';
import { connectAs, lab, passwordOf, readTreeText, resetLab, testRoot } from './lab-env.js';
import { startProxy, type TcpProxy } from './tcp-proxy.js';

describe('journaled apply against the lab DC', () => {
  let admin: LdapDirectory;
  let store: JournalStore;
  let journalDir: string;
  let ous: string[];
  let originals: Map<string, Buffer>;

  beforeAll(async () => {
    const m = lab();
    admin = await connectAs('admin');
    journalDir = mkdtempSync(join(testRoot(), 'journal-'));
    store = JournalStore.open(journalDir);
    ous = [m.ous.workstations!, m.ous.finance!, m.ous.sales!, m.ous.servers!, m.ous.kiosks!];
    originals = new Map();
    for (const dn of ous) originals.set(dn, await dacl(admin, dn));
  });

  afterAll(async () => {
    await admin.close();
    await resetLab();
  });

  it('applies several ACL changes; a rerun writes nothing and adds no duplicate ACE', async () => {
    const plan = await delegationPlan(admin, ous.slice(0, 3), lab().groups.helpdesk!.sid, 'A');
    const first = await applyPlan(admin, plan, store);
    expect(first.status).toBe('completed');
    expect(first.counts).toMatchObject({ applied: 3, alreadyDone: 0 });
    const again = await applyPlan(admin, plan, store);
    expect(again.counts).toMatchObject({ alreadyDone: 3, applied: 0 });
    for (const dn of ous.slice(0, 3)) {
      const sddl = toSddl(parseSecurityDescriptor(await dacl(admin, dn)));
      // explicit copies only (a child OU also shows the parent's copy as inherited, flag ID)
      const n = sddl.split(`(OA;CIIO;RP;bf967950-0de6-11d0-a285-00aa003049e2;bf967a86-0de6-11d0-a285-00aa003049e2;${lab().groups.helpdesk!.sid})`).length - 1;
      expect(n, dn).toBe(1);
    }
    // a fresh plan made now sees the ACE already there: mergeAce leaves the DACL unchanged
    const replan = await delegationPlan(admin, ous.slice(0, 3), lab().groups.helpdesk!.sid, 'A');
    for (const c of replan.changes) expect(c.kind === 'replace-dacl' && c.before.equals(c.after)).toBe(true);
  });

  it('a connection cut mid-apply: exit 5, the journal names applied and pending; a rerun completes; rollback restores bytes', async () => {
    const m = lab();
    const proxy: TcpProxy = await startProxy('127.0.0.31', 16636, m.ip, 636);
    // the proxy address is not in the certificate: verify against the DC's name instead
    const viaProxy = await LdapDirectory.connect({ server: 'ldaps://127.0.0.31:16636', caFile: m.caFile, user: m.accounts.admin!.userPrincipalName, password: passwordOf('admin') }).catch((e) => e);
    expect(viaProxy).toMatchObject({ reason: 'TLS_NAME_MISMATCH' });
    // so cut a plain-LDAP+StartTLS session instead: StartTLS verifies the name we pass, which is in the certificate
    // the forwarder listens on the lab's own address (a name in the certificate), another port
    const proxy389 = await startProxy(m.ip, 16389, m.ip, 389);
    const dir = await LdapDirectory.connect({ server: `ldap://${m.ip}:16389`, startTls: true, caFile: m.caFile, user: m.accounts.admin!.userPrincipalName, password: passwordOf('admin') });
    const plan = await delegationPlan(admin, ous, lab().groups.serverteam!.sid, 'B');
    let writes = 0;
    const result = await applyPlan(dir, plan, store, {
      onProgress: (p) => {
        if (p.state === 'verified') {
          writes++;
          if (writes === 2) proxy389.cutAll();
        }
      },
    });
    await dir.close();
    await proxy389.close();
    await proxy.close();
    expect(result.status).toBe('stopped');
    expect(result.exitCode).toBe(5);
    const states = result.outcomes.map((o) => o.state);
    expect(states.slice(0, 2)).toEqual(['verified', 'verified']);
    expect(states.slice(3)).toEqual(['planned', 'planned']);
    const run = store.readRun(result.runId);
    expect(run.changes.map((c) => c.state)).toEqual(states);

    // the DC is reachable again directly: the rerun completes the rest, skipping what was done
    const rerun = await applyPlan(admin, plan, store);
    expect(rerun.status).toBe('completed');
    expect(rerun.counts.alreadyDone).toBeGreaterThanOrEqual(2);
    expect(rerun.counts.alreadyDone + rerun.counts.applied).toBe(5);

    // roll back every run, newest first: every DACL comes back byte-identical
    const runs = store.listRuns().runs.filter((r) => r.kind === 'apply').sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    for (const r of runs) {
      const rb = planRollback(store.readRun(r.runId));
      if (rb.changes.length === 0) continue;
      const res = await applyPlan(admin, rb, store);
      expect(res.status, r.runId).toBe('completed');
    }
    for (const dn of ous) expect((await dacl(admin, dn)).equals(originals.get(dn)!), dn).toBe(true);
  });

  it('a DACL changed behind the tool\'s back between plan and apply is a conflict, not overwritten', async () => {
    const m = lab();
    const plan = await delegationPlan(admin, [m.ous.kiosks!], lab().groups.webops!.sid, 'C');
    // someone else edits the DACL meanwhile
    const sd = parseSecurityDescriptor(await dacl(admin, m.ous.kiosks!));
    const other = mergeAce(sd.dacl!, parseSddlAce(`(A;CI;RP;;;${lab().groups.serverteam!.sid})`));
    const theirs = serializeSecurityDescriptor({ ...sd, dacl: other.acl });
    await admin.modify(m.ous.kiosks!, [{ operation: 'replace', attribute: 'nTSecurityDescriptor', values: [theirs] }], { sdFlags: SD_DACL });
    const after = await dacl(admin, m.ous.kiosks!);
    const r = await applyPlan(admin, plan, store);
    expect(r.exitCode).toBe(5);
    expect(r.stoppedAt?.state).toBe('conflict');
    expect((await dacl(admin, m.ous.kiosks!)).equals(after)).toBe(true);
  });

  it('a run that handles a secret keeps no secret in the journal or its exports', async () => {
    const m = lab();
    const dn = m.computers.find((c) => c.name === 'FIN-WS02')!.dn;
    const e = await admin.read(dn, ['ms-Mcs-AdmPwd']);
    const secret = String(e!.attributes['ms-mcs-admpwd']![0]);
    expect(secret.length).toBeGreaterThan(8);
    const plan = createPlan('cleanup', [replaceValues({ dn, attribute: 'ms-Mcs-AdmPwd', before: [secret], values: [], reason: 'test: clear a legacy password' })]);
    expect(plan.changes[0]!.irreversible).toBe(true);
    await expect(applyPlan(admin, plan, store)).rejects.toMatchObject({ exitCode: 2 });
    const r = await applyPlan(admin, plan, store, { confirmIrreversible: true });
    expect(r.status).toBe('completed');
    expect((await admin.read(dn, ['ms-Mcs-AdmPwd']))!.attributes['ms-mcs-admpwd'] ?? []).toHaveLength(0);
    const text = readTreeText(journalDir);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(secret).toString('base64'));
    expect(text).not.toContain(passwordOf('admin'));
  });
});
