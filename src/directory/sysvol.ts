/**
 * Finding a GPO's SYSVOL folder from `--sysvol PATH`: the share's top folder (holding
 * <dns domain>/Policies), the domain folder (holding Policies) or the Policies folder itself,
 * as an admin mounts it (`mount -t cifs //dc/SYSVOL ...`) or copies it. Names are matched
 * case-insensitively (SMB is; a local copy may have been re-cased).
 *
 * This lives in directory/ beside the LDAP code: SYSVOL is the directory's second store (every
 * GPO is a container in LDAP plus a folder here, and the two change together), and like LDAP it
 * is an edge that the pure layers (laps/, security/) must never touch.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { readFileOrNull } from './sysvol-files.js';

export interface GpoFolder {
  /** The Policies folder the path resolved to. */
  policiesDir: string;
  /** The GPO's folder ({GUID}); undefined when it does not exist there. */
  gpoDir: string | undefined;
  gptIniPath: string | undefined;
  registryPolPath: string | undefined;
  gptIni: Buffer | null;
  registryPol: Buffer | null;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The child of `dir` named `name` case-insensitively (the exact spelling when it exists). */
function child(dir: string, name: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const exact = names.find((n) => n === name);
  const found = exact ?? names.find((n) => n.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : join(dir, found);
}

/** The domain's Policies folder under --sysvol PATH. */
export function resolvePoliciesDir(sysvol: string, dnsDomain: string, flag = '--sysvol'): string {
  if (!isDir(sysvol)) throw new InputError(`${flag} ${sysvol}: not a folder`, { reason: 'SYSVOL_NOT_FOUND', advice: 'Give the SYSVOL share (mounted or copied), its domain folder, or its Policies folder.' });
  if (basename(sysvol).toLowerCase() === 'policies') return sysvol;
  const viaDomain = child(sysvol, dnsDomain);
  const fromDomain = viaDomain ? child(viaDomain, 'Policies') : undefined;
  if (fromDomain && isDir(fromDomain)) return fromDomain;
  const direct = child(sysvol, 'Policies');
  if (direct && isDir(direct)) return direct;
  throw new InputError(`${flag} ${sysvol}: no Policies folder (looked for ${join(sysvol, dnsDomain, 'Policies')} and ${join(sysvol, 'Policies')})`, {
    reason: 'SYSVOL_NOT_FOUND',
    advice: 'Give the SYSVOL share (mounted or copied), its domain folder, or its Policies folder.',
  });
}

/** A GPO's folder and its two machine files (absent files read as null). */
export function readGpoFolder(policiesDir: string, guid: string): GpoFolder {
  const gpoDir = child(policiesDir, guid);
  if (!gpoDir || !isDir(gpoDir)) return { policiesDir, gpoDir: undefined, gptIniPath: undefined, registryPolPath: undefined, gptIni: null, registryPol: null };
  const gptIniPath = child(gpoDir, 'GPT.INI') ?? join(gpoDir, 'GPT.INI');
  const machine = child(gpoDir, 'Machine') ?? join(gpoDir, 'Machine');
  const registryPolPath = child(machine, 'Registry.pol') ?? join(machine, 'Registry.pol');
  return { policiesDir, gpoDir, gptIniPath, registryPolPath, gptIni: readFileOrNull(gptIniPath), registryPol: readFileOrNull(registryPolPath) };
}
