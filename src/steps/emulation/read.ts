/**
 * What step 4 reads (any domain account): the LAPS GPOs (groupPolicyContainer + their
 * Machine/Registry.pol from --sysvol), gPLink/gPOptions of the domain and every OU, the computers
 * (OS build, expiry, replPropertyMetaData of the legacy password: never a value), and the legacy
 * SELF coverage from the permissions analysis. The result is plain facts for the pure readiness
 * and monitoring code.
 */
import type { Directory } from '../../directory/types.js';
import { firstBuffer, firstString } from '../../directory/entry.js';
import { somChain } from '../../directory/som-chain.js';
import { dnKey, isUnder, parentDn } from '../../directory/dn.js';
import { parseInteger8Time } from '../../directory/ad-time.js';
import { readLapsSchema, type LapsSchema } from '../../directory/laps-schema.js';
import { findPropertyMetaData } from '../../directory/repl-metadata.js';
import { readGpoFolder, resolvePoliciesDir } from '../../directory/sysvol.js';
import { dnsDomainOf } from '../../directory/gpo-container.js';
import { classifyOs } from '../../laps/os-readiness.js';
import { parseRegistryPol } from '../../laps/registry-pol.js';
import type { ScopeOfManagement } from '../../laps/gpo-links.js';
import { InputError } from '../../errors.js';
import { readGpos, readScopesOfManagement } from '../inventory.js';
import { runPermissions } from '../permissions.js';
import { lapsWriteTimes } from '../legacy-dependents.js';
import { dependsOnLegacy } from '../../laps/legacy-dependence.js';
import type { TargetInfo } from '../../model/step-result.js';
import type { MonitorComputer } from './monitoring.js';
import { policyFacts, type LapsGpo, type PolicyFacts, type Tri } from './policy.js';
import type { ReadinessComputer } from './readiness.js';

const UAC_DISABLED = 0x2;
const UAC_SERVER_TRUST = 0x2000;

export interface GpoLinkFact {
  at: string;
  enforced: boolean;
  disabled: boolean;
}

export interface EmulationFacts {
  domainDn: string;
  legacySchema: boolean;
  schema: LapsSchema;
  /** The Policies folder --sysvol resolved to; undefined without --sysvol. */
  policiesDir: string | undefined;
  gpos: Array<LapsGpo & { dn: string; links: GpoLinkFact[] }>;
  computers: Array<ReadinessComputer & Omit<MonitorComputer, 'verdict' | 'container' | 'containerPath'>>;
}

export interface ReadOptions {
  target: TargetInfo;
  now: Date;
  /** Only computers under this DN. */
  scope?: string;
  sysvol?: string;
  onProgress?: (computers: number) => void;
}

