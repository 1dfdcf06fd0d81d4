import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kerberosOptionsFrom } from '../../../src/cli/kerberos-options.js';
import { resolveConnection } from '../../../src/cli/connection-options.js';
import { configFile, readProfiles } from '../../../src/config/profiles.js';
import { InputError } from '../../../src/errors.js';

let old: string | undefined;
let keytab: string;
beforeEach(() => {
  old = process.env.XDG_CONFIG_HOME;
  const dir = mkdtempSync(join(tmpdir(), 'lm-krb-'));
  process.env.XDG_CONFIG_HOME = dir;
  keytab = join(dir, 'svc.keytab');
  writeFileSync(keytab, Buffer.from([5, 2]), { mode: 0o600 });
});
afterEach(() => {
  if (old === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = old;
});

function writeConfig(yaml: string): void {
  mkdirSync(join(process.env.XDG_CONFIG_HOME!, 'laps-migrate'), { recursive: true });
  writeFileSync(configFile(), yaml);
}

describe('--kerberos, --keytab, --spn-host', () => {
  it('flag alone: the ticket cache principal, no password needed or asked for', async () => {
    const c = await resolveConnection({ server: 'ldaps://dc1', kerberos: true, nonInteractive: true });
    expect(c.kerberosBind).toEqual({});
    expect(c.password).toBeUndefined();
    expect(c.user).toBeUndefined();
  });

  it('keytab with a principal; the realm is upper-cased', () => {
    expect(kerberosOptionsFrom({ kerberos: true, keytab, user: 'svc-laps@lab.example.test', spnHost: 'dc1.lab.example.test' }, {})).toEqual({
      principal: 'svc-laps@LAB.EXAMPLE.TEST',
      keytab,
      spnHost: 'dc1.lab.example.test',
    });
  });

  it('contradictions are input errors naming the flags', () => {
    expect(() => kerberosOptionsFrom({ kerberos: true, passwordFile: '/x' }, {})).toThrow(/--kerberos and --password-file/);
    expect(() => kerberosOptionsFrom({ keytab }, {})).toThrow(/--keytab goes with --kerberos/);
    expect(() => kerberosOptionsFrom({ spnHost: 'dc1' }, {})).toThrow(/--spn-host goes with --kerberos/);
    expect(() => kerberosOptionsFrom({ kerberos: true, keytab }, {})).toThrow(InputError);
  });

  it('a profile with kerberos: true binds with Kerberos; an explicit --password-file overrides it', async () => {
    writeConfig(`profiles:\n  prod:\n    server: ldaps://dc1.example.com\n    kerberos: true\n    keytab: ${keytab}\n    user: svc@example.com\n    spnHost: dc1.example.com\n`);
    const c = await resolveConnection({ profile: 'prod', nonInteractive: true });
    expect(c.kerberosBind).toEqual({ principal: 'svc@EXAMPLE.COM', keytab, spnHost: 'dc1.example.com' });
    const pw = join(process.env.XDG_CONFIG_HOME!, 'pw');
    writeFileSync(pw, 'Secret-1\n', { mode: 0o600 });
    const simple = await resolveConnection({ profile: 'prod', passwordFile: pw, nonInteractive: true });
    expect(simple.kerberosBind).toBeUndefined();
    expect(simple.password).toBe('Secret-1');
  });

  it('--kerberos with a password profile: the profile\'s user (a simple-bind name) is not taken as the principal', () => {
    expect(kerberosOptionsFrom({ kerberos: true }, { server: 'ldaps://dc1', user: 'Administrator@lab.test', passwordFile: '/x' })).toEqual({});
  });

  it('a profile whose kerberos is not a boolean is refused, naming file and key', () => {
    writeConfig('profiles:\n  prod:\n    server: ldaps://dc1\n    kerberos: "yes"\n');
    expect(() => readProfiles()).toThrow(/profile "prod": "kerberos" must be a boolean/);
  });
});
