/**
 * Step 3, permissions: reads the descriptors (DACL + owner, SD-flags control, so any domain
 * account can run it) of the domain root, every OU, every container holding computers and, with
 * perComputer, every computer (paged, streamed); resolves the LAPS attributes' schemaIDGUIDs and
 * the property set from the schema, SIDs to names and groups; hands everything to the pure
 * analysis, then turns the pure plan into journaled DACL changes re-read from the directory.
 * Password values are never read; encrypted values only to learn whom they are encrypted to.
 */
import { VERSION } from '../version.js';
import { InputError } from '../errors.js';
import type { DirEntry, Directory } from '../directory/types.js';
import { sidToString } from '../dtyp/sid.js';
import { guidFromBytes } from '../dtyp/guid.js';
import { dnKey, isUnder } from '../directory/dn.js';
import { allStrings, escapeFilterValue, firstBinary as buf, firstString as str } from '../directory/entry.js';
import { gatherDomainFacts, type DomainFacts } from '../directory/domain-facts.js';
import { eachLimited } from '../directory/pipelining.js';
import { pageComputers } from '../directory/computer-partitions.js';
import { PrincipalResolver, readTokenGroups, type Principal } from '../directory/principals.js';
import { readLapsSchema, type LapsSchema } from '../directory/laps-schema.js';
import { COMPUTER_CLASS_GUID, LAPS_PROPERTY_SET_GUID, LAPS_PROPERTY_SET_NAME, type LapsAttributeKey } from '../laps/attributes.js';
import { parseEncryptedPasswordValue } from '../laps/encrypted-password-value.js';
import { parseDpapiNgBlob } from '../dpapi-ng/dpapi-ng-blob.js';
import { describeDpapiNgBlob } from '../dpapi-ng/describe-dpapi-ng-blob.js';
import { Guids, parseSddl, parseSecurityDescriptor, SdFlags, type SecurityDescriptor } from '../security/index.js';
import { applyPlan, createPlan, replaceDacl, type ApplyOptions, type ApplyResult, type ChangeDraft, type JournalStore, type Plan } from '../journal/index.js';
import {
  PermissionsAnalysis,
  PrincipalTable,
  type AccountPrediction,
  type AccountToken,
  type AccessRow,
  type ComputerRecord,
  type ContainerInput,
  type ContainerRecord,
  type DirSyncHolder,
  type LapsGuids,
  type PermissionsSummary,
  type Tier,
} from './permissions-analysis.js';
import { applyEditBytes, DEFAULT_PLAN_OPTIONS, planPermissions, type MirrorRow, type PlanOptions, type RemediationRow, type SelfRow } from './permissions-plan.js';
import { legacyDependents } from './legacy-dependents.js';
import type { StepResult, TargetInfo } from '../model/step-result.js';

export const PERMISSIONS_SCHEMA_VERSION = 1;
/** SD flags for audit reads: owner + DACL (readable by any domain account). */
const SD_OWNER_DACL = SdFlags.OWNER | SdFlags.DACL;
const SD_OWNER = SdFlags.OWNER;
const NTSD = 'nTSecurityDescriptor';

export interface PlannedChangeSummary {
  id: string;
  dn: string;
  sdFlags: number;
  reason: string;
}

export interface PermissionsData {
  options: { perComputer: boolean; scope: string[] | 'all'; plan: PlanOptions; accounts: string[] };
  schema: {
    legacy: boolean;
    windows: boolean;
    propertySet: string | null;
    attributes: Partial<Record<LapsAttributeKey, { name: string; schemaIdGuid: string; propertySet: string | null }>>;
  };
  summary: PermissionsSummary;
  containers: ContainerRecord[];
  computers: ComputerRecord[];
  access: AccessRow[];
  dirSync: DirSyncHolder[];
  principals: Array<{ sid: string; name: string; kind: Principal['kind']; tier: Tier }>;
  predictions: AccountPrediction[];
  plan: { self: SelfRow[]; mirror: MirrorRow[]; remediation: RemediationRow[]; changes: PlannedChangeSummary[] };
}

export type PermissionsResult = StepResult<PermissionsData>;

