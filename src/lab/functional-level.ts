/**
 * Raises (or lowers) the lab domain's functional level offline, for tests of checks that depend
 * on it. Samba 4.17 stops at 2008 R2 and refuses to raise it online (LAB-NOTES), so this stops the
 * DC, writes msDS-Behavior-Version on the domain NC head, CN=Partitions and the DC's NTDS Settings
 * with ldbmodify, and starts the DC again. Only for the throw-away lab: Samba itself does not
 * implement what a real 2016 level means; it merely reports the number. `lab reset` undoes it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { startDaemon, stopDaemon } from './daemon.js';
import { readManifest } from './lab.js';
import { layoutOf } from './provision.js';
import { run } from './system.js';

/** Lowest and highest msDS-Behavior-Version values this helper writes (2008 R2 .. 2016). */
const LEVELS = new Set([4, 5, 6, 7]);

export interface FunctionalLevelChange {
  level: number;
  /** The DNs written. */
  dns: string[];
}

/** The NTDS Settings objects (nTDSDSA) of the lab's sam.ldb, read offline. */
function ntdsSettingsDns(samLdb: string, configDn: string): string[] {
  const out = run('ldbsearch', ['-H', samLdb, '-b', configDn, '(objectClass=nTDSDSA)', 'dn'], 'ldbsearch for NTDS Settings');
  return out
    .split('\n')
    .filter((l) => l.startsWith('dn: '))
    .map((l) => l.slice(4).trim());
}

export async function setLabFunctionalLevel(dir: string, level: number): Promise<FunctionalLevelChange> {
  if (!LEVELS.has(level)) throw new UserError(`functional level ${level} is not one this lab helper writes (4..7)`, ExitCode.USAGE);
  const d = resolve(dir);
  const manifest = readManifest(d);
  if (!manifest) throw new UserError(`no lab in ${d}`, ExitCode.USAGE, { advice: 'Run "laps-migrate lab up" first.' });
  const layout = layoutOf(d);
  const samLdb = join(layout.dcDir, 'private', 'sam.ldb');
  await stopDaemon(layout, manifest.ip);
  try {
    return writeFunctionalLevelOffline(samLdb, manifest.baseDn, manifest.configDn, level);
  } finally {
    await startDaemon(layout, manifest.ip);
  }
}

/** Writes msDS-Behavior-Version with ldbmodify into a stopped DC's sam.ldb. */
export function writeFunctionalLevelOffline(samLdb: string, baseDn: string, configDn: string, level: number): FunctionalLevelChange {
  if (!LEVELS.has(level)) throw new UserError(`functional level ${level} is not one this lab helper writes (4..7)`, ExitCode.USAGE);
  const tmp = mkdtempSync(join(tmpdir(), 'laps-migrate-fl-'));
  try {
    const ntds = ntdsSettingsDns(samLdb, configDn);
    if (ntds.length === 0) throw new UserError('the lab database has no NTDS Settings object', ExitCode.BUG);
    const dns = [baseDn, `CN=Partitions,${configDn}`, ...ntds];
    const ldif = dns.map((dn) => `dn: ${dn}\nchangetype: modify\nreplace: msDS-Behavior-Version\nmsDS-Behavior-Version: ${level}\n-\n`).join('\n');
    const file = join(tmp, 'level.ldif');
    writeFileSync(file, ldif, { mode: 0o600 });
    run('ldbmodify', ['-H', samLdb, file], 'ldbmodify of msDS-Behavior-Version');
    return { level, dns };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
