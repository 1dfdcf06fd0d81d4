/**
 * Step 2, schema and prerequisites. Check (read-only, any domain account): both LAPS schemas,
 * the extended right, schema version and master, the bound account's rights, functional levels,
 * DCs and KDS root keys. Apply (irreversible, through the journal): extend the Windows LAPS
 * schema exactly as Update-LapsADSchema does, only what is missing, with schemaUpdateNow between
 * the new attributes and the class change that references them; optionally create a KDS root key.
 */
import { VERSION } from '../version.js';
import { ExitCode, UserError } from '../errors.js';
import { gatherDomainFacts } from '../directory/domain-facts.js';
import { dnKey } from '../directory/dn.js';
import { kdsMasterRootKeysDn, kdsServiceDn } from '../directory/kds.js';
import type { DirEntry, Directory } from '../directory/types.js';
import { ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES } from '../dpapi-ng/root-key.js';
import { applyPlan, planToJson, type ApplyProgress, type ApplyResult, type JournalChange, type JournalStore, type Plan } from '../journal/index.js';
import { LAPS_ATTRIBUTES, LAPS_PROPERTY_SET_GUID, LAPS_PROPERTY_SET_NAME } from '../laps/attributes.js';
import { lapsCommonName } from '../laps/schema-entries.js';
import type { SchemaAnalysis } from './schema-analysis.js';
import { SCHEMA_PHASES, type SchemaPhase } from './schema-plan.js';
import { SCHEMA_SNAPSHOT_FORMAT, type SchemaSnapshot } from './schema-snapshot.js';
import type { StepResult, TargetInfo } from '../model/step-result.js';

/** Version of the schema step's JSON document (schema.json / --json). */
export const SCHEMA_STEP_SCHEMA_VERSION = 1;

const ATTRIBUTE_SCHEMA_ATTRIBUTES = [
  'cn', 'lDAPDisplayName', 'attributeID', 'attributeSyntax', 'oMSyntax', 'isSingleValued', 'searchFlags', 'attributeSecurityGUID',
  'schemaIDGUID', 'rangeLower', 'rangeUpper', 'systemOnly', 'isMemberOfPartialAttributeSet', 'systemFlags', 'isDefunct',
];

async function readOptional(dir: Directory, dn: string, attributes: string[]): Promise<DirEntry | undefined> {
  try {
    return await dir.read(dn, attributes);
  } catch (e) {
    // a container this account may not see is "not visible", not a failure of the whole check
    if (e instanceof UserError && e.exitCode === ExitCode.ACCESS_DENIED) return undefined;
    throw e;
  }
}

async function searchOptional(dir: Directory, o: Parameters<Directory['searchAll']>[0]): Promise<DirEntry[]> {
  try {
    return await dir.searchAll(o);
  } catch (e) {
    if (e instanceof UserError && e.exitCode === ExitCode.ACCESS_DENIED) return [];
    throw e;
  }
}

