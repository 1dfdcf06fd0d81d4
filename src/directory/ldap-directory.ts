/**
 * The live Directory over LDAP (ldapts): LDAPS or StartTLS with certificate verification by
 * default, simple or Kerberos bind, paged searches as async iterators, the SD-flags control.
 * (Over 400 lines: one class that owns the ldapts client and the socket watch every operation
 * goes through; the bind protocols, error mapping and controls live in their own files.)
 */
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { isIP } from 'node:net';
import { Attribute, BerWriter, Change, Client, Control, type Entry } from 'ldapts';
import { ExitCode, InputError, UserError } from '../errors.js';
import { escapeFilterValue } from './entry.js';
import { mapLdapError, type ErrorContext } from './ldap-errors.js';
import { sidToString } from '../dtyp/sid.js';
import type { KerberosBindOptions } from './kerberos-gss.js';
import type { BoundIdentity, ConnectionFacts, DirEntry, Directory, Modification, RootDse, SearchOptions } from './types.js';

/** LDAP_SERVER_SD_FLAGS_OID: which parts of nTSecurityDescriptor to read or write. */
export class SdFlagsControl extends Control {
  static readonly OID = '1.2.840.113556.1.4.801';
  readonly flags: number;
  constructor(flags: number) {
    super(SdFlagsControl.OID, { critical: true });
    this.flags = flags;
  }
  protected override writeControl(writer: BerWriter): void {
    const inner = new BerWriter();
    inner.startSequence();
    inner.writeInt(this.flags);
    inner.endSequence();
    writer.writeBuffer(inner.buffer, 0x04);
  }
}

export interface ConnectOptions {
  server: string;
  startTls?: boolean;
  insecurePlainLdap?: boolean;
  caFile?: string;
  /** Simple bind name (UPN, DOMAIN\\name or DN); with `kerberos`, the principal (optional). */
  user?: string;
  /** Simple bind password; not used with `kerberos`. */
  password?: string;
  /** SASL GSSAPI bind with the ticket cache or a keytab instead of a password. */
  kerberos?: KerberosBindOptions;
  /** Milliseconds for connect and for each operation (0 = none for operations). */
  timeoutMs?: number;
  /** Called with warnings (plain LDAP). Defaults to stderr. */
  warn?: (msg: string) => void;
}

interface ParsedUrl {
  scheme: 'ldap' | 'ldaps';
  host: string;
  port: number;
  url: string;
}

export function parseServerUrl(server: string): ParsedUrl {
  let text = server.trim();
  if (!/^[a-z]+:\/\//i.test(text)) text = `ldaps://${text}`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new InputError(`--server "${server}" is not a valid LDAP URL`, { advice: 'Use ldaps://dc.example.com or ldap://dc.example.com with --starttls.' });
  }
  const scheme = u.protocol.replace(':', '').toLowerCase();
  if (scheme !== 'ldap' && scheme !== 'ldaps') {
    throw new InputError(`--server must use ldaps:// or ldap://, not ${scheme}://`);
  }
  if ((u.pathname && u.pathname !== '/') || u.search) {
    throw new InputError(`--server takes only scheme, host and port (got "${server}")`, { advice: 'Use --base-dn to choose the search base.' });
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : scheme === 'ldaps' ? 636 : 389;
  const hostForUrl = isIP(host) === 6 ? `[${host}]` : host;
  return { scheme, host, port, url: `${scheme}://${hostForUrl}:${port}` };
}

function certNames(cert: tls.PeerCertificate | undefined): string[] {
  if (!cert) return [];
  const names: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === 'string') names.push(`CN=${cn}`);
  else if (Array.isArray(cn)) for (const c of cn) names.push(`CN=${c}`);
  if (cert.subjectaltname) for (const part of cert.subjectaltname.split(/,\s*/)) names.push(part);
  return names;
}

function normaliseEntry(e: Entry): DirEntry {
  const attributes: Record<string, Array<string | Buffer>> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'dn') continue;
    const key = k.toLowerCase();
    const values = Array.isArray(v) ? (v as Array<string | Buffer>) : [v as string | Buffer];
    const existing = attributes[key];
    if (existing) existing.push(...values);
    else attributes[key] = values;
  }
  return { dn: e.dn, attributes };
}

