import { describe, expect, it } from 'vitest';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { gatherDomainFacts } from '../../src/directory/domain-facts.js';
import { UserError } from '../../src/errors.js';
import { cli, cliAsync, connectAs, lab, passwordOf } from './lab-env.js';
import { startProxy } from './tcp-proxy.js';

describe('connecting to the lab DC', () => {
  it('binds over LDAPS with a verified certificate and reports the domain facts', async () => {
    const dir = await connectAs('admin');
    try {
      const f = await gatherDomainFacts(dir);
      expect(f.dnsDomain).toBe('lab.example.test');
      expect(f.netbiosDomain).toBe('LAB');
      expect(f.domainSid).toBe(lab().domainSid);
      expect(f.domainFunctionalLevel).toEqual({ level: 4, name: '2008 R2' });
      expect(f.connection).toMatchObject({ tls: 'ldaps', certificateVerified: true });
      expect(f.connection.certificateNames).toContain(`IP Address:${lab().ip}`);
      expect(f.boundAs).toMatchObject({ domainAdmin: true, schemaAdmin: true, enterpriseAdmin: true });
      expect(f.schemaVersion.objectVersion).toBe(69);
    } finally {
      await dir.close();
    }
  });

  it('binds with StartTLS, and as a plain user with DOMAIN\\name and DN forms', async () => {
    const m = lab();
    const user = m.accounts.user!;
    for (const name of [`${m.netbiosDomain}\\${user.sAMAccountName}`, user.dn, user.userPrincipalName]) {
      const dir = await LdapDirectory.connect({ server: m.urls.ldap, startTls: true, caFile: m.caFile, user: name, password: passwordOf('user') });
      try {
        expect(dir.facts.tls).toBe('starttls');
        const me = await dir.whoAmI();
        expect(me.sid).toBe(user.sid);
        const f = await gatherDomainFacts(dir);
        expect(f.boundAs).toMatchObject({ domainAdmin: false, schemaAdmin: false, enterpriseAdmin: false });
      } finally {
        await dir.close();
      }
    }
  });

  it('refuses plain LDAP unless --insecure-plain-ldap, and then warns', async () => {
    const m = lab();
    const refused = cli(['connect', '--server', m.urls.ldap, '--user', m.accounts.user!.userPrincipalName, '--password-file', m.accounts.user!.passwordFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing plain LDAP/);
    const allowed = cli(['connect', '--server', m.urls.ldap, '--insecure-plain-ldap', '--user', m.accounts.user!.userPrincipalName, '--password-file', m.accounts.user!.passwordFile]);
    expect(allowed.stderr).toMatch(/warning: plain LDAP/);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/TLS: none \(plain LDAP\)/);
  });

  it('wrong password: exit 4 with the decoded AD reason, and no password in the output', () => {
    const m = lab();
    const r = cli(['connect', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', m.accounts.user!.userPrincipalName], {
      env: { LAPS_MIGRATE_PASSWORD: 'Wrong-Passw0rd!' },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/authentication failed for alice@lab.example.test: wrong user name or password \(AD data 52e\)/);
    expect(r.stderr + r.stdout).not.toContain('Wrong-Passw0rd!');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('certificate name mismatch: exit 4 naming the certificate names and the name used', async () => {
    const m = lab();
    // 127.0.0.30 is not among the certificate's names; a forwarder there reaches the lab DC
    const proxy = await startProxy('127.0.0.30', 16636, m.ip, 636);
    try {
      const r = await cliAsync(['connect', '--server', 'ldaps://127.0.0.30:16636', '--ca-file', m.caFile, '--user', m.accounts.user!.userPrincipalName, '--password-file', m.accounts.user!.passwordFile]);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`TLS certificate name mismatch: connected to "127.0.0.30" but the certificate is for: CN=dc1.lab.example.test, DNS:dc1.lab.example.test, IP Address:${m.ip}`);
    } finally {
      await proxy.close();
    }
  });

  it('certificate from an unknown CA: exit 4 suggesting --ca-file', async () => {
    const m = lab();
    await expect(LdapDirectory.connect({ server: m.urls.ldaps, user: m.accounts.user!.userPrincipalName, password: passwordOf('user') })).rejects.toMatchObject({
      exitCode: 4,
      reason: 'TLS_UNTRUSTED',
    });
  });

  it('connection refused: exit 4 with advice', async () => {
    const m = lab();
    await expect(LdapDirectory.connect({ server: 'ldaps://127.0.0.254', caFile: m.caFile, user: 'x@y', password: 'x' })).rejects.toMatchObject({
      exitCode: 4,
      reason: 'CONNECTION_REFUSED',
    });
  });

  it('the CLI connects through the lab profile and prints JSON', () => {
    const r = cli(['connect', '--profile', 'lab', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.stdout);
    expect(f.dnsDomain).toBe('lab.example.test');
    expect(f.netbiosDomain).toBe('LAB');
    expect(f.connection.certificateVerified).toBe(true);
    expect(f.boundAs.domainAdmin).toBe(true);
  });
});

describe('paged search', () => {
  it('returns every seeded computer exactly once, in small pages, with binary attributes as Buffers', async () => {
    const m = lab();
    const dir = await connectAs('user');
    try {
      const seen = new Map<string, number>();
      let pages = 0;
      for await (const page of dir.searchPages({
        base: m.baseDn,
        filter: '(objectClass=computer)',
        attributes: ['cn', 'objectSid', 'objectGUID'],
        binaryAttributes: ['objectSid', 'objectGUID'],
        pageSize: 4,
      })) {
        pages++;
        expect(page.length).toBeLessThanOrEqual(4);
        for (const e of page) {
          seen.set(e.dn, (seen.get(e.dn) ?? 0) + 1);
          expect(Buffer.isBuffer(e.attributes['objectsid']?.[0])).toBe(true);
          expect((e.attributes['objectguid']?.[0] as Buffer).length).toBe(16);
        }
      }
      const expected = [...m.computers.map((c) => c.dn)];
      for (const dn of expected) expect(seen.get(dn)).toBe(1);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect(seen.size).toBe(expected.length + 1); // + the DC's own account
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(seen.size / 4));
    } finally {
      await dir.close();
    }
  });

  it('reads a DACL with the SD-flags control as a plain user', async () => {
    const m = lab();
    const dir = await connectAs('user');
    try {
      const e = await dir.read(m.ous.workstations!, ['nTSecurityDescriptor'], { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 4 });
      const sd = e?.attributes['ntsecuritydescriptor']?.[0];
      expect(Buffer.isBuffer(sd)).toBe(true);
      expect((sd as Buffer)[0]).toBe(1); // revision
      // DACL present, owner absent with flags 4
      expect((sd as Buffer).readUInt32LE(4)).toBe(0);
    } finally {
      await dir.close();
    }
  });

  it('maps insufficient rights to exit 6', async () => {
    const m = lab();
    const dir = await connectAs('user');
    try {
      await expect(dir.modify(m.ous.workstations!, [{ operation: 'replace', attribute: 'description', values: ['x'] }])).rejects.toSatisfy(
        (e: unknown) => e instanceof UserError && e.exitCode === 6,
      );
    } finally {
      await dir.close();
    }
  });
});
