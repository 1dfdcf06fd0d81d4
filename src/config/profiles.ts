/**
 * Named connection profiles in $XDG_CONFIG_HOME/laps-migrate/config.yaml. A profile never holds
 * a password: it names a 0600 password file, or nothing (then env or prompt).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { InputError } from '../errors.js';
import { configDir, ensurePrivateDir, writePrivateFile } from './paths.js';

export interface Profile {
  server: string;
  startTls?: boolean;
  insecurePlainLdap?: boolean;
  caFile?: string;
  user?: string;
  passwordFile?: string;
  baseDn?: string;
  /** The SYSVOL share (mounted or copied) for commands that read or write GPO files (--sysvol). */
  sysvol?: string;
}

const KEYS: Array<keyof Profile> = ['server', 'startTls', 'insecurePlainLdap', 'caFile', 'user', 'passwordFile', 'baseDn', 'sysvol'];

export function configFile(): string {
  return join(configDir(), 'config.yaml');
}

export function readProfiles(): Record<string, Profile> {
  const file = configFile();
  if (!existsSync(file)) return {};
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new InputError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0]}`);
  }
  const data = (doc.toJS() ?? {}) as { profiles?: Record<string, Record<string, unknown>> };
  const out: Record<string, Profile> = {};
  for (const [name, raw] of Object.entries(data.profiles ?? {})) {
    if (!raw || typeof raw !== 'object' || typeof raw.server !== 'string') {
      throw new InputError(`${file}: profile "${name}" needs a "server" string`);
    }
    if ('password' in raw) {
      throw new InputError(`${file}: profile "${name}" holds a password in clear; use passwordFile (a 0600 file) instead`);
    }
    const p: Profile = { server: raw.server };
    for (const k of KEYS) if (raw[k] !== undefined) (p as unknown as Record<string, unknown>)[k] = raw[k];
    out[name] = p;
  }
  return out;
}

export function getProfile(name: string): Profile {
  const profiles = readProfiles();
  const p = profiles[name];
  if (!p) {
    const known = Object.keys(profiles);
    throw new InputError(`no connection profile named "${name}" in ${configFile()}`, {
      advice: known.length ? `Known profiles: ${known.join(', ')}` : 'Run "laps-migrate lab up" to create the "lab" profile, or pass --server.',
    });
  }
  return p;
}

export function saveProfile(name: string, profile: Profile): string {
  const profiles = readProfiles();
  profiles[name] = profile;
  ensurePrivateDir(configDir());
  const file = configFile();
  writePrivateFile(file, `# laps-migrate connection profiles; passwords live in the files named here (0600), never in this file\n${stringify({ profiles })}`);
  return file;
}
