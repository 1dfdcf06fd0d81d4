/**
 * What cleanup reads (issue 18), never a password: where the cutover stands for every wave (its
 * own read-state.ts and verify.ts, so cleanup and cutover agree on `verified`), every computer in
 * scope with presence of the clear-text attributes tested by filters only, the legacy LAPS GPOs
 * (both halves when SYSVOL is given), the links of the domain and every OU, the legacy policy that
 * reaches each container, and the DACL (SD flags 4) of the domain head and every OU. Password
 * values are read later, only for the computers whose clearing is planned (plan-changes.ts).
 */
import { COMPUTER_CLASS_GUID } from '../../laps/attributes.js';
import { COMPUTER_FILTER, computersWith } from '../../directory/computers.js';
import { somChain } from '../../directory/som-chain.js';
import { dnKey, isUnder, parentDn } from '../../directory/dn.js';
import { firstBinary, firstString } from '../../directory/entry.js';
import type { LapsSchema } from '../../directory/laps-schema.js';
import { resolvePrincipalName } from '../../directory/principals.js';
import { readGpoFolder, resolvePoliciesDir } from '../../directory/sysvol.js';
import type { Directory } from '../../directory/types.js';
import { InputError } from '../../errors.js';
import { gpoLapsKinds, LEGACY_LAPS_CSE, ADMIN_TEMPLATES_CSE, parseExtensionNames, type ScopeOfManagement } from '../../laps/gpo-links.js';
import { LEGACY_LAPS_KEY } from '../../laps/gpo-laps-settings.js';
import { parseRegistryPol, sameName, type PolicyEntry } from '../../laps/registry-pol.js';
import { parseSecurityDescriptor, type SecurityDescriptor } from '../../security/index.js';
import type { StepContext } from '../step.js';
import { readScopesOfManagement } from '../inventory.js';
import { resolveLapsGuids } from '../permissions.js';
import type { LapsGuids } from '../permissions/model.js';
import type { CutoverOptions } from '../cutover/options.js';
import { readWaveComputers, readWaveGpo, type WaveGpoState } from '../cutover/read-state.js';
import { verifyComputer, type ComputerVerdict, type WaveExpectation } from '../cutover/verify.js';
import { resolveWaves, withMembers } from '../cutover/waves.js';
import { resolveWaveMembers } from '../cutover/wave-members.js';
import { readFeeding, WavePayloadCheck } from '../cutover/wave-payloads.js';
import { policyFacts, type LapsGpo, type Tri } from '../emulation/policy.js';
import type { CleanupComputer, LegacyGpo } from './decide.js';

const UAC_SERVER_TRUST = 0x2000;
const NTSD = 'nTSecurityDescriptor';

export interface ContainerDacl {
  dn: string;
  bytes: Buffer;
  sd: SecurityDescriptor;
}

export interface CleanupFacts {
  domainDn: string;
  scope: string;
  schema: LapsSchema;
  guids: LapsGuids;
  computers: CleanupComputer[];
  /** The cutover's verdicts per wave (for the text). */
  waves: Array<{ name: string; gpo: WaveGpoState; verdicts: ComputerVerdict[] }>;
  legacyGpos: Array<LegacyGpo & { dn: string }>;
  dacls: ContainerDacl[];
  /** Presence of ms-Mcs-AdmPwd / msLAPS-Password is readable by the bound account. */
  presenceReadable: { legacy: boolean; clear: boolean; dsrm: boolean };
  /** Where --sysvol resolved to (undefined without one). */
  policiesDir: string | undefined;
}

