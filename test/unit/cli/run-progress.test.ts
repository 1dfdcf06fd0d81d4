import { describe, expect, it } from 'vitest';
import { runPlain, type RunTask } from '../../../src/cli/run-progress.js';
import { connectionOf, playbookConsent } from '../../../src/cli/run.js';
import { parsePlaybook } from '../../../src/playbook/load.js';
import { cellLink } from '../../../src/report/model.js';

describe('plain run progress', () => {
  it('writes timestamped lines: start, phase changes, change outcomes, the end; steps after a stop are skipped', async () => {
    const lines: string[] = [];
    let t = Date.parse('2026-12-03T10:00:00Z');
    const now = () => new Date((t += 1000));
    const tasks: RunTask[] = [
      {
        title: 'schema',
        skipped: () => 'never',
        run: async (p) => {
          p({ step: 'schema', phase: 'reading computers', counts: { computers: 10 } });
          p({ step: 'schema', phase: 'reading computers', counts: { computers: 20 } });
          p({ step: 'schema', phase: 'writing', counts: { done: 1, total: 2 }, message: '[c1] verified' });
          return { summary: 'blockers (exit 3)', stop: true };
        },
      },
      { title: 'permissions', skipped: () => 'not run (the run stopped at schema)', run: async () => ({ summary: 'x', stop: false }) },
    ];
    await runPlain(tasks, (l) => lines.push(l), now);
    expect(lines).toEqual([
      '2026-12-03T10:00:01Z schema: started',
      '2026-12-03T10:00:03Z schema: reading computers: 10 computers',
      '2026-12-03T10:00:05Z schema: [c1] verified',
      '2026-12-03T10:00:06Z schema: blockers (exit 3)',
      '2026-12-03T10:00:07Z permissions: not run (the run stopped at schema)',
    ]);
  });
});

describe('report links', () => {
  it('links only relative folder paths', () => {
    expect(cellLink({ l: '../20261203T100000Z-inventory/report.html' }, 'l')).toBe('../20261203T100000Z-inventory/report.html');
    for (const bad of ['javascript:alert(1)', 'https://x/y', '../../etc/passwd', '/abs/report.html', 'a/../b', 'a b']) expect(cellLink({ l: bad }, 'l')).toBeUndefined();
    expect(cellLink({ l: 'x' }, undefined)).toBeUndefined();
  });
});

describe('run connection', () => {
  const pb = parsePlaybook('version: 1\nconnection: { profile: lab, user: admin@lab.test, passwordFile: /p/pw, baseDn: "DC=lab,DC=test", sysvol: /mnt/sysvol }\nsteps: [inventory]\n', 'p.yaml');
  it("takes the playbook's connection where no flag is given; its password file ranks below the environment", () => {
    const c = connectionOf({}, pb);
    expect(c.flags).toMatchObject({ profile: 'lab', user: 'admin@lab.test', baseDn: 'DC=lab,DC=test', sysvol: '/mnt/sysvol' });
    expect(c.flags.passwordFile).toBeUndefined();
    expect(c.defaults).toEqual({ passwordFile: '/p/pw' });
  });
  it('flags win, and --server replaces the playbook profile', () => {
    const c = connectionOf({ server: 'ldaps://other', user: 'me@lab.test' }, pb);
    expect(c.flags.profile).toBeUndefined();
    expect(c.flags).toMatchObject({ server: 'ldaps://other', user: 'me@lab.test' });
  });
});

describe('run consent', () => {
  const yes = { reversible: async () => true, irreversible: async () => true };
  const q = { step: 'permissions' as const, title: 'Permissions', changes: 2, irreversible: 0 };
  it('refuses to write for a step whose decisions the playbook does not hold, naming the key', async () => {
    const pb = parsePlaybook('version: 1\nsteps: [inventory, permissions]\n', 'p.yaml');
    await expect(playbookConsent(yes, pb).reversible(q)).rejects.toThrow(/permissions would write 2 change\(s\) but p\.yaml has no "permissions" key/);
    const withSection = parsePlaybook('version: 1\nsteps: [inventory, permissions]\npermissions: {}\n', 'p.yaml');
    await expect(playbookConsent(yes, withSection).reversible(q)).resolves.toBe(true);
  });
});