export interface PermissionsRunOptions {
  now: Date;
  /** Read and evaluate every computer's own descriptor. */
  perComputer?: boolean;
  /** --ou: containers (with their subtrees) the plan may change; default every container. */
  scope?: string[];
  plan?: Partial<PlanOptions>;
  /** Accounts (sAMAccountName, UPN or DN) to predict access for, computer by computer. */
  accounts?: string[];
  onProgress?: (computers: number) => void;
  /**
   * More connections for the per-computer scan: with any, the computers are read in partitions
   * (one level per OU, subtrees without OUs) on `dir` and these at once
   * (directory/computer-partitions.ts); without, in one paged search. The results are the same:
   * the analysis puts computers and containers in canonical order.
   */
  scanDirectories?: Directory[];
  /** The domain's facts when the caller has them already (saves a few reads). */
  facts?: DomainFacts;
}

export interface PermissionsRun {
  result: PermissionsResult;
  /** The journaled changes the plan stands for (empty when nothing needs changing). */
  plan: Plan;
}

const CLASS_GUIDS: Record<string, string> = {
  organizationalunit: Guids.ORGANIZATIONAL_UNIT_CLASS,
  container: Guids.CONTAINER_CLASS,
  domaindns: Guids.DOMAIN_DNS_CLASS,
};

function classInfo(e: DirEntry): { kind: ContainerInput['kind']; classGuids: string[] } {
  const classes = allStrings(e, 'objectClass').map((v) => v.toLowerCase());
  const structural = classes[classes.length - 1] ?? '';
  const guid = CLASS_GUIDS[structural];
  const kind: ContainerInput['kind'] = structural === 'domaindns' ? 'domain' : structural === 'organizationalunit' ? 'ou' : 'container';
  return { kind, classGuids: guid ? [guid] : [] };
}

/** The computer class: its schemaIDGUID and defaultSecurityDescriptor (the ACEs every new computer gets). */
export async function readComputerClass(dir: Directory, schemaDn: string, domainSid: string): Promise<{ guid: string; defaultSd?: SecurityDescriptor }> {
  const cls = await dir.searchAll({
    base: schemaDn,
    scope: 'one',
    filter: '(&(objectClass=classSchema)(lDAPDisplayName=computer))',
    attributes: ['schemaIDGUID', 'defaultSecurityDescriptor'],
    binaryAttributes: ['schemaIDGUID'],
  });
  const e = cls[0];
  const g = e ? buf(e, 'schemaIDGUID') : undefined;
  const guid = g?.length === 16 ? guidFromBytes(g) : COMPUTER_CLASS_GUID;
  const text = e ? str(e, 'defaultSecurityDescriptor') : undefined;
  let defaultSd: SecurityDescriptor | undefined;
  try {
    defaultSd = text ? parseSddl(text, { domainSid }) : undefined;
  } catch {
    defaultSd = undefined;
  }
  return { guid, ...(defaultSd ? { defaultSd } : {}) };
}

/** The LAPS attributes' schemaIDGUIDs and the property set, as this forest has them (found by attributeID). */
export async function resolveLapsGuids(dir: Directory, schemaDn: string, configDn: string, computerClass: string): Promise<{ guids: LapsGuids; schema: LapsSchema }> {
  const schema = await readLapsSchema(dir, schemaDn);
  const attributes: LapsGuids['attributes'] = {};
  for (const [key, a] of Object.entries(schema) as Array<[LapsAttributeKey, NonNullable<LapsSchema[LapsAttributeKey]>]>) {
    if (a.schemaIdGuid) attributes[key] = { name: a.name, guid: a.schemaIdGuid, ...(a.attributeSecurityGuid ? { propertySet: a.attributeSecurityGuid } : {}) };
  }
  let propertySet = schema.encryptedPassword?.attributeSecurityGuid;
  if (!propertySet && schema.encryptedPassword) {
    // the attribute carries no attributeSecurityGUID: take the controlAccessRight of that name
    const rights = await dir.searchAll({ base: `CN=Extended-Rights,${configDn}`, scope: 'one', filter: `(&(objectClass=controlAccessRight)(cn=${LAPS_PROPERTY_SET_NAME}))`, attributes: ['rightsGuid'] });
    const g = rights[0] ? str(rights[0], 'rightsGuid') : undefined;
    propertySet = (g ?? LAPS_PROPERTY_SET_GUID).toLowerCase();
  }
  return { guids: { computerClass, ...(propertySet ? { propertySet } : {}), attributes }, schema };
}

