import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, connectAs, lab } from './lab-env.js';
import { jsonWithoutTimestamp, partitionSuite } from './partition-fixtures.js';
import { planComputerPartitions, computerParentClasses } from '../../src/directory/computer-partitions.js';

/** The report folder of one CLI inventory run; fails the test with the CLI's stderr otherwise. */
function inventory(out: string, args: string[], env: Record<string, string> = {}): string {
  const r = cli(['inventory', '--profile', 'lab', '--out', out, ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  const dirs = readdirSync(out).filter((d) => d.endsWith('-inventory'));
  expect(dirs).toHaveLength(1);
  return join(out, dirs[0]!);
}

/** The run's JSON without its timestamp. */
const json = (dir: string) => jsonWithoutTimestamp(join(dir, 'inventory.json'));

describe('inventory --parallel: the same results as one paged search', () => {
  const { tmp, added } = partitionSuite('lm-par');

  it('plans partitions that cover every container once: OUs one level deep, OU-free containers as subtrees', async () => {
    const m = lab();
    const dir = await connectAs('user');
    try {
      const root = await dir.rootDse();
      const parts = await planComputerPartitions(dir, m.baseDn, await computerParentClasses(dir, root.schemaNamingContext));
      const at = (p: string) => parts.find((x) => x.base.toLowerCase() === `${p},${m.baseDn}`.toLowerCase());
      expect(at('OU=Servers')?.scope).toBe('one');
      expect(at('OU=Finance,OU=Workstations')?.scope).toBe('one');
      expect(at('CN=Parked,OU=Servers')?.scope).toBe('sub');
      expect(at('CN=Computers')?.scope).toBe('sub');
      expect(at('CN=System')?.scope).toBe('sub');
      // nothing inside CN=System gets its own partition (its GPO containers are in its subtree)
      expect(parts.filter((p) => /,CN=System,/i.test(p.base))).toEqual([]);
      expect(parts[0]).toBeDefined();
      expect(parts.filter((p) => p.base.toLowerCase() === m.baseDn.toLowerCase())).toEqual([{ base: m.baseDn, scope: 'one' }]);
    } finally {
      await dir.close();
    }
  });

  for (const account of ['admin', 'user'] as const) {
    it(`as ${account}: --parallel 1 and the default write the same CSVs and JSON (but the timestamp)`, () => {
      const m = lab();
      const env: Record<string, string> = account === 'admin' ? {} : { LAPS_MIGRATE_PASSWORD: readFileSync(m.accounts.user.passwordFile, 'utf8') };
      const user = account === 'admin' ? [] : ['--user', m.accounts.user.userPrincipalName];
      const one = inventory(tmp(`${account}-1`), [...user, '--parallel', '1'], env);
      const dflt = inventory(tmp(`${account}-d`), user, env);
      const four = inventory(tmp(`${account}-4`), [...user, '--parallel', '4', '--no-presence'], env);
      const fourSeq = inventory(tmp(`${account}-4s`), [...user, '--parallel', '1', '--no-presence'], env);
      for (const f of ['computers.csv', 'ous.csv', 'gpos.csv']) {
        expect(readFileSync(join(dflt, f), 'utf8'), f).toBe(readFileSync(join(one, f), 'utf8'));
        expect(readFileSync(join(four, f), 'utf8'), f).toBe(readFileSync(join(fourSeq, f), 'utf8'));
      }
      expect(json(dflt)).toEqual(json(one));
      expect(json(four)).toEqual(json(fourSeq));
      // every computer once, the added ones included
      const rows = readFileSync(join(dflt, 'computers.csv'), 'utf8').trim().split('\r\n').slice(1);
      const dns = rows.map((r) => /"([^"]*)"$/.exec(r)?.[1] ?? r);
      expect(new Set(dns).size).toBe(dns.length);
      expect(rows.length).toBe(m.computers.length + 1 /* the DC */ + added().length);
      expect(dns.some((d) => d.startsWith('CN=PARKED-01,CN=Parked,OU=Servers'))).toBe(true);
      expect(dns.some((d) => d.startsWith('CN=DEFAULT-01,CN=Computers'))).toBe(true);
    });
  }

  it('--parallel outside 1-16 is a usage error naming the flag', () => {
    for (const bad of ['0', '17', 'two']) {
      const r = cli(['inventory', '--profile', 'lab', '--out', tmp('bad'), '--parallel', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--parallel/);
    }
  });
});
