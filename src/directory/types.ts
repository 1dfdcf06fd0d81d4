/**
 * The directory as the rest of the tool sees it. Steps and the journal receive this interface,
 * so a step can run live (LdapDirectory) or on recorded entries.
 */

/** One entry. Attribute names are lower-cased keys; values are always arrays; attributes
 * requested as binary come back as Buffers, all others as strings. */
export interface DirEntry {
  dn: string;
  attributes: Record<string, Array<string | Buffer>>;
}

export type Scope = 'base' | 'one' | 'sub';

export interface SearchOptions {
  base: string;
  scope?: Scope; // default 'sub'
  filter?: string; // default '(objectClass=*)'
  attributes: string[];
  /** Attribute names (as the server spells them, case-sensitive) returned as Buffers. */
  binaryAttributes?: string[];
  /** SD-flags control value (1.2.840.113556.1.4.801): 4 DACL, 5 owner+DACL, 7 owner+group+DACL, 15 with SACL. */
  sdFlags?: number;
  /** Page size for the paged-results control; default 1000 (AD's MaxPageSize). */
  pageSize?: number;
}

export type ModOperation = 'add' | 'replace' | 'delete';

export interface Modification {
  operation: ModOperation;
  attribute: string;
  /** Empty with 'delete' removes every value; empty with 'replace' removes the attribute. */
  values: Array<string | Buffer>;
}

export interface RootDse {
  defaultNamingContext: string;
  configurationNamingContext: string;
  schemaNamingContext: string;
  rootDomainNamingContext: string;
  namingContexts: string[];
  dnsHostName: string;
  serverName: string;
  domainFunctionality: number;
  forestFunctionality: number;
  domainControllerFunctionality: number;
  supportedControl: string[];
  supportedLDAPVersion: string[];
  isGlobalCatalogReady: boolean;
}

/** Who the connection is bound as: the account's DN, SID and the SIDs of its groups (tokenGroups). */
export interface BoundIdentity {
  dn: string;
  sid: string;
  groupSids: string[];
}

export interface ConnectionFacts {
  url: string;
  /** 'ldaps', 'starttls' or 'plain' */
  tls: 'ldaps' | 'starttls' | 'plain';
  certificateVerified: boolean;
  /** Names (CN and subjectAltName entries) the server's certificate carries, when TLS is used. */
  certificateNames: string[];
}

export interface Directory {
  readonly facts: ConnectionFacts;
  rootDse(): Promise<RootDse>;
  whoAmI(): Promise<BoundIdentity>;
  /** Paged search, one array per page; memory stays flat however many entries match. */
  searchPages(options: SearchOptions): AsyncIterable<DirEntry[]>;
  /** Convenience: every entry of a (small) search in one array. */
  searchAll(options: SearchOptions): Promise<DirEntry[]>;
  /** Reads one entry (base scope); undefined when it does not exist. */
  read(dn: string, attributes: string[], options?: { binaryAttributes?: string[]; sdFlags?: number }): Promise<DirEntry | undefined>;
  modify(dn: string, changes: Modification[], options?: { sdFlags?: number }): Promise<void>;
  add(dn: string, attributes: Record<string, Array<string | Buffer>>): Promise<void>;
  delete(dn: string): Promise<void>;
  close(): Promise<void>;
  /** A second, independent connection with the same server and credentials (for concurrent searches). */
  fork?(): Promise<Directory>;
}