async function readSdEntry(dir: Directory, dn: string): Promise<DirEntry | undefined> {
  return dir.read(dn, [NTSD, 'objectClass'], { binaryAttributes: [NTSD], sdFlags: SD_OWNER_DACL });
}

function ownerOf(sd: Buffer): string | undefined {
  try {
    return parseSecurityDescriptor(sd).owner;
  } catch {
    return undefined;
  }
}

/** The SID an msLAPS-EncryptedPassword value is protected for; undefined when it is not well formed. */
export function encryptedTarget(value: Buffer): string | undefined {
  try {
    return describeDpapiNgBlob(parseDpapiNgBlob(parseEncryptedPasswordValue(value).blob)).sid;
  } catch {
    return undefined;
  }
}

async function resolveAccount(dir: Directory, name: string, domainDn: string): Promise<AccountToken> {
  let entry: DirEntry | undefined;
  if (/^[a-z]+=/i.test(name)) entry = await dir.read(name, ['objectSid', 'sAMAccountName'], { binaryAttributes: ['objectSid'] });
  else {
    const sam = name.includes('\\') ? name.split('\\').pop()! : name.includes('@') ? name.split('@')[0]! : name;
    const hits = await dir.searchAll({
      base: domainDn,
      filter: `(|(sAMAccountName=${escapeFilterValue(sam)})(sAMAccountName=${escapeFilterValue(sam)}$)(userPrincipalName=${escapeFilterValue(name)}))`,
      attributes: ['objectSid', 'sAMAccountName'],
      binaryAttributes: ['objectSid'],
    });
    if (hits.length > 1) throw new InputError(`--explain ${name} matches ${hits.length} accounts`, { advice: 'Give the UPN or the DN.' });
    entry = hits[0];
  }
  const b = entry ? buf(entry, 'objectSid') : undefined;
  if (!entry || !b) throw new InputError(`--explain ${name}: no such account in ${domainDn}`);
  const groups = await readTokenGroups(dir, entry.dn);
  return { label: str(entry, 'sAMAccountName') ?? name, sid: sidToString(b), groups };
}

// ---------------------------------------------------------------------------------------------

