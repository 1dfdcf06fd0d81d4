/**
 * Kerberos binds against the lab DC's own KDC: a ticket from kinit (Debian's krb5-user) in a
 * private cache, a keytab made from the known password with ktutil, and the failures an admin
 * meets first. KRB5_CONFIG is the lab's krb5.conf (no DNS).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, connectAs, lab, passwordOf, testRoot } from './lab-env.js';

let tmp: string;
let env: Record<string, string>;

function krb(cmd: string, args: string[], input = ''): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const server = () => ['--server', lab().urls.ldaps, '--ca-file', lab().caFile];
const ALICE = 'alice@LAB.EXAMPLE.TEST';

beforeAll(() => {
  const m = lab();
  expect(m.krb5Config, 'the lab manifest names its krb5.conf').toBeTruthy();
  tmp = mkdtempSync(join(testRoot(), 'krb-'));
  env = { KRB5_CONFIG: m.krb5Config!, KRB5CCNAME: `FILE:${join(tmp, 'cc')}` };
  krb('kinit', [ALICE], `${passwordOf('user')}\n`);
  expect(krb('klist', [])).toContain(`Default principal: ${ALICE}`);
});

afterAll(() => {
  spawnSync('kdestroy', [], { env: { ...process.env, ...env } });
});

describe('Kerberos (SASL GSSAPI) binds to the lab DC', () => {
  it('connect --kerberos binds as the ticket\'s principal over LDAPS and StartTLS, no password anywhere', () => {
    const m = lab();
    const r = cli(['connect', ...server(), '--kerberos'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`bound with Kerberos as ${ALICE} (service ldap/${m.dnsHostName})`);
    expect(r.stdout).toMatch(new RegExp(`Bound as +${m.accounts.user!.dn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const st = cli(['connect', '--server', m.urls.ldap, '--starttls', '--ca-file', m.caFile, '--kerberos', '--json'], { env });
    expect(st.code, st.stderr).toBe(0);
    const j = JSON.parse(st.stdout) as { connection: { tls: string; kerberos: { principal: string; spn: string } }; boundAs: { sid: string } };
    expect(j.connection.tls).toBe('starttls');
    expect(j.connection.kerberos).toEqual({ principal: ALICE, spn: `ldap/${m.dnsHostName}` });
    expect(j.boundAs.sid).toBe(m.accounts.user!.sid);
  });

  it('inventory --kerberos runs as that user and sees what a password bind of the same user sees', () => {
    const out = mkdtempSync(join(tmp, 'inv-'));
    const k = cli(['inventory', ...server(), '--kerberos', '--out', out, '--json'], { env });
    expect(k.code, k.stderr).toBe(0);
    const p = cli(['inventory', ...server(), '--user', lab().accounts.user!.userPrincipalName, '--out', out, '--json'], { env: { LAPS_MIGRATE_PASSWORD: passwordOf('user') } });
    expect(p.code, p.stderr).toBe(0);
    const kj = JSON.parse(k.stdout) as { data: { summary: unknown }; findings: Array<{ code: string; object: string }> };
    const pj = JSON.parse(p.stdout) as typeof kj;
    expect(kj.data.summary).toEqual(pj.data.summary);
    expect(kj.findings.map((f) => `${f.code} ${f.object}`).sort()).toEqual(pj.findings.map((f) => `${f.code} ${f.object}`).sort());
  });

  it('the permissions step with Kerberos sees the same as with a password', () => {
    const out = mkdtempSync(join(tmp, 'perm-'));
    const k = cli(['permissions', ...server(), '--kerberos', '--json', '--out', out], { env });
    const p = cli(['permissions', ...server(), '--user', lab().accounts.user!.userPrincipalName, '--json', '--out', out], { env: { LAPS_MIGRATE_PASSWORD: passwordOf('user') } });
    // 0 or 3 depending on what earlier files left in the lab; the same either way
    expect([0, 3], p.stderr).toContain(p.code);
    expect(k.code, k.stderr).toBe(p.code);
    type P = { findings: Array<{ code: string; object: string; evidence?: unknown }>; data: { summary: unknown }; plan: { changes: unknown[] } };
    const kj = JSON.parse(k.stdout) as P;
    const pj = JSON.parse(p.stdout) as P;
    const key = (j: P) => j.findings.map((f) => JSON.stringify([f.code, f.object, f.evidence])).sort();
    expect(key(kj)).toEqual(key(pj));
    expect(kj.data.summary).toEqual(pj.data.summary);
    expect(kj.plan.changes).toEqual(pj.plan.changes);
    expect(kj.findings.length).toBeGreaterThan(5);
  });

  it('a keytab made from the known password works with no ticket cache at all, and writes none', async () => {
    const admin = await connectAs('admin');
    let kvno: string;
    try {
      const e = await admin.read(lab().accounts.user!.dn, ['msDS-KeyVersionNumber']);
      kvno = String(e!.attributes['msds-keyversionnumber']![0]);
    } finally {
      await admin.close();
    }
    const keytab = join(tmp, 'alice.keytab');
    // -f: ask the KDC for the salt, as an admin would
    krb('ktutil', [], `addent -password -p ${ALICE} -k ${kvno} -e aes256-cts-hmac-sha1-96 -f\n${passwordOf('user')}\nwkt ${keytab}\nquit\n`);
    expect(krb('klist', ['-k', keytab])).toContain(ALICE);
    const noCache = join(tmp, 'never-written');
    const r = cli(['connect', ...server(), '--kerberos', '--keytab', keytab, '--user', 'alice@lab.example.test'], {
      env: { KRB5_CONFIG: env.KRB5_CONFIG!, KRB5CCNAME: `FILE:${noCache}` },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`bound with Kerberos as ${ALICE}`);
    expect(existsSync(noCache)).toBe(false);
    expect(readFileSync(keytab).length).toBeGreaterThan(0);
  });

  it('an unknown SPN host: exit 4 naming the service principal and --spn-host', () => {
    const r = cli(['connect', ...server(), '--kerberos', '--spn-host', 'nosuch.lab.example.test'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the KDC does not know the service principal ldap/nosuch.lab.example.test');
    expect(r.stderr).toMatch(/--spn-host/);
  });

  it('an expired ticket: exit 4 telling to kinit again', async () => {
    const shortCache = { ...env, KRB5CCNAME: `FILE:${join(tmp, 'cc-short')}` };
    const r0 = spawnSync('kinit', ['-l', '2s', ALICE], { input: `${passwordOf('user')}\n`, encoding: 'utf8', env: { ...process.env, ...shortCache } });
    expect(r0.status, r0.stderr).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const r = cli(['connect', ...server(), '--kerberos'], { env: shortCache });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the Kerberos ticket has expired');
    expect(r.stderr).toMatch(/kinit/);
  });

  it('without the optional kerberos module the tool still runs; --kerberos says how to add it', () => {
    const hide = { NODE_OPTIONS: `--import=${pathToFileURL(join(import.meta.dirname, '..', 'fixtures', 'kerberos', 'hide-kerberos.mjs')).href}` };
    const k = cli(['connect', ...server(), '--kerberos'], { env: { ...env, ...hide } });
    expect(k.code).toBe(4);
    expect(k.stderr).toContain('the Kerberos module is not installed');
    expect(k.stderr).toMatch(/libkrb5-dev.*npm install kerberos@7/);
    const p = cli(['connect', ...server(), '--user', lab().accounts.user!.userPrincipalName], { env: { ...hide, LAPS_MIGRATE_PASSWORD: passwordOf('user') } });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).not.toContain('Kerberos');
  });

  it('a destroyed cache: exit 4 with the kinit advice, no stack trace', () => {
    krb('kdestroy', []);
    const r = cli(['connect', ...server(), '--kerberos'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no Kerberos ticket/);
    expect(r.stderr).toMatch(/kinit/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    const inv = cli(['inventory', ...server(), '--kerberos', '--out', join(tmp, 'x')], { env });
    expect(inv.code).toBe(4);
  });
});
