import { describe, expect, it } from 'vitest';
import { InvalidCredentialsError, InsufficientAccessError, StrongAuthRequiredError, BerWriter } from 'ldapts';
import { mapLdapError } from '../../../src/directory/ldap-errors.js';
import { parseServerUrl, SdFlagsControl } from '../../../src/directory/ldap-directory.js';
import { escapeFilterValue } from '../../../src/directory/entry.js';
import { UserError } from '../../../src/errors.js';

const ctx = { url: 'ldaps://dc1:636', host: 'dc1', port: 636, user: 'alice@lab.test' };

function mapped(e: unknown): UserError {
  const m = mapLdapError(e, ctx);
  expect(m).toBeInstanceOf(UserError);
  return m as UserError;
}

describe('mapLdapError', () => {
  it.each([
    ['52e', 'WRONG_PASSWORD', /wrong user name or password/],
    ['773', 'MUST_CHANGE_PASSWORD', /must be changed/],
    ['775', 'ACCOUNT_LOCKED', /locked out/],
    ['533', 'ACCOUNT_DISABLED', /disabled/],
    ['532', 'PASSWORD_EXPIRED', /expired/],
  ])('decodes AD bind sub-code %s', (sub, reason, text) => {
    const e = new InvalidCredentialsError(`80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${sub}, v4563`);
    const u = mapped(e);
    expect(u.exitCode).toBe(4);
    expect(u.reason).toBe(reason);
    expect(u.message).toMatch(text);
    expect(u.message).toContain('alice@lab.test');
  });

  it('maps refused, DNS and timeout to exit 4 with advice', () => {
    for (const [code, reason] of [['ECONNREFUSED', 'CONNECTION_REFUSED'], ['ENOTFOUND', 'DNS_FAILURE'], ['ETIMEDOUT', 'TIMEOUT']] as const) {
      const e = Object.assign(new Error('x'), { code });
      const u = mapped(e);
      expect(u.exitCode).toBe(4);
      expect(u.reason).toBe(reason);
      expect(u.advice).toBeTruthy();
    }
  });

  it('names the certificate names on a mismatch', () => {
    const e = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    const u = mapLdapError(e, { ...ctx, certificateNames: ['CN=dc1.lab.test', 'DNS:dc1.lab.test'] }) as UserError;
    expect(u.reason).toBe('TLS_NAME_MISMATCH');
    expect(u.message).toBe('TLS certificate name mismatch: connected to "dc1" but the certificate is for: CN=dc1.lab.test, DNS:dc1.lab.test');
  });

  it('untrusted certificates suggest --ca-file', () => {
    const u = mapped(Object.assign(new Error('self-signed'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }));
    expect(u.reason).toBe('TLS_UNTRUSTED');
    expect(u.advice).toMatch(/--ca-file/);
  });

  it('strong auth required suggests TLS; access denied is exit 6', () => {
    const s = mapped(new StrongAuthRequiredError('BindSimple: Transport encryption required.'));
    expect(s.reason).toBe('STRONG_AUTH_REQUIRED');
    expect(s.advice).toMatch(/starttls/i);
    const a = mapped(new InsufficientAccessError('00002098: SecErr'));
    expect(a.exitCode).toBe(6);
  });

  it('leaves unknown errors alone (they are bugs)', () => {
    const e = new RangeError('boom');
    expect(mapLdapError(e, ctx)).toBe(e);
  });
});

describe('parseServerUrl', () => {
  it('defaults to ldaps and the standard ports', () => {
    expect(parseServerUrl('dc1.example.com')).toMatchObject({ scheme: 'ldaps', host: 'dc1.example.com', port: 636 });
    expect(parseServerUrl('ldap://10.0.0.1')).toMatchObject({ scheme: 'ldap', port: 389, url: 'ldap://10.0.0.1:389' });
    expect(parseServerUrl('ldaps://[::1]:1636')).toMatchObject({ host: '::1', port: 1636, url: 'ldaps://[::1]:1636' });
  });
  it('rejects other schemes and paths with exit 2', () => {
    expect(() => parseServerUrl('http://dc1')).toThrow(/ldaps:\/\/ or ldap:\/\//);
    expect(() => parseServerUrl('ldaps://dc1/DC=x')).toThrow(/only scheme, host and port/);
  });
});

describe('SdFlagsControl', () => {
  it('encodes the value as an OCTET STRING holding SEQUENCE { INTEGER flags }', () => {
    const w = new BerWriter();
    new SdFlagsControl(7).write(w);
    const hex = w.buffer.toString('hex');
    // ... 04 05 30 03 02 01 07
    expect(hex.endsWith('0405300302010' + '7')).toBe(true);
    expect(hex).toContain(Buffer.from('1.2.840.113556.1.4.801').toString('hex'));
  });
});

describe('escapeFilterValue', () => {
  it('escapes RFC 4515 specials', () => {
    expect(escapeFilterValue('a*b(c)\\d')).toBe('a\\2ab\\28c\\29\\5cd');
  });
});
