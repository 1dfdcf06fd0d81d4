import { describe, expect, it } from 'vitest';
import { mapKerberosError } from '../../../src/directory/kerberos-errors.js';
import { GssError, loadKerberosBinding, normalisePrincipal, checkKerberosOptions } from '../../../src/directory/kerberos-gss.js';
import { InputError, UserError } from '../../../src/errors.js';

const ctx = { spn: 'ldap/dc1.lab.example.test', host: '127.0.0.16', port: 636 };

// texts as MIT Kerberos 1.20 (Debian 12) reported them through the binding against the lab DC
const OBSERVED: Array<[string, string, RegExp]> = [
  ['No credentials were supplied, or the credentials were unavailable or inaccessible: No Kerberos credentials available (default cache: FILE:/tmp/krb16/none)', 'NO_TICKET', /kinit/],
  ['Unspecified GSS failure.  Minor code may provide more information: Ticket expired', 'TICKET_EXPIRED', /kinit/],
  ['Unspecified GSS failure.  Minor code may provide more information: Server not found in Kerberos database', 'UNKNOWN_SPN', /--spn-host/],
  ["No credentials were supplied, or the credentials were unavailable or inaccessible: Cannot contact any KDC for realm 'LAB.EXAMPLE.TEST'", 'KDC_UNREACHABLE', /krb5\.conf/],
  ["No credentials were supplied, or the credentials were unavailable or inaccessible: Client 'nobody@LAB.EXAMPLE.TEST' not found in Kerberos database", 'KERBEROS_CLIENT_UNKNOWN', /--user/],
  ['Unspecified GSS failure.  Minor code may provide more information: Clock skew too great', 'CLOCK_SKEW', /[Ss]ynchronise/],
];

describe('Kerberos failures become exit 4 with advice', () => {
  it.each(OBSERVED)('%s', (text, reason, advice) => {
    const u = mapKerberosError(new GssError(text), ctx);
    expect(u).toBeInstanceOf(UserError);
    expect(u).toMatchObject({ exitCode: 4, reason });
    expect(u!.advice).toMatch(advice);
    expect(u!.message).toMatch(/^Kerberos bind to 127\.0\.0\.16:636 failed: /);
  });

  it('with a keytab: a stale key and a principal missing from it say so', () => {
    const k = { ...ctx, keytab: '/etc/lm.keytab', principal: 'svc@LAB.EXAMPLE.TEST' };
    const stale = mapKerberosError(new GssError('No credentials were supplied, or the credentials were unavailable or inaccessible: Preauthentication failed'), k);
    expect(stale).toMatchObject({ reason: 'KEYTAB_STALE' });
    expect(stale!.advice).toContain('/etc/lm.keytab');
    const missing = mapKerberosError(new GssError("No credentials were supplied, or the credentials were unavailable or inaccessible: Can't find client principal svc@LAB.EXAMPLE.TEST in cache collection"), k);
    expect(missing).toMatchObject({ exitCode: 4, reason: 'KEYTAB_NO_ENTRY' });
    expect(missing!.advice).toMatch(/klist -k \/etc\/lm\.keytab/);
  });

  it('an unknown GSS text keeps its first line and points at klist and krb5.conf', () => {
    const u = mapKerberosError(new GssError('Unspecified GSS failure.  Minor code may provide more information: Something new\nsecond line'), ctx);
    expect(u).toMatchObject({ exitCode: 4, reason: 'KERBEROS_FAILURE' });
    expect(u!.message).not.toContain('second line');
    expect(u!.advice).toMatch(/klist/);
  });

  it('is not used for errors that are not Kerberos ones', () => {
    expect(mapKerberosError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), ctx)).toBeUndefined();
  });
});

describe('the optional kerberos module', () => {
  it('missing: exit 4 explaining how to add it', async () => {
    const e = await loadKerberosBinding(async () => {
      throw Object.assign(new Error("Cannot find package 'kerberos'"), { code: 'ERR_MODULE_NOT_FOUND' });
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ exitCode: 4, reason: 'KERBEROS_MODULE_MISSING' });
    expect((e as UserError).message).toMatch(/not installed/);
    expect((e as UserError).advice).toMatch(/libkrb5-dev.*npm install kerberos@7/);
  });

  it('present but its native part failed to build: same advice, with the loader\'s reason', async () => {
    const e = await loadKerberosBinding(async () => {
      throw new Error('Could not locate the bindings file. Tried: build/Release/kerberos.node');
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ exitCode: 4, reason: 'KERBEROS_MODULE_MISSING' });
    expect((e as UserError).message).toMatch(/could not be loaded \(Could not locate the bindings file/);
  });
});

describe('Kerberos options', () => {
  it('principals: realm upper-cased; DN and DOMAIN\\name refused with exit 2', () => {
    expect(normalisePrincipal('alice@lab.example.test')).toBe('alice@LAB.EXAMPLE.TEST');
    expect(normalisePrincipal('alice')).toBe('alice');
    expect(() => normalisePrincipal('CN=alice,DC=lab')).toThrow(InputError);
    expect(() => normalisePrincipal('LAB\\alice')).toThrow(/user@REALM/);
  });

  it('a keytab must be readable and name its principal; --spn-host must be a host name', () => {
    expect(() => checkKerberosOptions({ keytab: '/nonexistent/k.keytab', principal: 'a@B' })).toThrow(/cannot read --keytab \/nonexistent\/k\.keytab: ENOENT/);
    expect(() => checkKerberosOptions({ keytab: import.meta.filename })).toThrow(/--keytab needs --user/);
    expect(() => checkKerberosOptions({ spnHost: 'ldap/dc1' })).toThrow(/not a host name/);
    expect(() => checkKerberosOptions({ spnHost: '127.0.0.16' })).toThrow(/is an address/);
    expect(() => checkKerberosOptions({ spnHost: 'dc1.lab.example.test' })).not.toThrow();
  });
});