export async function runPermissions(dir: Directory, target: TargetInfo, opts: PermissionsRunOptions): Promise<PermissionsRun> {
  const root = await dir.rootDse();
  const facts = opts.facts ?? (await gatherDomainFacts(dir));
  const domainDn = root.defaultNamingContext;
  for (const s of opts.scope ?? []) {
    if (!isUnder(s, domainDn)) throw new InputError(`--ou ${s} is not inside the domain ${domainDn}`);
  }
  const computerClass = await readComputerClass(dir, root.schemaNamingContext, facts.domainSid);
  const classDefaultSd = computerClass.defaultSd;
  const { guids, schema } = await resolveLapsGuids(dir, root.schemaNamingContext, root.configurationNamingContext, computerClass.guid);

  const analysis = new PermissionsAnalysis({ domainDn, domainSid: facts.domainSid, rootDomainSid: facts.forestRootSid, laps: guids, ...(classDefaultSd ? { classDefaultSd } : {}), containers: [] });

  // the domain root and every OU (owner + DACL)
  const head = await readSdEntry(dir, domainDn);
  if (head && buf(head, NTSD)) analysis.addContainer({ dn: domainDn, ...classInfo(head), sd: buf(head, NTSD)! });
  else analysis.markUnreadable(domainDn, 'domain');
  const ouScopes = new Set<string>();
  for await (const page of dir.searchPages({ base: domainDn, filter: '(objectClass=organizationalUnit)', attributes: [NTSD, 'objectClass'], binaryAttributes: [NTSD], sdFlags: SD_OWNER_DACL })) {
    for (const e of page) {
      const sd = buf(e, NTSD);
      if (sd) analysis.addContainer({ dn: e.dn, ...classInfo(e), sd });
      else analysis.markUnreadable(e.dn, 'ou');
      ouScopes.add(dnKey(e.dn));
    }
  }
  for (const s of opts.scope ?? []) {
    if (!ouScopes.has(dnKey(s)) && dnKey(s) !== dnKey(domainDn) && !(await dir.read(s, ['1.1']))) throw new InputError(`--ou ${s} does not exist`);
  }
  const accounts: AccountToken[] = [];
  for (const a of opts.accounts ?? []) accounts.push(await resolveAccount(dir, a, domainDn));

  // While the DC pages through the computers, resolve the principals the containers name (most
  // trustees of computer descriptors are inherited from them): those reads hide behind the pages.
  const resolver = new PrincipalResolver(dir, domainDn, facts.netbiosDomain);
  const early = resolver.resolve(analysis.sidsToResolve());
  early.catch(() => undefined);

  // every computer, page by page
  const name = (k: LapsAttributeKey) => schema[k]?.name;
  const legacyExp = name('legacyExpiration');
  const winExp = name('expiration');
  const winEnc = name('encryptedPassword');
  // the whole descriptor per computer with --per-computer; else only its owner (SD flags 1: a few bytes)
  const attributes = ['cn', 'objectSid', 'mS-DS-CreatorSID', 'userAccountControl', NTSD, ...[legacyExp, winExp, winEnc].filter((x): x is string => !!x)];
  const binary = ['objectSid', 'mS-DS-CreatorSID', NTSD, ...(winEnc ? [winEnc] : [])];
  let encryptedSeen = 0;
  let windowsManagedSeen = 0;
  const onPage = (page: DirEntry[]) => {
    for (const e of page) {
      const sid = buf(e, 'objectSid');
      const creator = buf(e, 'mS-DS-CreatorSID');
      const enc = winEnc ? buf(e, winEnc) : undefined;
      const windowsManaged = !!(winExp && str(e, winExp));
      if (enc) encryptedSeen++;
      if (windowsManaged) windowsManagedSeen++;
      const encryptedFor = enc ? encryptedTarget(enc) : undefined;
      const rawSd = buf(e, NTSD);
      const sd = opts.perComputer ? rawSd : undefined;
      const ownerSid = !opts.perComputer && rawSd ? ownerOf(rawSd) : undefined;
      analysis.addComputer({
        dn: e.dn,
        name: str(e, 'cn') ?? e.dn,
        userAccountControl: Number(str(e, 'userAccountControl') ?? 0),
        legacyManaged: !!(legacyExp && str(e, legacyExp)),
        windowsManaged,
        ...(sid ? { objectSid: sidToString(sid) } : {}),
        ...(creator ? { creatorSid: sidToString(creator) } : {}),
        ...(encryptedFor ? { encryptedFor } : {}),
        ...(sd ? { sd } : {}),
        ...(ownerSid ? { ownerSid } : {}),
      });
    }
    opts.onProgress?.(analysis.computerCount);
  };
  const search = { filter: '(objectCategory=computer)', attributes, binaryAttributes: binary, sdFlags: opts.perComputer ? SD_OWNER_DACL : SD_OWNER };
  performance.mark('laps-migrate:permissions-setup');
  await pageComputers(dir, opts.scanDirectories ?? [], domainDn, root.schemaNamingContext, search, onPage, () => performance.mark('laps-migrate:permissions-partitions'));
  performance.mark('laps-migrate:permissions-scan');

  await early;

  // containers that hold computers but are not OUs (CN=Computers), and anything between them and the root
  await eachLimited(analysis.missingContainers(), 8, async (dn) => {
    const e = await readSdEntry(dir, dn);
    const sd = e ? buf(e, NTSD) : undefined;
    if (e && sd) analysis.addContainer({ dn, ...classInfo(e), sd });
    else analysis.markUnreadable(dn);
  });
  const principals = await resolver.resolve(analysis.sidsToResolve());
  performance.mark('laps-migrate:permissions-containers-principals');
  const a = analysis.finish(principals.values(), {
    accounts,
    // values exist (an expiration is set) but none came back: the bound account cannot read them
    encryptedReadable: encryptedSeen > 0 || windowsManagedSeen === 0,
  });

  performance.mark('laps-migrate:permissions-analysis');

  // the plan
  const planOptions: PlanOptions = { ...DEFAULT_PLAN_OPTIONS, ...opts.plan, ...(opts.scope?.length ? { scope: opts.scope } : {}) };
  const table = new PrincipalTable(principals.values(), facts.domainSid, facts.forestRootSid);
  const tierOf = (sid: string) => table.tier(sid);
  const nameOf = (sid: string) => table.name(sid);
  // where legacy-managed computers lack the legacy SELF permission, count only those still on legacy: cleanup removed it where none is
  // (only containers holding a computer on both: without a Windows LAPS password a legacy-managed computer is on legacy)
  const both = new Set(a.computers.filter((c) => c.legacyManaged && c.windowsManaged).map((c) => dnKey(c.container)));
  const stillLegacy = planOptions.legacySelf ? await legacyDependents(dir, schema, a.containers.filter((c) => c.legacyManaged > 0 && !c.self.legacy && both.has(dnKey(c.dn))).map((c) => c.dn)) : new Map<string, number>();
  const model = planPermissions(
    {
      domainDn,
      domainSid: facts.domainSid,
      laps: guids,
      ...(classDefaultSd ? { classDefaultSd } : {}),
      containers: analysis.containerStates().map((s) => ({ dn: s.input.dn, kind: s.input.kind, classGuids: s.input.classGuids, ...(s.sd ? { sd: s.sd } : {}), computers: s.computers, domainControllers: s.dcs, legacyManaged: stillLegacy.get(dnKey(s.input.dn)) ?? s.legacyManaged })),
      computers: a.computers.map((c) => ({
        dn: c.dn,
        name: c.name,
        ownerOrCreator: c.owner ?? c.creator,
        ownerTier: c.owner ? c.ownerTier : c.creatorTier,
        ownerName: c.owner ? c.ownerName : c.creatorName,
        source: c.source,
      })),
      tierOf,
      nameOf,
    },
    planOptions,
  );
  const drafts: Array<ChangeDraft | undefined> = new Array(model.edits.length);
  await eachLimited(
    model.edits.map((edit, i) => ({ edit, i })),
    8,
    async ({ edit, i }) => {
      // re-read exactly as the apply engine will (same SD flags) and apply the edit to that
      const e = await dir.read(edit.dn, [NTSD], { binaryAttributes: [NTSD], sdFlags: edit.sdFlags });
      const before = e ? buf(e, NTSD) : undefined;
      if (!before) return;
      const after = applyEditBytes(parseSecurityDescriptor(before), edit, { tierOf, ...(classDefaultSd ? { classDefaultSd } : {}) });
      if (after) drafts[i] = replaceDacl({ dn: edit.dn, reason: edit.reasons.join('; '), before, after, sdFlags: edit.sdFlags });
    },
  );
  const plan = createPlan('permissions', drafts.filter((d): d is ChangeDraft => !!d), { createdAt: opts.now });

  const attributesOut: PermissionsData['schema']['attributes'] = {};
  for (const [k, v] of Object.entries(guids.attributes) as Array<[LapsAttributeKey, NonNullable<LapsGuids['attributes'][LapsAttributeKey]>]>) {
    attributesOut[k] = { name: v.name, schemaIdGuid: v.guid, propertySet: v.propertySet ?? null };
  }
  const result: PermissionsResult = {
    step: 'permissions',
    schemaVersion: PERMISSIONS_SCHEMA_VERSION,
    tool: { name: 'laps-migrate', version: VERSION },
    generatedAt: opts.now.toISOString(),
    target: { ...target, ...(opts.scope?.length ? { scope: opts.scope.join('; ') } : {}) },
    findings: a.findings,
    data: {
      options: { perComputer: !!opts.perComputer, scope: opts.scope?.length ? opts.scope : 'all', plan: { ...planOptions }, accounts: accounts.map((x) => x.label) },
      schema: { legacy: a.summary.legacySchema, windows: a.summary.windowsLapsSchema, propertySet: guids.propertySet ?? null, attributes: attributesOut },
      summary: a.summary,
      containers: a.containers,
      computers: a.computers,
      access: a.access,
      dirSync: a.dirSync,
      principals: a.principals,
      predictions: a.predictions,
      plan: {
        self: model.self,
        mirror: model.mirror,
        remediation: model.remediation,
        changes: plan.changes.map((c) => ({ id: c.id, dn: c.dn, sdFlags: c.kind === 'replace-dacl' ? c.sdFlags : 0, reason: c.reason })),
      },
    },
  };
  return { result, plan };
}

/** Applies a permissions plan through the journal (re-read, conflict check, write, verify per change). */
export async function applyPermissions(dir: Directory, plan: Plan, journal: JournalStore, options: ApplyOptions = {}): Promise<ApplyResult> {
  return applyPlan(dir, plan, journal, options);
}
