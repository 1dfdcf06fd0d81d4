/**
 * Unit-test double of the Directory interface: entries in memory, LDAP modify semantics
 * (atomic; add of an existing value -> 20, delete of a missing value -> 16, missing object -> 32,
 * existing entry -> 68), nTSecurityDescriptor readable/writable only with the SD-flags control and
 * only by replace (Samba 4.17 refuses MOD_DELETE on it with 53), and fault injection:
 *   - failWrite(n, kind): the n-th write attempt from now fails (connection lost, access denied,
 *     a lost response after the write was applied, or any LDAP result code);
 *   - onBeforeWrite(fn): runs between the engine's re-read and its write (a concurrent change);
 *   - set()/setDescriptor(): change something behind the tool's back;
 *   - normalizeDescriptor: mimic a server that rewrites descriptors it stores.
 * The real Samba DC is exercised by the integration tests.
 */
import { ExitCode, UserError } from '../../../src/errors.js';
import type { BoundIdentity, ConnectionFacts, DirEntry, Directory, Modification, RootDse, SearchOptions } from '../../../src/directory/types.js';

type Value = string | Buffer;

/** What ldapts throws for an LDAP result code (name + numeric code). */
export class LdapResultError extends Error {
  readonly code: number;
  constructor(code: number, name: string, message: string) {
    super(message);
    this.code = code;
    this.name = name;
  }
}

export type WriteFault = 'connection' | 'access-denied' | 'lost-response' | { code: number; name: string };

export interface WriteRecord {
  op: 'modify' | 'add' | 'delete';
  dn: string;
  changes?: Modification[];
  sdFlags?: number;
}

interface StoredEntry {
  dn: string;
  /** key: lower-cased name; value keeps the server's spelling */
  attrs: Map<string, { name: string; values: Value[] }>;
}

const norm = (dn: string): string => dn.replace(/\s*,\s*/g, ',').toLowerCase();
const parentOf = (dn: string): string => norm(dn).split(',').slice(1).join(',');

function sameValue(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  const ab = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const bb = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return ab.equals(bb);
}

function copyValue(v: Value): Value {
  return typeof v === 'string' ? v : Buffer.from(v);
}

export class MemoryDirectory implements Directory {
  readonly facts: ConnectionFacts = { url: 'ldaps://dc1.memory.test:636', tls: 'ldaps', certificateVerified: true, certificateNames: ['DNS:dc1.memory.test'] };
  readonly identity: BoundIdentity;
  /** Every write the server accepted, in order. */
  readonly writes: WriteRecord[] = [];
  /** Write attempts (accepted or not). */
  writeAttempts = 0;
  /** sdFlags passed to every read of nTSecurityDescriptor. */
  readonly sdFlagsSeen: number[] = [];
  normalizeDescriptor: ((sd: Buffer) => Buffer) | undefined;
  private entries = new Map<string, StoredEntry>();
  private faults = new Map<number, WriteFault>();
  private beforeWrite: ((w: WriteRecord) => void) | undefined;
  private down = false;
  closed = false;

  constructor(identity: BoundIdentity = { dn: 'CN=Administrator,CN=Users,DC=memory,DC=test', sid: 'S-1-5-21-1-2-3-500', groupSids: [] }) {
    this.identity = identity;
  }

  // ---- test controls -------------------------------------------------------------------

  seed(dn: string, attributes: Record<string, Value[]>): void {
    const attrs = new Map<string, { name: string; values: Value[] }>();
    for (const [name, values] of Object.entries(attributes)) attrs.set(name.toLowerCase(), { name, values: values.map(copyValue) });
    this.entries.set(norm(dn), { dn, attrs });
  }

  has(dn: string): boolean {
    return this.entries.has(norm(dn));
  }

  get(dn: string, attribute: string): Value[] | undefined {
    return this.entries.get(norm(dn))?.attrs.get(attribute.toLowerCase())?.values.map(copyValue);
  }

  /** Change an attribute behind the tool's back (not counted as a write). */
  set(dn: string, attribute: string, values: Value[]): void {
    const e = this.entries.get(norm(dn));
    if (!e) throw new Error(`no entry ${dn}`);
    if (values.length === 0) e.attrs.delete(attribute.toLowerCase());
    else e.attrs.set(attribute.toLowerCase(), { name: e.attrs.get(attribute.toLowerCase())?.name ?? attribute, values: values.map(copyValue) });
  }

  descriptor(dn: string): Buffer {
    const v = this.get(dn, 'nTSecurityDescriptor')?.[0];
    if (!Buffer.isBuffer(v)) throw new Error(`no descriptor on ${dn}`);
    return v;
  }

  setDescriptor(dn: string, sd: Buffer): void {
    this.set(dn, 'nTSecurityDescriptor', [sd]);
  }

