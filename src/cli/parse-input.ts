/**
 * The one place flag and file inputs are checked (issue 21, part 4): every malformed value is an
 * InputError (exit 2) that names the flag, raised before anything connects or is written.
 * Numbers are plain decimal digits in documented ranges; DNs are checked for syntax (RFC 4514:
 * attribute=value RDNs, nothing empty, escapes complete); server URLs are ldap(s)://host[:port];
 * paths are checked for what the command will do with them (read a file, write a file, write
 * into a folder).
 */
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { dnProblem } from '../directory/dn.js';

export { dnProblem };

/** Documented ranges (README "Input validation"). */
export const RANGES = {
  days: { min: 0, max: 3650, unit: 'days' },
  timeoutSeconds: { min: 1, max: 3600, unit: 'seconds' },
  labComputers: { min: 0, max: 200_000, unit: 'computers' },
  port: { min: 1, max: 65_535, unit: '' },
  connections: { min: 1, max: 16, unit: 'connections' },
} as const;

export interface NumberRange {
  min: number;
  max: number;
  unit?: string;
}

/** A whole number written as plain decimal digits ("90"; not "1e9", "0x10", "+3", "7.0", " 7"). */
export function parseWholeNumber(flag: string, text: string | undefined, range: NumberRange): number {
  const t = text ?? '';
  const what = `a whole number from ${range.min} to ${range.max}${range.unit ? ` (${range.unit})` : ''}`;
  if (!/^[0-9]{1,12}$/.test(t)) throw new InputError(`${flag} must be ${what} written with the digits 0-9, not "${t}"`, { reason: 'BAD_NUMBER' });
  const n = Number(t);
  if (n < range.min || n > range.max) throw new InputError(`${flag} must be ${what}, not ${t}`, { reason: 'NUMBER_OUT_OF_RANGE' });
  return n;
}

/** A syntactically valid DN, or InputError naming the flag. */
export function parseDn(flag: string, dn: string | undefined): string {
  const problem = dnProblem(dn ?? '');
  if (problem) {
    throw new InputError(`${flag} "${dn ?? ''}" is not a distinguished name: ${problem}`, {
      reason: 'BAD_DN',
      advice: 'Give a DN such as OU=Workstations,DC=example,DC=com (escape "," in names as "\\,").',
    });
  }
  return dn!.trim();
}

export interface ServerUrl {
  url: string;
  scheme: 'ldap' | 'ldaps';
  host: string;
  port: number;
}

/** ldaps://host[:port] or ldap://host[:port]; a bare host means ldaps. */
export function parseServerUrl(flag: string, text: string | undefined): ServerUrl {
  const raw = (text ?? '').trim();
  const bad = (why: string): never => {
    throw new InputError(`${flag} "${raw}" is not a server address: ${why}`, { reason: 'BAD_SERVER_URL', advice: 'Give ldaps://dc.example.com[:636], or ldap://dc.example.com with --starttls.' });
  };
  if (!raw) bad('it is empty');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `ldaps://${raw}`;
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-fA-F:.]+\]|[^/:?#\s[\]@]*)(?::([^/?#]*))?(\/?)$/i.exec(withScheme);
  if (!m) bad('expected scheme://host[:port] with no path, user or query');
  const scheme = m![1]!.toLowerCase();
  if (scheme !== 'ldap' && scheme !== 'ldaps') bad(`the scheme must be ldaps:// or ldap://, not ${scheme}://`);
  const host = m![2]!;
  if (!host) bad('the host name is missing');
  if (!host.startsWith('[') && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(host)) bad(`"${host}" is not a host name or IP address`);
  let port = scheme === 'ldaps' ? 636 : 389;
  if (m![3] !== undefined) port = parseWholeNumber(`${flag} (port)`, m![3], RANGES.port);
  return { url: `${scheme}://${host}${m![3] !== undefined ? `:${port}` : ''}`, scheme: scheme as 'ldap' | 'ldaps', host, port };
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'error';
}

