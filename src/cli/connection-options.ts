/**
 * Connection flags shared by every command that talks to a DC (CONVENTIONS "Command line"),
 * and the code that turns them (plus an optional profile) into a bound Directory.
 */
import { readFileSync, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ExitCode, InputError, UserError } from '../errors.js';
import { getProfile, type Profile } from '../config/profiles.js';
import type { Directory } from '../directory/types.js';

export interface ConnectionFlags {
  server?: string;
  starttls?: boolean;
  insecurePlainLdap?: boolean;
  caFile?: string;
  user?: string;
  passwordFile?: string;
  baseDn?: string;
  profile?: string;
  timeout?: string;
  nonInteractive?: boolean;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'named connection from config.yaml ("laps-migrate lab up" writes "lab")')
    .option('--server <url>', 'ldaps://dc.example.com (default scheme), or ldap://... with --starttls')
    .option('--starttls', 'upgrade an ldap:// connection with StartTLS')
    .option('--insecure-plain-ldap', 'allow ldap:// without TLS (lab only; warns on every run)')
    .option('--ca-file <pem>', 'CA certificate(s) to verify the DC certificate (default: system store)')
    .option('--user <name>', 'bind as UPN (user@domain), DOMAIN\\name or DN')
    .option('--password-file <file>', 'read the bind password from this file (else LAPS_MIGRATE_PASSWORD, else the profile\'s passwordFile, else a prompt)')
    .option('--base-dn <dn>', 'search base (default: the rootDSE defaultNamingContext)')
    .addOption(new Option('--timeout <seconds>', 'connect timeout in seconds').default('30'))
    .option('--non-interactive', 'never prompt; fail when a decision or secret is missing (implied without a TTY)');
}

export interface ResolvedConnection extends Profile {
  user: string;
  password: string;
  timeoutMs: number;
}

function readPasswordFile(file: string): string {
  let text: string;
  try {
    const st = statSync(file);
    if ((st.mode & 0o077) !== 0) {
      process.stderr.write(`warning: password file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it\n`);
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read password file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const pw = text.replace(/\r?\n$/, '');
  if (!pw) throw new InputError(`password file ${file} is empty`);
  return pw;
}

export function isInteractive(flags: { nonInteractive?: boolean }): boolean {
  return !flags.nonInteractive && !!process.stdin.isTTY && !!process.stdout.isTTY;
}

/** Connection settings below the flags and the environment, above the profile (a playbook's). */
export interface ConnectionDefaults {
  passwordFile?: string;
}

/**
 * Flags > environment > playbook > profile, for every setting: the password comes from
 * --password-file, else LAPS_MIGRATE_PASSWORD, else the playbook's or the profile's passwordFile
 * (the profile's only when --user did not name someone else), else a prompt in a terminal.
 */
export async function resolveConnection(flags: ConnectionFlags, defaults: ConnectionDefaults = {}): Promise<ResolvedConnection> {
  const profile: Partial<Profile> = flags.profile ? getProfile(flags.profile) : {};
  const server = flags.server ?? profile.server;
  if (!server) throw new InputError('no server given', { advice: 'Pass --server ldaps://dc.example.com or --profile NAME.' });
  const user = flags.user ?? profile.user;
  if (!user) throw new InputError('no user given', { advice: 'Pass --user (UPN, DOMAIN\\name or DN) or use a profile that names one.' });
  const timeoutSec = Number(flags.timeout ?? '30');
  if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) throw new InputError(`--timeout must be a positive number of seconds, not "${flags.timeout}"`);
  let password: string | undefined;
  const storedFile = defaults.passwordFile ?? (flags.user ? undefined : profile.passwordFile);
  if (flags.passwordFile) password = readPasswordFile(flags.passwordFile);
  else if (process.env.LAPS_MIGRATE_PASSWORD) password = process.env.LAPS_MIGRATE_PASSWORD;
  else if (storedFile) password = readPasswordFile(storedFile);
  else if (isInteractive(flags)) {
    const { password: prompt } = await import('@inquirer/prompts');
    password = await prompt({ message: `Password for ${user}:`, mask: '*' });
  } else {
    throw new UserError(`no password for ${user}`, ExitCode.USAGE, {
      advice: 'Set LAPS_MIGRATE_PASSWORD, pass --password-file FILE, or run in a terminal to be prompted.',
    });
  }
  const resolved: ResolvedConnection = {
    server,
    user,
    password,
    timeoutMs: timeoutSec * 1000,
  };
  const startTls = flags.starttls ?? profile.startTls;
  if (startTls !== undefined) resolved.startTls = startTls;
  const insecure = flags.insecurePlainLdap ?? profile.insecurePlainLdap;
  if (insecure !== undefined) resolved.insecurePlainLdap = insecure;
  const caFile = flags.caFile ?? profile.caFile;
  if (caFile !== undefined) resolved.caFile = caFile;
  const baseDn = flags.baseDn ?? profile.baseDn;
  if (baseDn !== undefined) resolved.baseDn = baseDn;
  return resolved;
}

/** Resolves the flags and binds. The caller closes the returned Directory. */
export async function openDirectory(flags: ConnectionFlags, defaults: ConnectionDefaults = {}): Promise<Directory> {
  const c = await resolveConnection(flags, defaults);
  const { LdapDirectory } = await import('../directory/ldap-directory.js');
  return LdapDirectory.connect({
    server: c.server,
    startTls: !!c.startTls,
    insecurePlainLdap: !!c.insecurePlainLdap,
    ...(c.caFile ? { caFile: c.caFile } : {}),
    user: c.user,
    password: c.password,
    timeoutMs: c.timeoutMs,
  });
}

/** The search base: --base-dn / profile baseDn, else the rootDSE default naming context. */
export async function baseDnOf(dir: Directory, flags: ConnectionFlags): Promise<string> {
  if (flags.baseDn) return flags.baseDn;
  if (flags.profile) {
    const p = getProfile(flags.profile);
    if (p.baseDn) return p.baseDn;
  }
  return (await dir.rootDse()).defaultNamingContext;
}
