/** The state-folder lock: exit 8 naming the holder, dead holders taken over, re-entrant, released. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireStateLock, stateLockHolder, StateLockedError } from '../../../src/config/state-lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'laps-lock-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('acquireStateLock', () => {
  it('writes the holder (PID, start time, purpose) as a 0600 file and removes it on release', () => {
    const release = acquireStateLock('permissions --apply', { dir });
    const file = join(dir, 'lock');
    const holder = JSON.parse(readFileSync(file, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), purpose: 'permissions --apply', startedAt: expect.any(String) });
    expect(stateLockHolder(dir)?.pid).toBe(process.pid);
    release();
    release();
    expect(existsSync(file)).toBe(false);
  });

  it('is re-entrant in one process: the last release removes the file', () => {
    const outer = acquireStateLock('run', { dir });
    const inner = acquireStateLock('permissions', { dir });
    inner();
    expect(existsSync(join(dir, 'lock'))).toBe(true);
    outer();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('refuses with exit 8 while a live process holds it, naming its PID and start time', () => {
    const startedAt = '2026-01-02T03:04:05.000Z';
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt, purpose: 'run --playbook x.yaml' }));
    let err: unknown;
    try {
      acquireStateLock('rollback', { dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateLockedError);
    expect(err).toMatchObject({ exitCode: 8, reason: 'STATE_LOCKED' });
    expect((err as Error).message).toContain(`PID ${process.ppid}`);
    expect((err as Error).message).toContain(startedAt);
    // the holder's file is untouched
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')).pid).toBe(process.ppid);
  });

  it('takes over a lock left by a dead process, with a warning', () => {
    const pid = deadPid();
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', purpose: 'permissions --apply' }));
    const warnings: string[] = [];
    const release = acquireStateLock('rollback', { dir, warn: (l) => warnings.push(l) });
    expect(warnings.join()).toMatch(new RegExp(`took over .* PID ${pid}, started 2026-01-01T00:00:00.000Z`));
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('a PID reused by another process (different process start) counts as dead', () => {
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 'x', processStart: '1', purpose: 'old' }));
    const warnings: string[] = [];
    const release = acquireStateLock('new', { dir, warn: (l) => warnings.push(l) });
    // on Linux the parent's start time is readable and differs from "1"; elsewhere the holder counts as live
    expect(warnings).toHaveLength(existsSync('/proc/self/stat') ? 1 : 0);
    release();
  });
});