/** Everything the analysis needs, as plain entries. Reads no secret (root keys without their key data). */
export async function readSchemaSnapshot(dir: Directory, now: Date = new Date()): Promise<SchemaSnapshot> {
  const root = await dir.rootDse();
  const facts = await gatherDomainFacts(dir);
  const schemaDn = root.schemaNamingContext;
  const configDn = root.configurationNamingContext;
  const windows = LAPS_ATTRIBUTES.filter((a) => a.family === 'windows');
  const attributeFilter =
    `(&(objectClass=attributeSchema)(|${LAPS_ATTRIBUTES.map((a) => `(attributeID=${a.attributeId})`).join('')}` +
    `${windows.map((a) => `(lDAPDisplayName=${a.name})(cn=${lapsCommonName(a)})`).join('')}))`;
  const sites = `CN=Sites,${configDn}`;
  const [schemaHead, attributeSchemas, computerClasses, extendedRights, servers, dsaSettings, domainControllers] = await Promise.all([
    dir.read(schemaDn, ['objectVersion', 'fSMORoleOwner']),
    dir.searchAll({ base: schemaDn, scope: 'one', filter: attributeFilter, attributes: ATTRIBUTE_SCHEMA_ATTRIBUTES, binaryAttributes: ['schemaIDGUID', 'attributeSecurityGUID'] }),
    dir.searchAll({ base: schemaDn, scope: 'one', filter: '(&(objectClass=classSchema)(lDAPDisplayName=computer))', attributes: ['cn', 'lDAPDisplayName', 'mayContain', 'systemMayContain'] }),
    dir.searchAll({
      base: `CN=Extended-Rights,${configDn}`,
      scope: 'one',
      filter: `(&(objectClass=controlAccessRight)(|(rightsGuid=${LAPS_PROPERTY_SET_GUID})(cn=${LAPS_PROPERTY_SET_NAME})))`,
      attributes: ['cn', 'displayName', 'rightsGuid', 'validAccesses', 'appliesTo'],
    }),
    dir.searchAll({ base: sites, filter: '(objectClass=server)', attributes: ['cn', 'dNSHostName', 'serverReference'] }),
    dir.searchAll({ base: sites, filter: '(objectClass=nTDSDSA)', attributes: ['msDS-Behavior-Version', 'options'] }),
    dir.searchAll({
      base: root.defaultNamingContext,
      filter: '(&(objectCategory=computer)(|(userAccountControl:1.2.840.113556.1.4.803:=8192)(userAccountControl:1.2.840.113556.1.4.803:=67108864)))',
      attributes: ['cn', 'dNSHostName', 'operatingSystem', 'operatingSystemVersion', 'userAccountControl', 'serverReferenceBL'],
    }),
  ]);
  const keyAttributes = [...ROOT_KEY_ATTRIBUTES.filter((a) => a !== 'msKds-RootKeyData'), 'msKds-DomainID'];
  const keyBinary = ROOT_KEY_BINARY_ATTRIBUTES.filter((a) => a !== 'msKds-RootKeyData');
  const [serviceContainer, masterRootKeys, rootKeys] = await Promise.all([
    readOptional(dir, kdsServiceDn(configDn), ['cn']),
    readOptional(dir, kdsMasterRootKeysDn(configDn), ['cn']),
    searchOptional(dir, { base: kdsMasterRootKeysDn(configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: keyAttributes, binaryAttributes: keyBinary }),
  ]);
  return {
    format: SCHEMA_SNAPSHOT_FORMAT,
    readAt: now.toISOString(),
    facts,
    naming: { configurationNamingContext: configDn, schemaNamingContext: schemaDn, serverName: root.serverName },
    schemaHead,
    attributeSchemas,
    computerClass: computerClasses[0],
    extendedRights,
    servers,
    dsaSettings,
    domainControllers,
    kds: { serviceContainer, masterRootKeys, rootKeys: rootKeys.map(stripSecrets) },
  };
}

/** Belt and braces: a snapshot never carries root key material, whatever the server returned. */
function stripSecrets(e: DirEntry): DirEntry {
  const attributes = { ...e.attributes };
  delete attributes['mskds-rootkeydata'];
  return { dn: e.dn, attributes };
}

export interface SchemaApplyRun {
  phase: SchemaPhase;
  runId: string;
  journalFile: string;
  status: ApplyResult['status'];
  exitCode: number;
  counts: ApplyResult['counts'];
  stoppedAt?: ApplyResult['stoppedAt'];
}

export interface SchemaApplyOutcome {
  runs: SchemaApplyRun[];
  /** schemaUpdateNow requests after a phase that wrote schema objects. */
  schemaUpdateNow: Array<{ after: SchemaPhase; ok: boolean; message?: string }>;
  /** 0 when every change is applied or already done. */
  exitCode: number;
}

export interface SchemaData extends Omit<SchemaAnalysis, 'findings'> {
  source: 'live' | 'snapshot';
  options: { encryption: boolean; createKdsRootKey: boolean; kdsAlgorithm: string | null; effectiveNow: boolean };
  readAt: string;
  plan: { changes: Array<JournalChange & { phase: SchemaPhase }>; irreversible: number; notes: string[] };
  apply?: SchemaApplyOutcome;
}

export type SchemaResult = StepResult<SchemaData>;

export interface SchemaResultInput {
  snapshot: SchemaSnapshot;
  analysis: SchemaAnalysis;
  plan: Plan;
  phaseOf: Map<string, SchemaPhase>;
  notes: string[];
  target: TargetInfo;
  source: 'live' | 'snapshot';
  options: SchemaData['options'];
  apply?: SchemaApplyOutcome;
  generatedAt?: Date;
}

export function schemaResult(i: SchemaResultInput): SchemaResult {
  const { findings, ...rest } = i.analysis;
  const planJson = planToJson(i.plan);
  return {
    step: 'schema',
    schemaVersion: SCHEMA_STEP_SCHEMA_VERSION,
    tool: { name: 'laps-migrate', version: VERSION },
    generatedAt: (i.generatedAt ?? new Date()).toISOString(),
    target: i.target,
    findings,
    data: {
      ...rest,
      source: i.source,
      options: i.options,
      readAt: i.snapshot.readAt,
      plan: {
        changes: planJson.changes.map((c) => ({ ...c, phase: i.phaseOf.get(c.id) ?? 'schema-objects' })),
        irreversible: i.plan.changes.filter((c) => c.irreversible).length,
        notes: i.notes,
      },
      ...(i.apply ? { apply: i.apply } : {}),
    },
  };
}

/**
 * Refuses, before anything is written, an apply the bound account or DC cannot carry out:
 * schema changes need a Schema Admin bound to the schema master; a KDS root key needs a
 * Domain Admin of the forest root domain or an Enterprise Admin.
 */
export function checkApplyPreconditions(snapshot: SchemaSnapshot, analysis: SchemaAnalysis, phases: Set<SchemaPhase>): void {
  const who = analysis.boundAs.dn;
  if (phases.has('schema-objects') || phases.has('computer-class')) {
    if (!analysis.boundAs.schemaAdmin) {
      throw new UserError(`${who} is not a Schema Admin: the Windows LAPS schema cannot be extended with this account. Nothing was written.`, ExitCode.ACCESS_DENIED, {
        reason: 'NOT_SCHEMA_ADMIN',
        advice: 'Run the apply as a member of Schema Admins (for example the forest root Administrator), or have a Schema Admin run it.',
      });
    }
    if (!analysis.schemaMaster.boundDcIsMaster) {
      throw new UserError(`${snapshot.facts.dcHost} is not the schema master${analysis.schemaMaster.dnsHostName ? ` (${analysis.schemaMaster.dnsHostName} is)` : ''}: schema changes must be written there. Nothing was written.`, ExitCode.USAGE, {
        reason: 'NOT_SCHEMA_MASTER',
        advice: `Connect to the schema master: --server ldaps://${analysis.schemaMaster.dnsHostName ?? '<schema master>'}.`,
      });
    }
  }
  if (phases.has('kds')) {
    const forestRootDomain = dnKey(snapshot.facts.domainDn) === dnKey(snapshot.facts.forestRootDn);
    if (!analysis.boundAs.enterpriseAdmin && !(analysis.boundAs.domainAdmin && forestRootDomain)) {
      throw new UserError(`${who} may not create a KDS root key (it needs Enterprise Admin, or Domain Admin of the forest root domain). Nothing was written.`, ExitCode.ACCESS_DENIED, {
        reason: 'NOT_FOREST_ADMIN',
        advice: 'Run as an Enterprise Admin, or create the key with Add-KdsRootKey on a DC.',
      });
    }
  }
}

export interface SchemaApplyOptions {
  /** Irreversible changes were confirmed (--confirm-irreversible, or the prompt). */
  confirmIrreversible: boolean;
  onProgress?: (p: ApplyProgress & { phase: SchemaPhase }) => void;
  /** Command-line options recorded with each journal run (secrets are dropped by the journal). */
  options?: Record<string, unknown>;
}

/** Asks the DC to reload its schema cache now (rootDSE schemaUpdateNow), as Update-LapsADSchema does. */
export async function schemaUpdateNow(dir: Directory): Promise<void> {
  await dir.modify('', [{ operation: 'add', attribute: 'schemaUpdateNow', values: ['1'] }]);
}

/**
 * Applies the plan phase by phase, each phase one journal run: schema objects, schemaUpdateNow,
 * the computer class, schemaUpdateNow, KDS objects. Stops at the first phase that does not
 * complete. Call checkApplyPreconditions first.
 */
export async function applySchemaPlan(dir: Directory, plan: Plan, phaseOf: Map<string, SchemaPhase>, journal: JournalStore, o: SchemaApplyOptions): Promise<SchemaApplyOutcome> {
  const outcome: SchemaApplyOutcome = { runs: [], schemaUpdateNow: [], exitCode: ExitCode.OK };
  for (const phase of SCHEMA_PHASES) {
    const changes = plan.changes.filter((c) => (phaseOf.get(c.id) ?? 'schema-objects') === phase);
    if (changes.length === 0) continue;
    const sub: Plan = { ...plan, changes };
    const r = await applyPlan(dir, sub, journal, {
      confirmIrreversible: o.confirmIrreversible,
      ...(o.options ? { options: { ...o.options, phase } } : {}),
      ...(o.onProgress ? { onProgress: (p: ApplyProgress) => o.onProgress!({ ...p, phase }) } : {}),
    });
    outcome.runs.push({
      phase,
      runId: r.runId,
      journalFile: r.journalFile,
      status: r.status,
      exitCode: r.exitCode,
      counts: r.counts,
      ...(r.stoppedAt ? { stoppedAt: r.stoppedAt } : {}),
    });
    const wrote = r.outcomes.some((x) => x.state === 'verified' || x.state === 'applied');
    if (phase !== 'kds' && wrote) {
      try {
        await schemaUpdateNow(dir);
        outcome.schemaUpdateNow.push({ after: phase, ok: true });
      } catch (e) {
        // the DC refreshes its schema cache by itself within minutes; the next phase says if it mattered
        outcome.schemaUpdateNow.push({ after: phase, ok: false, message: e instanceof Error ? e.message.split('\n')[0] : String(e) });
      }
    }
    if (r.exitCode !== ExitCode.OK) {
      outcome.exitCode = r.exitCode;
      break;
    }
  }
  return outcome;
}