/**
 * Attribute names some search declared binary (lower case). ldapts tries a strict UTF-8 decode of
 * every value it parses and only later swaps in the raw bytes for the explicit buffer attributes:
 * at 10,000 computers that was over a second of the cutover's main thread spent decoding (and
 * failing to decode, with an exception each) descriptors and encrypted blobs. Its parser asks
 * `Attribute#_isBinaryType` first (ldapts 8.2, pinned), so names declared binary skip the decode.
 * A name declared binary is binary by its syntax (SIDs, descriptors, blobs, metadata): once
 * declared it stays so for the process. Without the hook (another ldapts) only speed is lost.
 */
const declaredBinary = new Set<string>();
const attributeProto = Attribute.prototype as unknown as { _isBinaryType?: (this: { type: string }) => boolean };
const ldaptsIsBinary = attributeProto._isBinaryType;
if (typeof ldaptsIsBinary === 'function') {
  attributeProto._isBinaryType = function (this: { type: string }) {
    return declaredBinary.has(this.type.toLowerCase()) || ldaptsIsBinary.call(this);
  };
}

/** Values of these attributes are parsed as raw bytes from now on (exported for its test). */
export function declareBinaryAttributes(names: readonly string[]): void {
  for (const n of names) declaredBinary.add(n.toLowerCase());
}

function bufferNames(names: string[] | undefined): string[] {
  if (!names?.length) return [];
  declareBinaryAttributes(names);
  const out = new Set<string>();
  for (const n of names) {
    out.add(n);
    out.add(n.toLowerCase());
  }
  return [...out];
}

export class LdapDirectory implements Directory {
  readonly facts: ConnectionFacts;
  private readonly client: Client;
  private readonly ctx: ErrorContext;
  private rootDseCache: RootDse | undefined;
  private identityCache: BoundIdentity | undefined;
  private readonly bindName: string;

  private lost = false;
  /** Kept for fork(); never logged or shown. */
  private connectOptions: ConnectOptions | undefined;

  private constructor(client: Client, facts: ConnectionFacts, ctx: ErrorContext, bindName: string) {
    this.client = client;
    this.facts = facts;
    this.ctx = ctx;
    this.bindName = bindName;
    this.watchSocket();
  }

  /**
   * ldapts 8.2 does not notice when the TLS socket of a StartTLS session closes: requests in
   * flight would wait forever and the next one would go to a dead socket. Watch the socket
   * ourselves (ldapts is pinned to 8.2.0; these internals are checked by the lab tests).
   */
  private watchSocket(): void {
    const internals = this.client as unknown as {
      socket?: import('node:net').Socket;
      messageDetailsByMessageId?: Map<string, { reject: (e: Error) => void }>;
    };
    const socket = internals.socket;
    if (!socket) return;
    const onGone = () => {
      this.lost = true;
      const pending = internals.messageDetailsByMessageId;
      if (pending) {
        for (const [id, m] of pending) {
          pending.delete(id);
          m.reject(Object.assign(new Error('Connection closed before the response was received'), { code: 'ECONNRESET' }));
        }
      }
    };
    socket.once('close', onGone);
  }

