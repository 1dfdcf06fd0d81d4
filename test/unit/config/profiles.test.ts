import { mkdtempSync, statSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getProfile, readProfiles, saveProfile, configFile } from '../../../src/config/profiles.js';

let old: string | undefined;
beforeEach(() => {
  old = process.env.XDG_CONFIG_HOME;
  process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'lm-cfg-'));
});
afterEach(() => {
  if (old === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = old;
});

describe('profiles', () => {
  it('saves a profile 0600 in a 0700 folder and reads it back', () => {
    saveProfile('lab', { server: 'ldaps://127.0.0.1', caFile: '/x/ca.pem', user: 'Administrator@lab.test', passwordFile: '/x/pw' });
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(statSync(join(process.env.XDG_CONFIG_HOME!, 'laps-migrate')).mode & 0o777).toBe(0o700);
    expect(getProfile('lab')).toEqual({ server: 'ldaps://127.0.0.1', caFile: '/x/ca.pem', user: 'Administrator@lab.test', passwordFile: '/x/pw' });
  });

  it('refuses a profile holding a password in clear', () => {
    mkdirSync(join(process.env.XDG_CONFIG_HOME!, 'laps-migrate'), { recursive: true });
    writeFileSync(configFile(), 'profiles:\n  prod:\n    server: ldaps://dc\n    password: hunter2\n');
    expect(() => readProfiles()).toThrow(/holds a password in clear/);
    try {
      readProfiles();
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('hunter2');
    }
  });

  it('reports YAML errors with line and column', () => {
    mkdirSync(join(process.env.XDG_CONFIG_HOME!, 'laps-migrate'), { recursive: true });
    writeFileSync(configFile(), 'profiles:\n  prod:\n    server: [unclosed\n');
    expect(() => readProfiles()).toThrow(/config\.yaml:\d+:\d+/);
  });

  it('names the known profiles when one is missing', () => {
    saveProfile('a', { server: 'ldaps://a' });
    expect(() => getProfile('b')).toThrow(/no connection profile named "b"/);
    expect(readFileSync(configFile(), 'utf8')).not.toMatch(/password:/);
  });
});
