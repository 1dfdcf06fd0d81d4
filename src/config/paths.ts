/**
 * Where the tool keeps its files (CONVENTIONS "Files"): profiles under XDG_CONFIG_HOME, state
 * (journal, lab, logs) under XDG_STATE_HOME or --state-dir. Folders 0700, files 0600.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { chmodSync, mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync } from 'node:fs';

let stateDirOverride: string | undefined;

export function setStateDir(dir: string | undefined): void {
  stateDirOverride = dir === undefined ? undefined : resolve(dir);
}

export function stateDir(): string {
  if (stateDirOverride) return stateDirOverride;
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'laps-migrate');
}

export function configDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'laps-migrate');
}

/** mkdir -p with mode 0700 on every folder we create (and on the leaf even if it existed). */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** Writes a file atomically (temp + fsync + rename), mode 0600. */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** fsync a folder so a newly created file's name survives a power cut (no-op where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some platforms cannot open or fsync folders; the file data itself is still fsync'd
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