  /** The n-th write attempt from now (1 = the next one) fails with `fault`. */
  failWrite(n: number, fault: WriteFault): void {
    this.faults.set(this.writeAttempts + n, fault);
  }

  onBeforeWrite(fn: ((w: WriteRecord) => void) | undefined): void {
    this.beforeWrite = fn;
  }

  /** The connection drops now: every operation fails until reconnect(). */
  disconnect(): void {
    this.down = true;
  }

  /** The connection is back (after disconnect() or a 'connection' / 'lost-response' fault). */
  reconnect(): void {
    this.down = false;
  }

  // ---- Directory -----------------------------------------------------------------------

  private connectionLost(operation: string): UserError {
    return new UserError(`the connection to dc1.memory.test:636 was closed during ${operation}`, ExitCode.CONNECTION, { reason: 'CONNECTION_LOST' });
  }

  private checkUp(operation: string): void {
    if (this.closed) throw new Error('directory is closed');
    if (this.down) throw this.connectionLost(operation);
  }

  async rootDse(): Promise<RootDse> {
    this.checkUp('rootDSE');
    return {
      defaultNamingContext: 'DC=memory,DC=test',
      configurationNamingContext: 'CN=Configuration,DC=memory,DC=test',
      schemaNamingContext: 'CN=Schema,CN=Configuration,DC=memory,DC=test',
      rootDomainNamingContext: 'DC=memory,DC=test',
      namingContexts: ['DC=memory,DC=test'],
      dnsHostName: 'dc1.memory.test',
      serverName: 'CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=memory,DC=test',
      domainFunctionality: 4,
      forestFunctionality: 4,
      domainControllerFunctionality: 4,
      supportedControl: ['1.2.840.113556.1.4.801', '1.2.840.113556.1.4.319'],
      supportedLDAPVersion: ['3'],
      isGlobalCatalogReady: true,
    };
  }

  async whoAmI(): Promise<BoundIdentity> {
    this.checkUp('whoami');
    return { ...this.identity, groupSids: [...this.identity.groupSids] };
  }