/** The waves' verdicts, computed as the cutover computes them. */
async function waveVerdicts(ctx: StepContext, dir: Directory, schema: LapsSchema, cut: CutoverOptions): Promise<{ waves: CleanupFacts['waves']; byDn: Map<string, { verdict: ComputerVerdict; encryptedVerified: boolean }> }> {
  const facts = ctx.facts!;
  const now = ctx.now();
  // group and computer-list waves: their members and link targets, as the cutover resolves them
  const waves = await Promise.all(
    resolveWaves(cut.waves, ctx.target.baseDn).map(async (w) => {
      if (w.ous.length) return w;
      const m = await resolveWaveMembers(dir, ctx.target.baseDn, facts.domainDn, w);
      return withMembers(w, m.members.map((x) => x.dn), m.linkTargets);
    }),
  );
  const configDn = (await dir.rootDse()).configurationNamingContext;
  const encrypted = cut.policy.backupDirectory === 'ad' && cut.policy.encryption.enabled;
  const principalName = cut.policy.encryption.principal;
  let principalSid: string | undefined;
  if (encrypted) {
    if (!principalName) principalSid = `${facts.domainSid}-512`;
    else {
      const p = await resolvePrincipalName(dir, { domainDn: facts.domainDn, dnsDomain: facts.dnsDomain, netbiosDomain: facts.netbiosDomain }, principalName);
      if (p.sids.length === 1 && !p.isolated) principalSid = p.sids[0];
    }
  }
  const out: CleanupFacts['waves'] = [];
  const byDn = new Map<string, { verdict: ComputerVerdict; encryptedVerified: boolean }>();
  for (const wave of waves) {
    ctx.progress({ step: 'cleanup', phase: `reading wave ${wave.name}` });
    const gpo = await readWaveGpo(dir, facts.domainDn, wave);
    // the start is the wave GPO's settings write (read-state.ts), so cleanup's own unlink of a
    // legacy GPO on a wave OU does not turn verified computers pending again
    const startedAt = gpo.startedAt;
    // the payload check (decryption, the account named) as the cutover makes it, while the wave is read
    const payloads = startedAt && encrypted ? new WavePayloadCheck(dir, configDn, wave.name) : undefined;
    const computers = await readFeeding(payloads, (feed) => readWaveComputers(dir, schema, wave, waves, now, feed));
    await payloads?.finish();
    const x: WaveExpectation = { startedAt, encryption: encrypted, ...(principalSid ? { principalSid } : {}), historySize: encrypted ? cut.policy.historySize : 0, accountName: cut.policy.administratorAccountName, graceDays: cut.graceDays, now };
    const verdicts = computers.map((c) => {
      const verdict = verifyComputer(c, x);
      const encryptedVerified = encrypted && (verdict.state === 'verified' || (c.clearPresent && verifyComputer({ ...c, clearPresent: false }, x).state === 'verified'));
      byDn.set(dnKey(c.dn), { verdict, encryptedVerified });
      return verdict;
    });
    out.push({ name: wave.name, gpo, verdicts });
  }
  return { waves: out, byDn };
}

/** Legacy LAPS GPOs: AdmPwd values in Registry.pol, or the legacy CSE listed. */
async function readLegacyGpos(dir: Directory, domainDn: string, policiesDir: string | undefined, soms: Map<string, ScopeOfManagement>): Promise<{ legacy: CleanupFacts['legacyGpos']; all: Map<string, LapsGpo> }> {
  const entries = await dir.searchAll({ base: `CN=Policies,CN=System,${domainDn}`, scope: 'one', filter: '(objectClass=groupPolicyContainer)', attributes: ['cn', 'displayName', 'gPCMachineExtensionNames', 'gPCUserExtensionNames', 'flags'] });
  const legacy: CleanupFacts['legacyGpos'] = [];
  const all = new Map<string, LapsGpo>();
  for (const e of entries) {
    const guid = (firstString(e, 'cn') ?? '').toUpperCase();
    const name = firstString(e, 'displayName') ?? guid;
    const machineExt = firstString(e, 'gPCMachineExtensionNames');
    const kinds = gpoLapsKinds(machineExt);
    const base = { guid, name, kinds, computerSettingsDisabled: (Number(firstString(e, 'flags') ?? 0) & 2) === 2 };
    let entriesRead: PolicyEntry[] | undefined;
    let file: LapsGpo['file'] = 'no-sysvol';
    if (policiesDir) {
      const folder = readGpoFolder(policiesDir, guid);
      if (!folder.gpoDir) file = 'missing-folder';
      else if (!folder.registryPol) {
        file = 'absent';
        entriesRead = [];
      } else {
        try {
          entriesRead = parseRegistryPol(folder.registryPol, `${guid}/Machine/Registry.pol`);
          file = 'read';
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          file = 'malformed';
        }
      }
    }
    all.set(guid, { ...base, file, ...(entriesRead ? { entries: entriesRead } : {}) });
    const admPwd = entriesRead?.filter((x) => sameName(x.key, LEGACY_LAPS_KEY)) ?? [];
    if (!kinds.includes('legacy-laps') && admPwd.length === 0) continue;
    // legacy-only: machine CSEs are the legacy CSE and Administrative Templates, no user half, and Registry.pol holds only AdmPwd values
    const cses = parseExtensionNames(machineExt).map((pair) => pair[0]?.toUpperCase());
    const otherCse = cses.some((c) => c !== LEGACY_LAPS_CSE && c !== ADMIN_TEMPLATES_CSE);
    const userHalf = parseExtensionNames(firstString(e, 'gPCUserExtensionNames')).length > 0;
    let legacyOnly: Tri;
    if (otherCse || userHalf) legacyOnly = 'no';
    else if (!entriesRead) legacyOnly = 'unknown';
    else legacyOnly = entriesRead.every((x) => sameName(x.key, LEGACY_LAPS_KEY)) ? 'yes' : 'no';
    const links = [...soms.values()].filter((s) => s.links.some((l) => l.guid?.toUpperCase() === guid)).map((s) => s.dn);
    legacy.push({ guid, name, dn: e.dn, legacyOnly, links });
  }
  return { legacy, all };
}

