/**
 * What integration tests use to reach the lab: its manifest, binds as the seeded accounts,
 * a one-second reset to the seeded state, and the built CLI run as a user would run it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { labReset, readManifest } from '../../src/lab/lab.js';
import type { LabManifest } from '../../src/lab/manifest.js';

export function labDir(): string {
  return inject('labDir');
}

export function testRoot(): string {
  return inject('testRoot');
}

export function lab(): LabManifest {
  const m = readManifest(labDir());
  if (!m) throw new Error(`no lab manifest in ${labDir()}`);
  return m;
}

export function passwordOf(accountKey: string): string {
  const a = lab().accounts[accountKey];
  if (!a) throw new Error(`no lab account "${accountKey}"`);
  return readFileSync(a.passwordFile, 'utf8');
}

export async function connectAs(accountKey: string): Promise<LdapDirectory> {
  const m = lab();
  const a = m.accounts[accountKey];
  if (!a) throw new Error(`no lab account "${accountKey}"`);
  return LdapDirectory.connect({ server: m.urls.ldaps, caFile: m.caFile, user: a.userPrincipalName, password: passwordOf(accountKey) });
}

export async function resetLab(): Promise<void> {
  await labReset(labDir());
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? join(testRoot(), 'config'),
    XDG_STATE_HOME: process.env.XDG_STATE_HOME ?? join(testRoot(), 'state'),
    NO_COLOR: '1',
    ...extra,
  };
}

/** Like cli(), without blocking the event loop (needed when the test itself serves a proxy). */
export function cliAsync(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(options.input ?? '');
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the built CLI with the test's config/state folders and no TTY. */
export function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    input: options.input ?? '',
    env: cliEnv(options.env),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every file below a folder, concatenated (for tests that grep a journal for secrets). */
export function readTreeText(dir: string): string {
  let text = '';
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    text += f.isDirectory() ? readTreeText(join(dir, f.name)) : readFileSync(join(dir, f.name), 'utf8');
  }
  return text;
}
