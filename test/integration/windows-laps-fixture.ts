/**
 * Test fixtures on the lab: extend the Windows LAPS schema with the definitions the schema step
 * uses, and write Windows LAPS values to chosen computers as a device would (clear JSON,
 * encrypted header + blob from the DPAPI-NG fixtures, history, expiry).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Directory } from '../../src/directory/types.js';
import { lapsExtendedRightEntry, windowsLapsAttributeEntries, windowsLapsMayContain } from '../../src/laps/schema-entries.js';
import { dateToFiletime } from '../../src/laps/filetime.js';

export async function extendWindowsLapsSchema(dir: Directory): Promise<void> {
  const root = await dir.rootDse();
  for (const e of windowsLapsAttributeEntries(root.schemaNamingContext)) {
    if (!(await dir.read(e.dn, ['cn']))) await dir.add(e.dn, e.attributes);
  }
  const right = lapsExtendedRightEntry(root.configurationNamingContext);
  if (!(await dir.read(right.dn, ['cn']))) await dir.add(right.dn, right.attributes);
  await dir.modify(`CN=Computer,${root.schemaNamingContext}`, [{ operation: 'add', attribute: 'mayContain', values: windowsLapsMayContain() }]);
  await dir.modify('', [{ operation: 'add', attribute: 'schemaUpdateNow', values: ['1'] }]);
}

/** A real Windows-produced DPAPI-NG blob (MIT-licensed test vector) behind a msLAPS 16-byte header. */
export function encryptedValue(updated: Date): Buffer {
  const vector = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'dpapi-ng', 'kdf_sha256_nonce.json'), 'utf8')) as { Data: string };
  const blob = Buffer.from(vector.Data, 'hex');
  const ft = dateToFiletime(updated);
  const header = Buffer.alloc(16);
  header.writeUInt32LE(Number(ft >> 32n), 0);
  header.writeUInt32LE(Number(ft & 0xffffffffn), 4);
  header.writeUInt32LE(blob.length, 8);
  header.writeUInt32LE(0, 12);
  return Buffer.concat([header, blob]);
}

export function integer8(d: Date): string {
  return dateToFiletime(d).toString();
}