  /** Connects, negotiates TLS as asked, binds; every failure becomes a UserError with exit 4 (or 6). */
  static async connect(options: ConnectOptions): Promise<LdapDirectory> {
    const parsed = parseServerUrl(options.server);
    const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
    const tlsMode: ConnectionFacts['tls'] = parsed.scheme === 'ldaps' ? 'ldaps' : options.startTls ? 'starttls' : 'plain';
    if (tlsMode === 'plain') {
      if (!options.insecurePlainLdap) {
        throw new UserError(`refusing plain LDAP to ${parsed.url}: the password and every value would cross the network unencrypted`, ExitCode.USAGE, {
          reason: 'PLAIN_LDAP_REFUSED',
          advice: 'Use ldaps://, or ldap:// with --starttls. Only for a lab: --insecure-plain-ldap.',
        });
      }
      warn(`plain LDAP to ${parsed.url} (--insecure-plain-ldap): credentials and data are NOT encrypted`);
    }
    if (parsed.scheme === 'ldaps' && options.startTls) {
      throw new InputError('--starttls goes with ldap:// URLs; ldaps:// is already TLS');
    }
    let ca: Buffer | undefined;
    if (options.caFile) {
      try {
        ca = readFileSync(options.caFile);
      } catch (e) {
        throw new InputError(`cannot read --ca-file ${options.caFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
        throw new InputError(`--ca-file ${options.caFile} holds no PEM certificate`);
      }
    }
    const ctx: ErrorContext = { url: parsed.url, host: parsed.host, port: parsed.port, ...(options.user ? { user: options.user } : {}), certificateNames: [] };
    const checkServerIdentity = (host: string, cert: tls.PeerCertificate): Error | undefined => {
      ctx.certificateNames = certNames(cert);
      return tls.checkServerIdentity(host, cert);
    };
    const tlsOptions: tls.ConnectionOptions = {
      rejectUnauthorized: true,
      checkServerIdentity,
      minVersion: 'TLSv1.2',
      ...(ca ? { ca } : {}),
      ...(isIP(parsed.host) ? {} : { servername: parsed.host }),
    };
    const timeout = options.timeoutMs ?? 30_000;
    const client = new Client({
      url: parsed.url,
      connectTimeout: timeout,
      timeout: 0,
      ...(parsed.scheme === 'ldaps' ? { tlsOptions } : {}),
    });
    let kerberos: ConnectionFacts['kerberos'];
    try {
      if (tlsMode === 'starttls') {
        ctx.operation = 'StartTLS';
        await client.startTLS({ ...tlsOptions, host: parsed.host });
      }
      ctx.operation = 'bind';
      if (options.kerberos) {
        const { kerberosBind } = await import('./kerberos-bind.js');
        kerberos = await kerberosBind(client, { ...options.kerberos, ...(options.user ? { principal: options.user } : {}) }, parsed.host, parsed.port);
      } else {
        if (options.user === undefined || options.password === undefined) throw new UserError('a simple bind needs a user and a password', ExitCode.BUG);
        await client.bind(options.user, options.password);
      }
      ctx.operation = undefined;
    } catch (e) {
      await client.unbind().catch(() => undefined);
      if (tlsMode === 'starttls' && ctx.operation === 'StartTLS' && /unsupported|not supported|protocol error/i.test(String((e as Error)?.message))) {
        throw new UserError(`the server at ${parsed.url} does not offer StartTLS`, ExitCode.CONNECTION, { reason: 'STARTTLS_UNSUPPORTED', advice: 'Use ldaps:// instead.', cause: e });
      }
      throw mapLdapError(e, ctx);
    }
    const facts: ConnectionFacts = {
      url: parsed.url,
      tls: tlsMode,
      certificateVerified: tlsMode !== 'plain',
      certificateNames: [...(ctx.certificateNames ?? [])],
      ...(kerberos ? { kerberos } : {}),
    };
    const dir = new LdapDirectory(client, facts, ctx, kerberos?.principal ?? options.user ?? '');
    dir.connectOptions = options;
    return dir;
  }

  async fork(): Promise<LdapDirectory> {
    if (!this.connectOptions) throw new UserError('this connection cannot be duplicated', ExitCode.BUG);
    return LdapDirectory.connect({ ...this.connectOptions, warn: () => undefined });
  }

  /**
   * Binds this connection again as another account (the lab's device simulator reuses a few
   * connections for many computer accounts). Errors as for connect (wrong password: exit 4).
   */
  async rebind(user: string, password: string): Promise<void> {
    this.alive('bind');
    this.ctx.user = user;
    this.identityCache = undefined;
    try {
      await this.client.bind(user, password);
    } catch (e) {
      this.fail(e, 'bind');
    }
  }

  /**
   * ldapts reconnects silently when a connection drops, unbound (and after StartTLS, without
   * TLS). Never let that happen: a lost connection fails every later operation.
   */
  private alive(operation: string): void {
    if (this.lost || !this.client.isConnected) {
      throw new UserError(`the connection to ${this.ctx.host}:${this.ctx.port} was lost before ${operation}`, ExitCode.CONNECTION, {
        reason: 'CONNECTION_LOST',
        advice: 'Check the DC and the network, then run the command again; the journal says what was done.',
      });
    }
  }

  private fail(e: unknown, operation: string): never {
    throw mapLdapError(e, { ...this.ctx, operation });
  }

  async rootDse(): Promise<RootDse> {
    if (this.rootDseCache) return this.rootDseCache;
    const attrs = [
      'defaultNamingContext', 'configurationNamingContext', 'schemaNamingContext', 'rootDomainNamingContext',
      'namingContexts', 'dnsHostName', 'serverName', 'domainFunctionality', 'forestFunctionality',
      'domainControllerFunctionality', 'supportedControl', 'supportedLDAPVersion', 'isGlobalCatalogReady',
    ];
    let entry: Entry | undefined;
    this.alive('reading the rootDSE');
    try {
      const res = await this.client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: attrs });
      entry = res.searchEntries[0];
    } catch (e) {
      this.fail(e, 'reading the rootDSE');
    }
    if (!entry) throw new UserError('the server returned no rootDSE: is this an LDAP directory?', ExitCode.CONNECTION);
    const d = normaliseEntry(entry);
    const s = (n: string) => String(d.attributes[n.toLowerCase()]?.[0] ?? '');
    const all = (n: string) => (d.attributes[n.toLowerCase()] ?? []).map(String);
    this.rootDseCache = {
      defaultNamingContext: s('defaultNamingContext'),
      configurationNamingContext: s('configurationNamingContext'),
      schemaNamingContext: s('schemaNamingContext'),
      rootDomainNamingContext: s('rootDomainNamingContext'),
      namingContexts: all('namingContexts'),
      dnsHostName: s('dnsHostName'),
      serverName: s('serverName'),
      domainFunctionality: Number(s('domainFunctionality') || -1),
      forestFunctionality: Number(s('forestFunctionality') || -1),
      domainControllerFunctionality: Number(s('domainControllerFunctionality') || -1),
      supportedControl: all('supportedControl'),
      supportedLDAPVersion: all('supportedLDAPVersion'),
      isGlobalCatalogReady: s('isGlobalCatalogReady').toUpperCase() === 'TRUE',
    };
    return this.rootDseCache;
  }

  /** The bound account: DN via the "Who am I?" extended operation, SID and tokenGroups from its entry. */
  async whoAmI(): Promise<BoundIdentity> {
    if (this.identityCache) return this.identityCache;
    const root = await this.rootDse();
    let authzId = '';
    try {
      const res = await this.client.exop('1.3.6.1.4.1.4203.1.11.3');
      authzId = String(res.value ?? '');
    } catch {
      authzId = '';
    }
    let filter: string;
    const name = authzId.replace(/^(u:|dn:)/, '') || this.bindName;
    if (authzId.startsWith('dn:') || /^[a-z]+=/i.test(name)) {
      const dn = name;
      const entry = await this.read(dn, ['objectSid', 'tokenGroups'], { binaryAttributes: ['objectSid', 'tokenGroups'] });
      if (!entry) throw new UserError(`cannot read the bound account ${dn}`, ExitCode.ACCESS_DENIED);
      return (this.identityCache = identityFrom(entry));
    }
    if (name.includes('\\')) {
      filter = `(sAMAccountName=${escapeFilterValue(name.split('\\').pop() ?? '')})`;
    } else if (name.includes('@')) {
      const [sam] = name.split('@');
      filter = `(|(userPrincipalName=${escapeFilterValue(name)})(sAMAccountName=${escapeFilterValue(sam ?? '')}))`;
    } else {
      filter = `(sAMAccountName=${escapeFilterValue(name)})`;
    }
    const found = await this.searchAll({ base: root.defaultNamingContext, filter, attributes: ['objectSid'], binaryAttributes: ['objectSid'] });
    if (found.length !== 1) {
      throw new UserError(`cannot identify the bound account "${name}" in ${root.defaultNamingContext} (${found.length} matches)`, ExitCode.CONNECTION);
    }
    const entry = await this.read(found[0]!.dn, ['objectSid', 'tokenGroups'], { binaryAttributes: ['objectSid', 'tokenGroups'] });
    if (!entry) throw new UserError(`cannot read the bound account ${found[0]!.dn}`, ExitCode.ACCESS_DENIED);
    return (this.identityCache = identityFrom(entry));
  }

  async *searchPages(options: SearchOptions): AsyncIterable<DirEntry[]> {
    const controls = options.sdFlags !== undefined ? [new SdFlagsControl(options.sdFlags)] : undefined;
    this.alive(`searching ${options.base}`);
    try {
      const pages = this.client.searchPaginated(
        options.base,
        {
          scope: options.scope ?? 'sub',
          filter: options.filter ?? '(objectClass=*)',
          attributes: options.attributes,
          explicitBufferAttributes: bufferNames(options.binaryAttributes),
          paged: { pageSize: options.pageSize ?? 1000 },
          timeLimit: 0,
        },
        controls,
      );
      for await (const page of pages) {
        yield page.searchEntries.map(normaliseEntry);
      }
    } catch (e) {
      if (isNoSuchObject(e)) return;
      this.fail(e, `searching ${options.base}`);
    }
  }

  async searchAll(options: SearchOptions): Promise<DirEntry[]> {
    const out: DirEntry[] = [];
    for await (const page of this.searchPages(options)) out.push(...page);
    return out;
  }

  async read(dn: string, attributes: string[], options: { binaryAttributes?: string[]; sdFlags?: number } = {}): Promise<DirEntry | undefined> {
    const controls = options.sdFlags !== undefined ? [new SdFlagsControl(options.sdFlags)] : undefined;
    this.alive(`reading ${dn}`);
    try {
      const res = await this.client.search(
        dn,
        { scope: 'base', filter: '(objectClass=*)', attributes, explicitBufferAttributes: bufferNames(options.binaryAttributes), timeLimit: 0 },
        controls,
      );
      const e = res.searchEntries[0];
      return e ? normaliseEntry(e) : undefined;
    } catch (e) {
      if (isNoSuchObject(e)) return undefined;
      this.fail(e, `reading ${dn}`);
    }
  }

  async modify(dn: string, changes: Modification[], options: { sdFlags?: number } = {}): Promise<void> {
    const controls = options.sdFlags !== undefined ? [new SdFlagsControl(options.sdFlags)] : undefined;
    const ldapChanges = changes.map(
      (c) => new Change({ operation: c.operation, modification: new Attribute({ type: c.attribute, values: c.values as string[] | Buffer[] }) }),
    );
    this.alive(`modifying ${dn}`);
    try {
      await this.client.modify(dn, ldapChanges, controls);
    } catch (e) {
      this.fail(e, `modifying ${dn}`);
    }
  }

  async add(dn: string, attributes: Record<string, Array<string | Buffer>>): Promise<void> {
    const attrs = Object.entries(attributes).map(([type, values]) => new Attribute({ type, values: values as string[] | Buffer[] }));
    this.alive(`adding ${dn}`);
    try {
      await this.client.add(dn, attrs);
    } catch (e) {
      this.fail(e, `adding ${dn}`);
    }
  }

  async delete(dn: string): Promise<void> {
    this.alive(`deleting ${dn}`);
    try {
      await this.client.del(dn);
    } catch (e) {
      this.fail(e, `deleting ${dn}`);
    }
  }

  /** Raw exop, for schemaUpdateNow-style operations that have no modify form. */
  async extendedOperation(oid: string, value?: Buffer): Promise<void> {
    this.alive(`extended operation ${oid}`);
    try {
      await this.client.exop(oid, value);
    } catch (e) {
      this.fail(e, `extended operation ${oid}`);
    }
  }

  async close(): Promise<void> {
    const internals = this.client as unknown as { socket?: import('node:net').Socket };
    if (this.lost || !this.client.isConnected) {
      internals.socket?.destroy();
      return;
    }
    // an unbind that gets no answer must not keep the process alive
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.unbind().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          internals.socket?.destroy();
          resolve();
        }, 2000);
      }),
    ]);
    clearTimeout(timer);
  }
}

function isNoSuchObject(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { code?: unknown }).code === 32;
}

function identityFrom(entry: DirEntry): BoundIdentity {
  const sidBuf = entry.attributes['objectsid']?.[0];
  if (!Buffer.isBuffer(sidBuf)) throw new UserError(`the bound account ${entry.dn} has no readable objectSid`, ExitCode.ACCESS_DENIED);
  const groups = (entry.attributes['tokengroups'] ?? []).filter(Buffer.isBuffer).map((b) => sidToString(b));
  return { dn: entry.dn, sid: sidToString(sidBuf), groupSids: groups };
}
