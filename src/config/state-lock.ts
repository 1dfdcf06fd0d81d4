/**
 * The state-folder lock (issues 13 and 21): every command that writes (to the directory, the
 * journal or the lab) takes it before connecting and holds it until it exits, so two runs on one
 * state folder never interleave journal records or writes. A second writer exits 8 with the
 * holder's PID and start time; a lock left by a dead process is taken over with a warning.
 *
 * The lock is the file <state>/lock holding {pid, host, startedAt, purpose}. It is made complete
 * in a private temporary file and then hard-linked into place (link fails if the name exists),
 * so it is created atomically and never seen half-written. Re-entrant within one process (a
 * playbook run takes it, then each step takes it again): the last release removes it; an exit
 * handler removes it whatever way the process ends (except SIGKILL: then the next run finds the
 * holder dead and takes it over).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { ensurePrivateDir, stateDir, writePrivateFile } from './paths.js';

export interface LockHolder {
  pid: number;
  host: string;
  /** When the holding process took the lock (ISO time). */
  startedAt: string;
  /** The holder's process start, in clock ticks since boot (Linux), to tell a reused PID. */
  processStart?: string;
  purpose: string;
}

/** Gives the lock back; calling it twice is harmless. */
export type Release = () => void;

export interface StateLockOptions {
  /** The folder to lock (default: the state folder, --state-dir or the XDG default). */
  dir?: string;
  /** Where the take-over warning goes (default: stderr). */
  warn?: (line: string) => void;
}

interface Held {
  file: string;
  holder: LockHolder;
  count: number;
}

const held = new Map<string, Held>();
let exitHookInstalled = false;

export const LOCK_FILE = 'lock';

/** This process's start time in clock ticks (field 22 of /proc/PID/stat), or undefined off Linux. */
function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Is the process that wrote this lock still running? (A lock from another host counts as live.) */
export function holderAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // the PID exists: the same process only if it started when the holder did
  if (h.processStart !== undefined) {
    const now = processStartOf(h.pid);
    if (now !== undefined && now !== h.processStart) return false;
  }
  return true;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.startedAt !== 'string') return undefined;
    return { pid: h.pid, host: typeof h.host === 'string' ? h.host : hostname(), startedAt: h.startedAt, purpose: typeof h.purpose === 'string' ? h.purpose : 'unknown', ...(typeof h.processStart === 'string' ? { processStart: h.processStart } : {}) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // unreadable or not JSON: never written by us (we link complete files); treat as stale
    return { pid: 0, host: hostname(), startedAt: 'unknown', purpose: 'unreadable lock file' };
  }
}

export class StateLockedError extends UserError {
  readonly holder: LockHolder;
  constructor(dir: string, holder: LockHolder) {
    const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
    super(`the state folder ${dir} is locked by another laps-migrate run: PID ${holder.pid}${where}, started ${holder.startedAt} (${holder.purpose})`, ExitCode.LOCKED, {
      reason: 'STATE_LOCKED',
      advice: `Wait for that run to end, then run this command again. If no laps-migrate process ${holder.pid} is running${where}, the next run takes the lock over by itself${where ? ' once it is removed from that host' : ''}.`,
    });
    this.name = 'StateLockedError';
    this.holder = holder;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const h of held.values()) removeIfOurs(h);
    held.clear();
  });
}

function removeIfOurs(h: Held): void {
  const now = readHolder(h.file);
  if (now && now.pid === h.holder.pid && now.startedAt === h.holder.startedAt) {
    try {
      unlinkSync(h.file);
    } catch {
      // already gone
    }
  }
}

/**
 * Takes the lock on the state folder for `purpose` (shown to a second run, e.g. "permissions
 * --apply"). Throws StateLockedError (exit 8) when a live process holds it.
 */
export function acquireStateLock(purpose: string, options: StateLockOptions = {}): Release {
  const dir = options.dir ?? stateDir();
  const file = join(dir, LOCK_FILE);
  const mine = held.get(file);
  if (mine) {
    mine.count++;
    return once(() => release(file));
  }
  ensurePrivateDir(dir);
  const processStart = processStartOf(process.pid);
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), ...(processStart ? { processStart } : {}), purpose };
  const tmp = join(dir, `.lock-${process.pid}-${randomBytes(4).toString('hex')}`);
  writePrivateFile(tmp, `${JSON.stringify(holder)}\n`);
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        linkSync(tmp, file);
        const h: Held = { file, holder, count: 1 };
        held.set(file, h);
        installExitHook();
        return once(() => release(file));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const other = readHolder(file);
      if (!other) continue; // released meanwhile: try again
      if (holderAlive(other)) throw new StateLockedError(dir, other);
      takeOver(file, other, warn);
    }
    throw new StateLockedError(dir, readHolder(file) ?? { pid: 0, host: hostname(), startedAt: 'unknown', purpose: 'contended' });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // gone already
    }
  }
}

/**
 * Moves a dead holder's lock aside. rename() is atomic, but another process may have taken over
 * the stale lock between our read and our rename: then what we moved is a live lock, which goes
 * back (link fails if a third process took the name meanwhile; that one then holds it).
 */
function takeOver(file: string, stale: LockHolder, warn: (line: string) => void): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const moved = readHolder(aside);
  try {
    if (moved && (moved.pid !== stale.pid || moved.startedAt !== stale.startedAt) && holderAlive(moved)) {
      try {
        linkSync(aside, file);
      } catch {
        // someone else holds the name now; the loop reads it again
      }
      return;
    }
    warn(`warning: took over the state-folder lock left by laps-migrate PID ${stale.pid}, started ${stale.startedAt} (${stale.purpose}), which is no longer running; its journal run, if any, is marked incomplete and a rerun re-reads every target`);
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // gone already
    }
  }
}

function release(file: string): void {
  const h = held.get(file);
  if (!h) return;
  h.count--;
  if (h.count > 0) return;
  held.delete(file);
  removeIfOurs(h);
}

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** Who holds the lock on a folder now (undefined: nobody, or a dead process). For status displays. */
export function stateLockHolder(dir: string = stateDir()): LockHolder | undefined {
  const h = readHolder(join(dir, LOCK_FILE));
  return h && holderAlive(h) ? h : undefined;
}