/** A file the command will read: it exists, is a file, is readable. Returns the path. */
export function inputFile(flag: string, path: string | undefined): string {
  if (!path) throw new InputError(`${flag} needs a file name`, { reason: 'BAD_PATH' });
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new InputError(`${flag} ${path}: ${errnoOf(e) === 'ENOENT' ? 'no such file' : `cannot be read (${errnoOf(e)})`}`, { reason: 'BAD_PATH' });
  }
  if (st.isDirectory()) throw new InputError(`${flag} ${path} is a folder, not a file`, { reason: 'BAD_PATH' });
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    throw new InputError(`${flag} ${path} cannot be read (${errnoOf(e)})`, { reason: 'BAD_PATH' });
  }
  return path;
}

/** The nearest existing ancestor of a path must be a writable folder (mkdir -p can then make the rest). */
function creatableUnder(flag: string, path: string): void {
  let cur = resolve(path);
  for (;;) {
    let st;
    try {
      st = statSync(cur);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT' && errnoOf(e) !== 'ENOTDIR') throw new InputError(`${flag} ${path}: cannot check ${cur} (${errnoOf(e)})`, { reason: 'BAD_PATH' });
      const up = dirname(cur);
      if (up === cur) throw new InputError(`${flag} ${path}: no existing folder above it`, { reason: 'BAD_PATH' });
      cur = up;
      continue;
    }
    if (!st.isDirectory()) throw new InputError(`${flag} ${path}: ${cur} is a file, not a folder`, { reason: 'BAD_PATH' });
    try {
      accessSync(cur, constants.W_OK | constants.X_OK);
    } catch {
      throw new InputError(`${flag} ${path}: the folder ${cur} is not writable`, { reason: 'BAD_PATH' });
    }
    return;
  }
}

/** A folder the command will write into (created if missing): not a file, and creatable. */
export function outputDir(flag: string, path: string | undefined): string {
  if (!path) throw new InputError(`${flag} needs a folder name`, { reason: 'BAD_PATH' });
  creatableUnder(flag, path);
  return path;
}

/** A file the command will write: its folder exists, and the path is not a folder. */
export function outputFile(flag: string, path: string | undefined): string {
  if (!path) throw new InputError(`${flag} needs a file name`, { reason: 'BAD_PATH' });
  let st;
  try {
    st = statSync(path);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new InputError(`${flag} ${path} is a folder; give a file name`, { reason: 'BAD_PATH' });
  const parent = dirname(resolve(path));
  let pst;
  try {
    pst = statSync(parent);
  } catch {
    throw new InputError(`${flag} ${path}: the folder ${parent} does not exist`, { reason: 'BAD_PATH', advice: 'Create the folder first, or give a path in an existing one.' });
  }
  if (!pst.isDirectory()) throw new InputError(`${flag} ${path}: ${parent} is not a folder`, { reason: 'BAD_PATH' });
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch {
    throw new InputError(`${flag} ${path}: the folder ${parent} is not writable`, { reason: 'BAD_PATH' });
  }
  return path;
}

/** A CA file: readable, with at least one PEM certificate that parses (checked before any TLS). */
export function caFile(flag: string, path: string | undefined): string {
  inputFile(flag, path);
  const text = readFileSync(path!, 'latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new InputError(`${flag} ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, { reason: 'BAD_CA_FILE', advice: 'Give the CA certificate(s) that signed the DC certificate, in PEM form (openssl x509 -inform der -in ca.cer -out ca.pem).' });
  for (const [i, b] of blocks.entries()) {
    try {
      new X509Certificate(b);
    } catch {
      throw new InputError(`${flag} ${path}: certificate ${i + 1} of ${blocks.length} is damaged (not valid PEM/DER)`, { reason: 'BAD_CA_FILE' });
    }
  }
  return path!;
}

/** The state folder: a folder (or creatable), not a file. */
export function stateDirInput(flag: string, path: string): string {
  return outputDir(flag, path);
}
