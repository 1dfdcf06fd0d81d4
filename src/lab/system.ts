/**
 * Host checks and Debian package installation for the lab. Installing packages is a side
 * effect on an admin's machine: only with --install-packages, or after asking in a terminal.
 */
import { existsSync, readFileSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ExitCode, UserError } from '../errors.js';

export const LAB_PACKAGES = ['samba-ad-dc', 'samba-ad-provision', 'ldb-tools', 'ldap-utils', 'openssl', 'python3-samba'];
const NEEDED_BINARIES = ['/usr/sbin/samba', '/usr/bin/samba-tool', '/usr/bin/ldbadd', '/usr/bin/ldapsearch', '/usr/bin/openssl'];

export function missingBinaries(): string[] {
  return NEEDED_BINARIES.filter((b) => !existsSync(b));
}

export function isDebian(): boolean {
  return existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Installs the lab's Debian packages. Package scripts would start smbd/nmbd: a policy-rc.d that
 * exits 101 keeps them from starting; one we create is removed again afterwards.
 */
export function installPackages(log: (line: string) => void): void {
  if (!isDebian()) throw new UserError('installing the lab packages needs Debian (apt-get); this machine is not Debian', ExitCode.USAGE);
  if (!isRoot()) {
    throw new UserError('installing the lab packages needs root', ExitCode.ACCESS_DENIED, {
      advice: `Run as root, or install them first: apt-get install --no-install-recommends ${LAB_PACKAGES.join(' ')}`,
    });
  }
  const policy = '/usr/sbin/policy-rc.d';
  const created = !existsSync(policy);
  if (created) {
    writeFileSync(policy, '#!/bin/sh\n# written by laps-migrate lab while installing packages; removed afterwards\nexit 101\n');
    chmodSync(policy, 0o755);
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log('apt-get update');
    let r = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    if (r.status !== 0) throw new UserError(`apt-get update failed: ${r.stderr?.toString().trim().split('\n').pop() ?? ''}`, ExitCode.USAGE);
    log(`apt-get install ${LAB_PACKAGES.join(' ')}`);
    r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...LAB_PACKAGES], { stdio: ['ignore', 'ignore', 'pipe'], env });
    if (r.status !== 0) throw new UserError(`apt-get install failed: ${r.stderr?.toString().trim().split('\n').pop() ?? ''}`, ExitCode.USAGE);
  } finally {
    if (created && existsSync(policy) && readFileSync(policy, 'utf8').includes('laps-migrate')) unlinkSync(policy);
  }
  const still = missingBinaries();
  if (still.length) throw new UserError(`after installing, these are still missing: ${still.join(', ')}`, ExitCode.USAGE);
}

/** Runs a command, throwing a UserError with its last stderr lines when it fails. Never echoes arguments (they may hold passwords). */
export function run(cmd: string, args: string[], what: string, options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: options.env ?? process.env,
    input: options.input,
    cwd: options.cwd,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new UserError(`${what} failed: ${r.error.message}`, ExitCode.BUG);
  if (r.status !== 0) {
    const tail = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.trim().split('\n').slice(-6).join('\n');
    throw new UserError(`${what} failed (exit ${r.status}):\n${tail}`, ExitCode.BUG);
  }
  return r.stdout ?? '';
}
