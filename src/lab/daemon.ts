/**
 * Starts and stops the lab's samba daemon. It runs detached (so `lab up` can return) with a
 * generous --maximum-runtime, after which it ends by itself; `lab status` says when it died.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync, writeFileSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { ExitCode, UserError } from '../errors.js';
import type { LabLayout } from './provision.js';

/** Seconds the daemon lives at most (12 hours): a forgotten lab does not run forever. */
export const MAX_RUNTIME_SECONDS = 12 * 3600;

export function readPid(layout: LabLayout): number | undefined {
  if (!existsSync(layout.pidFile)) return undefined;
  const pid = Number(readFileSync(layout.pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie or a recycled pid is not our samba
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('samba');
  } catch {
    return true;
  }
}

function portOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export async function startDaemon(layout: LabLayout, ip: string): Promise<number> {
  const existing = readPid(layout);
  if (isAlive(existing)) return existing!;
  if (await portOpen(ip, 636, 300)) {
    throw new UserError(`something else already listens on ${ip}:636`, ExitCode.CONNECTION, { advice: 'Stop it, or choose another --ip (127.0.0.2, 127.0.0.3, ...).' });
  }
  const out = openSync(layout.logFile, 'a', 0o600);
  const child = spawn(
    '/usr/sbin/samba',
    ['-s', layout.smbConf, '-F', '--no-process-group', `--maximum-runtime=${MAX_RUNTIME_SECONDS}`],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new UserError('could not start samba', ExitCode.BUG);
  writeFileSync(layout.pidFile, `${pid}\n`, { mode: 0o600 });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      const tail = existsSync(layout.logFile) ? readFileSync(layout.logFile, 'utf8').trim().split('\n').slice(-8).join('\n') : '';
      throw new UserError(`samba exited while starting:\n${tail}`, ExitCode.BUG);
    }
    if ((await portOpen(ip, 636, 300)) && (await portOpen(ip, 389, 300))) return pid;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new UserError(`samba did not answer on ${ip}:636 within 30 s (log: ${layout.logFile})`, ExitCode.CONNECTION);
}

export async function stopDaemon(layout: LabLayout, ip?: string): Promise<boolean> {
  const pid = readPid(layout);
  if (!isAlive(pid)) {
    if (existsSync(layout.pidFile)) unlinkSync(layout.pidFile);
    return false;
  }
  process.kill(pid!, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid!, 'SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  // prefork workers hold the listening sockets: the DC is down once nobody answers any more
  if (ip) {
    const until = Date.now() + 10_000;
    while (Date.now() < until && ((await portOpen(ip, 636, 200)) || (await portOpen(ip, 389, 200)))) await new Promise((r) => setTimeout(r, 100));
  }
  if (existsSync(layout.pidFile)) unlinkSync(layout.pidFile);
  return true;
}