async function readLapsGpos(dir: Directory, domainDn: string, dnsDomain: string, sysvol: string | undefined, soms: Map<string, ScopeOfManagement>): Promise<{ policiesDir: string | undefined; gpos: EmulationFacts['gpos'] }> {
  const policiesDir = sysvol ? resolvePoliciesDir(sysvol, dnsDomain) : undefined;
  const facts = await readGpos(dir, domainDn);
  const gpos: EmulationFacts['gpos'] = [];
  for (const g of facts.values()) {
    const links: GpoLinkFact[] = [];
    for (const som of soms.values()) for (const l of som.links) if (l.guid === g.guid) links.push({ at: som.dn, enforced: l.enforced, disabled: l.disabled });
    const base = { guid: g.guid, name: g.displayName, dn: g.dn, kinds: g.kinds, computerSettingsDisabled: g.computerSettingsDisabled, links };
    if (!policiesDir) {
      gpos.push({ ...base, file: 'no-sysvol' });
      continue;
    }
    const folder = readGpoFolder(policiesDir, g.guid);
    if (!folder.gpoDir) {
      gpos.push({ ...base, file: 'missing-folder' });
      continue;
    }
    if (!folder.registryPol) {
      gpos.push({ ...base, file: 'absent', entries: [] });
      continue;
    }
    try {
      gpos.push({ ...base, file: 'read', entries: parseRegistryPol(folder.registryPol, `${g.guid}/Machine/Registry.pol`) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      gpos.push({ ...base, file: 'malformed', error: e.message });
    }
  }
  return { policiesDir, gpos };
}

/** Legacy SELF coverage per computer DN, from the permissions analysis (its SELF evaluation). */
async function legacySelfCoverage(dir: Directory, o: ReadOptions): Promise<{ coverage: Map<string, boolean>; legacySchema: boolean }> {
  const off = { self: false, legacySelf: false, mirror: false, removeAllExtendedRights: false, fixOwners: false };
  const { result } = await runPermissions(dir, o.target, { now: o.now, plan: off, ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  const coverage = new Map<string, boolean>();
  for (const c of result.data.computers) coverage.set(dnKey(c.dn), c.self.legacy);
  return { coverage, legacySchema: result.data.summary.legacySchema };
}

export async function readEmulationFacts(dir: Directory, o: ReadOptions): Promise<EmulationFacts> {
  const root = await dir.rootDse();
  const domainDn = root.defaultNamingContext;
  const scope = o.scope ?? domainDn;
  if (!isUnder(scope, domainDn)) throw new InputError(`--ou ${scope} is not inside the domain ${domainDn}`);
  if (o.scope && !(await dir.read(o.scope, ['1.1']))) throw new InputError(`--ou ${o.scope} does not exist`);
  const soms = await readScopesOfManagement(dir, domainDn);
  const { policiesDir, gpos } = await readLapsGpos(dir, domainDn, o.target.domain || dnsDomainOf(domainDn), o.sysvol, soms);
  const gpoMap = new Map(gpos.map((g) => [g.guid.toUpperCase(), g]));
  const schema = await readLapsSchema(dir, root.schemaNamingContext);
  const { coverage, legacySchema } = await legacySelfCoverage(dir, o);

  const legacyExp = schema.legacyExpiration?.name;
  const winExp = schema.expiration?.name;
  const legacyAttid = schema.legacyPassword?.attid;
  const attributes = ['cn', 'operatingSystem', 'operatingSystemVersion', 'userAccountControl', 'lastLogonTimestamp', 'replPropertyMetaData', ...[legacyExp, winExp].filter((x): x is string => !!x)];
  const policyOf = new Map<string, PolicyFacts>();
  const computers: EmulationFacts['computers'] = [];
  for await (const page of dir.searchPages({ base: scope, filter: '(objectCategory=computer)', attributes, binaryAttributes: ['replPropertyMetaData'] })) {
    for (const e of page) {
      const container = parentDn(e.dn);
      let policy = policyOf.get(dnKey(container));
      if (!policy) policyOf.set(dnKey(container), (policy = policyFacts(somChain(container, domainDn, soms), gpoMap)));
      const uac = Number(firstString(e, 'userAccountControl') ?? 0);
      const meta = firstBuffer(e, 'replPropertyMetaData');
      const writes = lapsWriteTimes(meta, schema);
      let legacyWrite: MonitorComputer['legacyWrite'];
      if (meta && legacyAttid !== undefined) {
        try {
          const m = findPropertyMetaData(meta, legacyAttid);
          if (m) legacyWrite = { at: m.changed, version: m.version };
        } catch {
          legacyWrite = undefined; // damaged metadata: the write time is unknown, never a crash
        }
      }
      const legacyExpires = legacyExp ? parseInteger8Time(firstString(e, legacyExp)) : undefined;
      const lastLogon = parseInteger8Time(firstString(e, 'lastLogonTimestamp'));
      const covered = coverage.get(dnKey(e.dn));
      const self: Tri = covered === undefined ? 'unknown' : covered ? 'yes' : 'no';
      computers.push({
        dn: e.dn,
        name: firstString(e, 'cn') ?? e.dn,
        enabled: (uac & UAC_DISABLED) === 0,
        dc: (uac & UAC_SERVER_TRUST) !== 0,
        os: classifyOs(firstString(e, 'operatingSystem'), firstString(e, 'operatingSystemVersion')),
        legacySelf: self,
        legacyManaged: !!legacyExpires || !!legacyWrite,
        legacyDependent: dependsOnLegacy({ legacyExpirationPresent: !!legacyExpires, legacyWrittenAt: writes.legacy, nativeWrittenAt: writes.native }),
        windowsManaged: !!(winExp && firstString(e, winExp)),
        policy,
        ageDays: policy.legacy?.passwordAgeDays ?? 30,
        ...(legacyWrite ? { legacyWrite } : {}),
        ...(legacyExpires ? { legacyExpires } : {}),
        ...(lastLogon ? { lastLogon } : {}),
      });
    }
  }
  return { domainDn, legacySchema, schema, policiesDir, gpos, computers };
}
