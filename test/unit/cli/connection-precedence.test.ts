import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveProfile } from '../../../src/config/profiles.js';
import { resolveConnection } from '../../../src/cli/connection-options.js';

let saved: Record<string, string | undefined>;
let dir: string;
beforeEach(() => {
  saved = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, LAPS_MIGRATE_PASSWORD: process.env.LAPS_MIGRATE_PASSWORD };
  dir = mkdtempSync(join(tmpdir(), 'lm-prec-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config');
  delete process.env.LAPS_MIGRATE_PASSWORD;
  saveProfile('lab', { server: 'ldaps://dc.lab.test', user: 'admin@lab.test', passwordFile: file('profile-pw', 'from-profile') });
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, `${text}\n`);
  chmodSync(f, 0o600);
  return f;
}

describe('connection precedence: flags > environment > playbook > profile', () => {
  it('the profile password file is used when nothing else is given', async () => {
    expect((await resolveConnection({ profile: 'lab', nonInteractive: true })).password).toBe('from-profile');
  });

  it('LAPS_MIGRATE_PASSWORD beats the profile password file', async () => {
    process.env.LAPS_MIGRATE_PASSWORD = 'from-env';
    expect((await resolveConnection({ profile: 'lab', nonInteractive: true })).password).toBe('from-env');
  });

  it('--password-file beats the environment', async () => {
    process.env.LAPS_MIGRATE_PASSWORD = 'from-env';
    expect((await resolveConnection({ profile: 'lab', passwordFile: file('flag-pw', 'from-flag'), nonInteractive: true })).password).toBe('from-flag');
  });

  it("a playbook's password file beats the profile's, not the environment", async () => {
    const defaults = { passwordFile: file('pb-pw', 'from-playbook') };
    expect((await resolveConnection({ profile: 'lab', nonInteractive: true }, defaults)).password).toBe('from-playbook');
    process.env.LAPS_MIGRATE_PASSWORD = 'from-env';
    expect((await resolveConnection({ profile: 'lab', nonInteractive: true }, defaults)).password).toBe('from-env');
  });

  it("--user naming someone else drops the profile's password file", async () => {
    await expect(resolveConnection({ profile: 'lab', user: 'other@lab.test', nonInteractive: true })).rejects.toThrow(/no password for other@lab.test/);
  });
});
