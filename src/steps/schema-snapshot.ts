/**
 * What the schema step reads from the directory, as plain entries: the step's analysis works on
 * this snapshot only, so it runs live or on a recorded file (`schema --save-snapshot` /
 * `--from-snapshot`, and the unit tests' fixtures). A snapshot holds no secret: KDS root keys are
 * read without msKds-RootKeyData, and no password attribute is ever requested.
 */
import { InputError } from '../errors.js';
import type { DomainFacts } from '../directory/domain-facts.js';
import type { DirEntry } from '../directory/types.js';

export const SCHEMA_SNAPSHOT_FORMAT = 1;

export interface SchemaSnapshot {
  format: typeof SCHEMA_SNAPSHOT_FORMAT;
  /** When it was read (ISO). */
  readAt: string;
  /** gatherDomainFacts(): names, SIDs, functional levels, schema version, bound account flags. */
  facts: DomainFacts;
  naming: {
    configurationNamingContext: string;
    schemaNamingContext: string;
    /** rootDSE serverName: the server object of the DC we are bound to. */
    serverName: string;
  };
  /** The schema NC head: objectVersion, fSMORoleOwner. */
  schemaHead: DirEntry | undefined;
  /** attributeSchema objects matching a LAPS attributeID, a Windows LAPS lDAPDisplayName or cn. */
  attributeSchemas: DirEntry[];
  /** CN=Computer in the schema: mayContain, systemMayContain. */
  computerClass: DirEntry | undefined;
  /** controlAccessRight objects with the LAPS rightsGuid or the LAPS property set's cn. */
  extendedRights: DirEntry[];
  /** Server objects under CN=Sites (dNSHostName, serverReference). */
  servers: DirEntry[];
  /** nTDSDSA objects (NTDS Settings): msDS-Behavior-Version, options. */
  dsaSettings: DirEntry[];
  /** Computer objects of the domain's DCs (writable and read-only). */
  domainControllers: DirEntry[];
  kds: {
    /** CN=Group Key Distribution Service,CN=Services,<config>; undefined = absent or not visible. */
    serviceContainer: DirEntry | undefined;
    /** CN=Master Root Keys,<service container>. */
    masterRootKeys: DirEntry | undefined;
    /** msKds-ProvRootKey objects, read WITHOUT msKds-RootKeyData. */
    rootKeys: DirEntry[];
  };
}

type Encoded = string | { b64: string };

function encodeEntry(e: DirEntry): { dn: string; attributes: Record<string, Encoded[]> } {
  const attributes: Record<string, Encoded[]> = {};
  for (const [k, vs] of Object.entries(e.attributes)) attributes[k] = vs.map((v) => (Buffer.isBuffer(v) ? { b64: v.toString('base64') } : v));
  return { dn: e.dn, attributes };
}

function decodeEntry(raw: unknown, where: string): DirEntry {
  if (typeof raw !== 'object' || raw === null) throw new InputError(`snapshot: ${where} is not an entry`);
  const r = raw as { dn?: unknown; attributes?: unknown };
  if (typeof r.dn !== 'string' || typeof r.attributes !== 'object' || r.attributes === null) throw new InputError(`snapshot: ${where} needs dn and attributes`);
  const attributes: Record<string, Array<string | Buffer>> = {};
  for (const [k, vs] of Object.entries(r.attributes as Record<string, unknown>)) {
    if (!Array.isArray(vs)) throw new InputError(`snapshot: ${where}.${k} is not a list`);
    attributes[k.toLowerCase()] = vs.map((v) => {
      if (typeof v === 'string') return v;
      if (typeof v === 'object' && v !== null && typeof (v as { b64?: unknown }).b64 === 'string') return Buffer.from((v as { b64: string }).b64, 'base64');
      throw new InputError(`snapshot: ${where}.${k} holds a value that is neither text nor {b64}`);
    });
  }
  return { dn: r.dn, attributes };
}

/** JSON text of a snapshot (Buffers as {"b64": ...}). */
export function snapshotToJson(s: SchemaSnapshot): string {
  const enc = (e: DirEntry | undefined) => (e ? encodeEntry(e) : null);
  return `${JSON.stringify(
    {
      ...s,
      schemaHead: enc(s.schemaHead),
      attributeSchemas: s.attributeSchemas.map(encodeEntry),
      computerClass: enc(s.computerClass),
      extendedRights: s.extendedRights.map(encodeEntry),
      servers: s.servers.map(encodeEntry),
      dsaSettings: s.dsaSettings.map(encodeEntry),
      domainControllers: s.domainControllers.map(encodeEntry),
      kds: { serviceContainer: enc(s.kds.serviceContainer), masterRootKeys: enc(s.kds.masterRootKeys), rootKeys: s.kds.rootKeys.map(encodeEntry) },
    },
    null,
    2,
  )}\n`;
}

export function snapshotFromJson(text: string): SchemaSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError('the snapshot is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw new InputError('the snapshot is not a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.format !== SCHEMA_SNAPSHOT_FORMAT) throw new InputError(`unsupported snapshot format ${JSON.stringify(o.format)} (${SCHEMA_SNAPSHOT_FORMAT} expected)`);
  const opt = (v: unknown, where: string) => (v === null || v === undefined ? undefined : decodeEntry(v, where));
  const list = (v: unknown, where: string) => {
    if (!Array.isArray(v)) throw new InputError(`snapshot: ${where} is not a list`);
    return v.map((e, i) => decodeEntry(e, `${where}[${i}]`));
  };
  const kds = (o.kds ?? {}) as Record<string, unknown>;
  if (typeof o.facts !== 'object' || o.facts === null) throw new InputError('snapshot: facts missing');
  if (typeof o.naming !== 'object' || o.naming === null) throw new InputError('snapshot: naming missing');
  return {
    format: SCHEMA_SNAPSHOT_FORMAT,
    readAt: String(o.readAt ?? ''),
    facts: o.facts as DomainFacts,
    naming: o.naming as SchemaSnapshot['naming'],
    schemaHead: opt(o.schemaHead, 'schemaHead'),
    attributeSchemas: list(o.attributeSchemas, 'attributeSchemas'),
    computerClass: opt(o.computerClass, 'computerClass'),
    extendedRights: list(o.extendedRights, 'extendedRights'),
    servers: list(o.servers, 'servers'),
    dsaSettings: list(o.dsaSettings, 'dsaSettings'),
    domainControllers: list(o.domainControllers, 'domainControllers'),
    kds: {
      serviceContainer: opt(kds.serviceContainer, 'kds.serviceContainer'),
      masterRootKeys: opt(kds.masterRootKeys, 'kds.masterRootKeys'),
      rootKeys: list(kds.rootKeys ?? [], 'kds.rootKeys'),
    },
  };
}