  private project(e: StoredEntry, attributes: string[], options: { binaryAttributes?: string[]; sdFlags?: number }): DirEntry {
    const want = attributes.includes('*') ? [...e.attrs.keys()] : attributes.map((a) => a.toLowerCase());
    const out: DirEntry = { dn: e.dn, attributes: {} };
    for (const key of want) {
      const a = e.attrs.get(key);
      if (!a) continue;
      if (key === 'ntsecuritydescriptor') {
        if (options.sdFlags === undefined) continue; // a plain user sees no descriptor without the control
        this.sdFlagsSeen.push(options.sdFlags);
      }
      // like ldapts: Buffers only for attributes listed exactly as the server spells them
      const binary = options.binaryAttributes?.includes(a.name) ?? false;
      out.attributes[key] = a.values.map((v) => (binary ? (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v)) : typeof v === 'string' ? v : v.toString('utf8')));
    }
    return out;
  }

  async read(dn: string, attributes: string[], options: { binaryAttributes?: string[]; sdFlags?: number } = {}): Promise<DirEntry | undefined> {
    this.checkUp(`reading ${dn}`);
    const e = this.entries.get(norm(dn));
    return e ? this.project(e, attributes, options) : undefined;
  }

  async *searchPages(options: SearchOptions): AsyncIterable<DirEntry[]> {
    this.checkUp(`searching ${options.base}`);
    if (options.filter && options.filter !== '(objectClass=*)') throw new Error('the memory directory only supports (objectClass=*)');
    const base = norm(options.base);
    const scope = options.scope ?? 'sub';
    const found: DirEntry[] = [];
    for (const [key, e] of this.entries) {
      const match = scope === 'base' ? key === base : scope === 'one' ? parentOf(key) === base : key === base || key.endsWith(`,${base}`);
      if (match) found.push(this.project(e, options.attributes, options));
    }
    const size = options.pageSize ?? 1000;
    for (let i = 0; i < found.length; i += size) yield found.slice(i, i + size);
  }

  async searchAll(options: SearchOptions): Promise<DirEntry[]> {
    const all: DirEntry[] = [];
    for await (const page of this.searchPages(options)) all.push(...page);
    return all;
  }

  /** Counts the attempt, runs the concurrent-change hook, applies faults; returns whether to throw after applying. */
  private beginWrite(w: WriteRecord): 'ok' | 'lost-response' {
    this.checkUp(`${w.op} ${w.dn}`);
    this.writeAttempts++;
    this.beforeWrite?.(w);
    const fault = this.faults.get(this.writeAttempts);
    if (!fault) return 'ok';
    this.faults.delete(this.writeAttempts);
    if (fault === 'connection') {
      this.down = true;
      throw this.connectionLost(`${w.op} ${w.dn}`);
    }
    if (fault === 'access-denied') {
      throw new UserError(`access denied while ${w.op} ${w.dn}: the bound account lacks the rights`, ExitCode.ACCESS_DENIED, {
        reason: 'INSUFFICIENT_RIGHTS',
        cause: new LdapResultError(50, 'InsufficientAccessError', 'insufficient access'),
      });
    }
    if (fault === 'lost-response') return 'lost-response';
    throw new LdapResultError(fault.code, fault.name, `injected LDAP error ${fault.code}`);
  }

  private endWrite(w: WriteRecord, outcome: 'ok' | 'lost-response'): void {
    this.writes.push(w);
    if (outcome === 'lost-response') {
      this.down = true;
      throw this.connectionLost(`${w.op} ${w.dn}`);
    }
  }

  async modify(dn: string, changes: Modification[], options: { sdFlags?: number } = {}): Promise<void> {
    const w: WriteRecord = { op: 'modify', dn, changes: changes.map((c) => ({ ...c, values: c.values.map(copyValue) })), ...(options.sdFlags !== undefined ? { sdFlags: options.sdFlags } : {}) };
    const outcome = this.beginWrite(w);
    const e = this.entries.get(norm(dn));
    if (!e) throw new LdapResultError(32, 'NoSuchObjectError', `no such object: ${dn}`);
    const next = new Map([...e.attrs].map(([k, v]) => [k, { name: v.name, values: [...v.values] }]));
    for (const c of changes) {
      const key = c.attribute.toLowerCase();
      const cur = next.get(key);
      if (key === 'ntsecuritydescriptor') {
        if (c.operation !== 'replace') throw new LdapResultError(53, 'UnwillingToPerformError', 'MOD_DELETE for nTSecurityDescriptor not supported yet');
        if (options.sdFlags === undefined) throw new LdapResultError(53, 'UnwillingToPerformError', 'test double: write nTSecurityDescriptor with the SD-flags control');
        const sd = c.values[0];
        if (!Buffer.isBuffer(sd) || c.values.length !== 1) throw new LdapResultError(21, 'InvalidAttributeSyntaxError', 'nTSecurityDescriptor takes one binary value');
        next.set(key, { name: cur?.name ?? c.attribute, values: [this.normalizeDescriptor ? this.normalizeDescriptor(sd) : Buffer.from(sd)] });
        continue;
      }
      if (c.operation === 'add') {
        const values = [...(cur?.values ?? [])];
        for (const v of c.values) {
          if (values.some((x) => sameValue(x, v))) throw new LdapResultError(20, 'TypeOrValueExistsError', `attribute '${c.attribute}': value already exists`);
          values.push(copyValue(v));
        }
        next.set(key, { name: cur?.name ?? c.attribute, values });
      } else if (c.operation === 'delete') {
        if (!cur) throw new LdapResultError(16, 'NoSuchAttributeError', `attribute '${c.attribute}': no such attribute`);
        if (c.values.length === 0) {
          next.delete(key);
          continue;
        }
        let values = [...cur.values];
        for (const v of c.values) {
          if (!values.some((x) => sameValue(x, v))) throw new LdapResultError(16, 'NoSuchAttributeError', `attribute '${c.attribute}': no matching attribute value while deleting`);
          values = values.filter((x) => !sameValue(x, v));
        }
        if (values.length) next.set(key, { name: cur.name, values });
        else next.delete(key);
      } else if (c.values.length === 0) {
        next.delete(key);
      } else {
        next.set(key, { name: cur?.name ?? c.attribute, values: c.values.map(copyValue) });
      }
    }
    e.attrs = next;
    this.endWrite(w, outcome);
  }

  async add(dn: string, attributes: Record<string, Value[]>): Promise<void> {
    const w: WriteRecord = { op: 'add', dn };
    const outcome = this.beginWrite(w);
    if (this.entries.has(norm(dn))) throw new LdapResultError(68, 'AlreadyExistsError', `entry already exists: ${dn}`);
    this.seed(dn, attributes);
    this.endWrite(w, outcome);
  }

  async delete(dn: string): Promise<void> {
    const w: WriteRecord = { op: 'delete', dn };
    const outcome = this.beginWrite(w);
    const key = norm(dn);
    if (!this.entries.has(key)) throw new LdapResultError(32, 'NoSuchObjectError', `no such object: ${dn}`);
    if ([...this.entries.keys()].some((k) => parentOf(k) === key)) throw new LdapResultError(66, 'NotAllowedOnNonLeafError', `${dn} has children`);
    this.entries.delete(key);
    this.endWrite(w, outcome);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
