/**
 * Connection flags shared by every command that talks to a DC (CONVENTIONS "Command line"),
 * and the code that turns them (plus an optional profile) into a bound Directory.
 */
import { readFileSync, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ExitCode, InputError, UserError } from '../errors.js';
import { getProfile, type Profile } from '../config/profiles.js';
import type { Directory } from '../directory/types.js';
import { caFile as checkCaFile, inputFile, parseDn, parseServerUrl, parseWholeNumber, RANGES } from './parse-input.js';

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

/** Where a connection setting came from, for messages: the flag, or the profile's key. */
function sourceName(flag: string, key: string, flags: ConnectionFlags, fromFlag: boolean): string {
  return fromFlag ? flag : `${flag} (profile "${flags.profile}" ${key})`;
}

/**
 * Checks every connection input (flags and the profile they select) without connecting or
 * prompting: server URL and port, --starttls fit, CA file (must hold a PEM certificate), user,
 * password file, base DN, timeout. Each malformed value is an InputError naming its flag.
 * Called by resolveConnection; callers that validate all input up front may call it first.
 */
export function checkConnectionInput(flags: ConnectionFlags): void {
  const profile: Partial<Profile> = flags.profile ? getProfile(flags.profile) : {};
  const server = flags.server ?? profile.server;
  if (server !== undefined) {
    const url = parseServerUrl(sourceName('--server', 'server', flags, flags.server !== undefined), server);
    if ((flags.starttls ?? profile.startTls) && url.scheme === 'ldaps') throw new InputError('--starttls goes with ldap:// URLs; ldaps:// is already TLS', { reason: 'BAD_SERVER_URL' });
  }
  const ca = flags.caFile ?? profile.caFile;
  if (ca !== undefined) checkCaFile(sourceName('--ca-file', 'caFile', flags, flags.caFile !== undefined), ca);
  const baseDn = flags.baseDn ?? profile.baseDn;
  if (baseDn !== undefined) parseDn(sourceName('--base-dn', 'baseDn', flags, flags.baseDn !== undefined), baseDn);
  const user = flags.user ?? profile.user;
  if (user !== undefined) {
    const name = sourceName('--user', 'user', flags, flags.user !== undefined);
    if (user.trim() === '' || [...user].some((ch) => ch.charCodeAt(0) < 0x20)) throw new InputError(`${name} must be a UPN (user@domain), DOMAIN\\name or DN, not "${user}"`, { reason: 'BAD_USER' });
    if (/^[A-Za-z][A-Za-z0-9-]*=/.test(user)) parseDn(name, user);
  }
  const passwordFile = flags.passwordFile ?? (flags.user ? undefined : profile.passwordFile);
  if (passwordFile !== undefined) inputFile(sourceName('--password-file', 'passwordFile', flags, flags.passwordFile !== undefined), passwordFile);
  parseWholeNumber('--timeout', flags.timeout ?? '30', RANGES.timeoutSeconds);
}

/**
 * Flags > environment > playbook > profile, for every setting: the password comes from
 * --password-file, else LAPS_MIGRATE_PASSWORD, else the playbook's or the profile's passwordFile
 * (the profile's only when --user did not name someone else), else a prompt in a terminal.
 */
export async function resolveConnection(flags: ConnectionFlags, defaults: ConnectionDefaults = {}): Promise<ResolvedConnection> {
  checkConnectionInput(flags);
  const profile: Partial<Profile> = flags.profile ? getProfile(flags.profile) : {};
  const server = flags.server ?? profile.server;
  if (!server) throw new InputError('no server given', { advice: 'Pass --server ldaps://dc.example.com or --profile NAME.' });
  const user = flags.user ?? profile.user;
  if (!user) throw new InputError('no user given', { advice: 'Pass --user (UPN, DOMAIN\\name or DN) or use a profile that names one.' });
  const timeoutSec = parseWholeNumber('--timeout', flags.timeout ?? '30', RANGES.timeoutSeconds);
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

/**
 * The search base: --base-dn / profile baseDn (which must exist: exit 2 naming the flag), else
 * the rootDSE default naming context.
 */
export async function baseDnOf(dir: Directory, flags: ConnectionFlags): Promise<string> {
  const given = flags.baseDn ?? (flags.profile ? getProfile(flags.profile).baseDn : undefined);
  if (!given) return (await dir.rootDse()).defaultNamingContext;
  const flag = sourceName('--base-dn', 'baseDn', flags, flags.baseDn !== undefined);
  const dn = parseDn(flag, given);
  const { assertEntryExists } = await import('../directory/assert-entry.js');
  await assertEntryExists(dir, dn, flag);
  return dn;
}
