/**
 * Large estates for benchmarks: computers are written offline (daemon stopped) with ldbadd in
 * batch mode, about 500 entries/s (LAB-NOTES), into OU=Bulk with 1,000 computers per child OU.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ExitCode, UserError } from '../errors.js';
import type { LabLayout } from './provision.js';
import { fileTimeString } from './seed.js';

const OS_MIX: Array<[string, string]> = [
  ['Windows 11 Enterprise', '10.0 (22631)'],
  ['Windows 10 Enterprise', '10.0 (19045)'],
  ['Windows 10 Enterprise', '10.0 (17134)'],
  ['Windows Server 2022 Standard', '10.0 (20348)'],
  ['Windows Server 2016 Standard', '10.0 (14393)'],
  ['Windows 11 Enterprise', '10.0 (26100)'],
];

export async function seedBulkComputers(
  layout: LabLayout,
  baseDn: string,
  count: number,
  legacy: { password: string; expiration: string } | undefined,
  log: (line: string) => void,
): Promise<string> {
  const ldif = join(layout.dir, 'bulk.ldif');
  const out = createWriteStream(ldif, { mode: 0o600 });
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const bulkDn = `OU=Bulk,${baseDn}`;
  await write(`dn: ${bulkDn}\nobjectClass: organizationalUnit\ndescription: benchmark computers\n\n`);
  const perOu = 1000;
  const now = Date.now();
  const day = 86_400_000;
  for (let i = 0; i < count; i++) {
    if (i % perOu === 0) {
      await write(`dn: OU=Bulk-${String(i / perOu).padStart(3, '0')},${bulkDn}\nobjectClass: organizationalUnit\n\n`);
    }
    const ou = `OU=Bulk-${String(Math.floor(i / perOu)).padStart(3, '0')},${bulkDn}`;
    const name = `BULK-${String(i).padStart(6, '0')}`;
    const [os, ver] = OS_MIX[i % OS_MIX.length]!;
    let entry = `dn: CN=${name},${ou}\nobjectClass: computer\nsAMAccountName: ${name}$\nuserAccountControl: 4096\n`;
    entry += `dNSHostName: ${name.toLowerCase()}.bulk.test\noperatingSystem: ${os}\noperatingSystemVersion: ${ver}\n`;
    entry += `lastLogonTimestamp: ${fileTimeString(new Date(now - (i % 120) * day))}\n`;
    if (legacy && i % 10 < 7) {
      const expired = i % 10 === 6;
      entry += `${legacy.password}: ${randomBytes(10).toString('base64url')}\n`;
      entry += `${legacy.expiration}: ${fileTimeString(new Date(now + (expired ? -40 : 10) * day))}\n`;
    }
    await write(`${entry}\n`);
  }
  out.end();
  await once(out, 'finish');
  log(`ldbadd of ${count} computers (offline batch mode)`);
  const r = spawnSync(
    'ldbadd',
    ['-H', join(layout.dcDir, 'private', 'sam.ldb'), '--nosync', '-o', 'batch_mode:1', '-o', `transaction_index_cache_size:${Math.max(20000, count * 2)}`, ldif],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new UserError(`offline seeding failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-4).join('\n')}`, ExitCode.BUG);
  return bulkDn;
}
