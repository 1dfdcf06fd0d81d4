import { describe, expect, it } from 'vitest';
import { cli } from './lab-env.js';

describe('connection precedence (flags > environment > profile)', () => {
  it('LAPS_MIGRATE_PASSWORD beats the profile password file: a wrong one exits 4', () => {
    const r = cli(['connect', '--profile', 'lab'], { env: { LAPS_MIGRATE_PASSWORD: 'wrong' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/authentication failed for .*wrong user name or password/);
    expect(r.stderr + r.stdout).not.toMatch(/\bwrong\b(?! user)/);
  });

  it('without the variable the profile password file binds', () => {
    const r = cli(['connect', '--profile', 'lab']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Bound as/);
  });
});
