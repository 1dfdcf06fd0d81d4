/**
 * The GSS client context for a Kerberos LDAP bind, from MongoDB's native `kerberos` binding (an
 * optional dependency: loaded only when --kerberos is used, with plain advice when it is absent).
 * Credentials come from the ticket cache (KRB5CCNAME) or, for cron, a client keytab: MIT Kerberos
 * then gets the ticket itself into a private in-memory cache, so nothing is written to disk.
 */
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { ExitCode, InputError, UserError } from '../errors.js';
import type { GssClient } from './gssapi-sasl.js';

/** A failure reported by GSSAPI / MIT Kerberos (its "major: minor" text), decoded by kerberos-errors. */
export class GssError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GssError';
  }
}

async function gss<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw new GssError(e instanceof Error ? e.message : String(e), { cause: e });
  }
}

/** The part of the binding's API we use (its own .d.ts names the flags option wrongly). */
interface NativeClient {
  step(challenge: string): Promise<string>;
  unwrap(challenge: string): Promise<string>;
  wrap(challenge: string, options?: { user?: string; protect?: boolean }): Promise<string>;
  readonly contextComplete: boolean;
  readonly username: string;
  readonly response: string;
}
interface NativeModule {
  initializeClient(service: string, options?: { principal?: string; flags?: number; mechOID?: number }): Promise<NativeClient>;
  GSS_C_MUTUAL_FLAG: number;
  GSS_C_SEQUENCE_FLAG: number;
  version?: string;
}

export interface KerberosBindOptions {
  /** Client principal (user@REALM); default: the ticket cache's principal. Required with a keytab. */
  principal?: string;
  /** Client keytab for unattended runs. */
  keytab?: string;
  /** Host part of the service principal ldap/<host>; default: the DC's dnsHostName. */
  spnHost?: string;
}

export const KERBEROS_INSTALL_ADVICE =
  'Kerberos needs the optional native module "kerberos" (npm, 7.x; Node 20.19+). Install the build tools and MIT Kerberos headers ' +
  '(Debian: apt-get install libkrb5-dev build-essential python3), then run "npm install kerberos@7" in the laps-migrate folder. ' +
  'Without it, bind with --user and a password (LAPS_MIGRATE_PASSWORD, --password-file or the prompt).';

let loaded: Promise<NativeModule> | undefined;

/** Loads the binding; `importer` is replaceable so tests can play a machine without it. */
export async function loadKerberosBinding(importer: (specifier: string) => Promise<unknown> = (s) => import(s)): Promise<NativeModule> {
  const specifier = 'kerberos'; // a variable, so the build does not need the optional module
  try {
    const mod = (await importer(specifier)) as { default?: NativeModule } & NativeModule;
    const native = mod.default ?? mod;
    if (typeof native.initializeClient !== 'function') throw new Error('the kerberos module has no initializeClient');
    return native;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ERR_MODULE_NOT_FOUND' ? 'is not installed' : `could not be loaded (${(e as Error).message.split('\n')[0]})`;
    throw new UserError(`--kerberos: the Kerberos module ${what}`, ExitCode.CONNECTION, { reason: 'KERBEROS_MODULE_MISSING', advice: KERBEROS_INSTALL_ADVICE, cause: e });
  }
}

/** user@realm.example -> user@REALM.EXAMPLE (AD realms are the upper-case DNS domain). */
export function normalisePrincipal(name: string): string {
  const text = name.trim();
  if (/^[a-z]+=/i.test(text) || text.includes('\\')) {
    throw new InputError(`--user "${name}" is not a Kerberos principal: with --kerberos give user@REALM (or leave --user out to use the ticket's principal)`);
  }
  const at = text.lastIndexOf('@');
  if (at <= 0) return text;
  return `${text.slice(0, at)}@${text.slice(at + 1).toUpperCase()}`;
}

/** Checks the options before any network traffic: a keytab must be readable and name its principal. */
export function checkKerberosOptions(o: KerberosBindOptions): void {
  if (o.keytab) {
    try {
      accessSync(o.keytab, constants.R_OK);
    } catch (e) {
      throw new InputError(`cannot read --keytab ${o.keytab}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (!o.principal) throw new InputError('--keytab needs --user PRINCIPAL (user@REALM): the keytab entry to use');
  }
  if (o.spnHost !== undefined && isIP(o.spnHost)) {
    throw new InputError(`--spn-host ${o.spnHost} is an address: Kerberos service principals name the DC by its DNS name (e.g. dc1.example.com)`);
  }
  if (o.spnHost !== undefined && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(o.spnHost)) {
    throw new InputError(`--spn-host "${o.spnHost}" is not a host name (give the DC's DNS name, e.g. dc1.example.com)`);
  }
}

/**
 * A GSS context for ldap/<host>. With a keytab, MIT's client keytab (KRB5_CLIENT_KTNAME) and a
 * per-process memory cache are set for this process before the first Kerberos call.
 */
export async function openGssClient(o: KerberosBindOptions, host: string): Promise<GssClient> {
  checkKerberosOptions(o);
  const native = await (loaded ??= loadKerberosBinding().catch((e: unknown) => {
    loaded = undefined;
    throw e;
  }));
  if (o.keytab) {
    process.env.KRB5_CLIENT_KTNAME = `FILE:${o.keytab}`;
    process.env.KRB5CCNAME = `MEMORY:laps-migrate-${process.pid}`;
  }
  const client = await gss(
    native.initializeClient(`ldap@${host}`, {
      ...(o.principal ? { principal: normalisePrincipal(o.principal) } : {}),
      flags: native.GSS_C_MUTUAL_FLAG | native.GSS_C_SEQUENCE_FLAG,
    }),
  );
  const b64 = (b: Buffer) => b.toString('base64');
  const bytes = (s: string | undefined) => Buffer.from(s ?? '', 'base64');
  return {
    async step(serverToken) {
      return bytes(await gss(client.step(b64(serverToken))));
    },
    get complete() {
      return client.contextComplete;
    },
    async unwrap(token) {
      return bytes(await gss(client.unwrap(b64(token))));
    },
    // the binding always treats the input as the server's offer: it writes "no layer" into the
    // first byte, keeps the size bytes and appends the (empty) authorization identity, which is
    // exactly the choice gssapiSaslBind makes
    async wrap(message) {
      return bytes(await gss(client.wrap(b64(message), { protect: false })));
    },
    get principal() {
      return client.username;
    },
  };
}