export async function readCleanupFacts(ctx: StepContext, cut: CutoverOptions, ou: string | undefined): Promise<CleanupFacts> {
  const dir = ctx.dir;
  const facts = ctx.facts;
  if (!dir || !facts) throw new Error('cleanup needs a live directory');
  const root = await dir.rootDse();
  const domainDn = root.defaultNamingContext;
  const scope = ou ?? ctx.target.baseDn;
  if (!isUnder(scope, domainDn)) throw new InputError(`--ou ${scope} is not inside the domain ${domainDn}`);
  if (ou && !(await dir.read(ou, ['1.1']))) throw new InputError(`--ou ${ou} does not exist`);
  const { guids, schema } = await resolveLapsGuids(dir, root.schemaNamingContext, root.configurationNamingContext, COMPUTER_CLASS_GUID);
  const { waves, byDn } = await waveVerdicts(ctx, dir, schema, cut);

  ctx.progress({ step: 'cleanup', phase: 'reading GPOs' });
  const soms = await readScopesOfManagement(dir, domainDn);
  const policiesDir = ctx.sysvol ? resolvePoliciesDir(ctx.sysvol, facts.dnsDomain) : undefined;
  const { legacy: legacyGpos, all } = await readLegacyGpos(dir, domainDn, policiesDir, soms);

  ctx.progress({ step: 'cleanup', phase: 'reading computers' });
  const n = (k: keyof LapsSchema) => schema[k]?.name;
  const legacyExp = n('legacyExpiration');
  const winExp = n('expiration');
  const [legacySet, clearSet, dsrmSet] = await Promise.all([computersWith(dir, scope, n('legacyPassword')), computersWith(dir, scope, n('password')), computersWith(dir, scope, n('encryptedDsrmPassword'))]);
  const entries = await dir.searchAll({ base: scope, scope: 'sub', filter: COMPUTER_FILTER, attributes: ['cn', 'userAccountControl', 'operatingSystem', ...[legacyExp, winExp].filter((x): x is string => !!x)] });
  const legacyExpCount = legacyExp ? entries.filter((e) => firstString(e, legacyExp)).length : 0;
  const winExpCount = winExp ? entries.filter((e) => firstString(e, winExp)).length : 0;
  // a confidential attribute's presence filter matches nothing for an account that cannot read it
  const presenceReadable = { legacy: legacySet.size > 0 || legacyExpCount === 0, clear: clearSet.size > 0 || winExpCount === 0 || facts.boundAs.domainAdmin, dsrm: dsrmSet.size > 0 || facts.boundAs.domainAdmin };
  const policyOf = new Map<string, ReturnType<typeof policyFacts>>();
  const computers: CleanupComputer[] = entries.map((e) => {
    const key = dnKey(e.dn);
    const uac = Number(firstString(e, 'userAccountControl') ?? 0);
    const container = parentDn(e.dn);
    let policy = policyOf.get(dnKey(container));
    if (!policy) policyOf.set(dnKey(container), (policy = policyFacts(somChain(container, domainDn, soms), all)));
    const w = byDn.get(key);
    const dc = (uac & UAC_SERVER_TRUST) !== 0;
    return {
      dn: e.dn,
      name: firstString(e, 'cn') ?? e.dn,
      dc,
      windows: /windows/i.test(firstString(e, 'operatingSystem') ?? ''),
      state: w?.verdict.state ?? 'not-in-wave',
      ...(w?.verdict.leftBehind ? { leftBehind: w.verdict.leftBehind } : {}),
      legacyPresent: legacySet.has(key) ? true : presenceReadable.legacy ? false : null,
      legacyExpirationPresent: !!(legacyExp && firstString(e, legacyExp)),
      clearPresent: clearSet.has(key) ? true : presenceReadable.clear ? false : null,
      windowsManaged: !!(winExp && firstString(e, winExp)),
      encryptedVerified: w?.encryptedVerified ?? false,
      legacyPolicy: policy.legacyEnabled,
      legacyAccount: policy.legacy?.adminAccountName,
      dsrmPresent: !dc ? null : dsrmSet.has(key) ? true : presenceReadable.dsrm ? false : null,
    };
  });

  ctx.progress({ step: 'cleanup', phase: 'reading OU permissions' });
  const dacls: ContainerDacl[] = [];
  const take = (dn: string, bytes: Buffer | undefined) => {
    if (bytes && isUnder(dn, scope)) dacls.push({ dn, bytes, sd: parseSecurityDescriptor(bytes) });
  };
  const head = await dir.read(domainDn, [NTSD], { binaryAttributes: [NTSD], sdFlags: 4 });
  if (head) take(domainDn, firstBinary(head, NTSD));
  for (const e of await dir.searchAll({ base: domainDn, scope: 'sub', filter: '(objectClass=organizationalUnit)', attributes: [NTSD], binaryAttributes: [NTSD], sdFlags: 4 })) take(e.dn, firstBinary(e, NTSD));

  return { domainDn, scope, schema, guids, computers, waves, legacyGpos, dacls, presenceReadable, policiesDir };
}
