/**
 * Step 5, cutover, as a Step (issue 17). The plan rebuilds where the migration stands from the
 * directory alone (each wave's GPO, its links and their replication metadata, the computers'
 * LAPS attributes), verifies every started wave computer by computer, and, when the last
 * started wave's gate is met (or no wave has started), preflights the next wave and plans its
 * start through the GPO writer: the playbook's Windows LAPS settings into the wave's GPO and an
 * enabled link on each of its OUs. The apply is the default one journal run; verify plans again.
 * Waiting for devices is not a blocker (exit 0); preflight blockers are (exit 3).
 *
 * Group and computer-list waves have their members read first (wave-members.ts) and start with
 * the GPO's security filter (security-filter.ts) before its links. The preflight adds the other
 * Windows LAPS GPOs reaching the wave (gpo-reach.ts), the legacy GPO per transition
 * (transition.ts) and the principal's read delegation (principal-read.ts).
 *
 * Each wave is one paged read (by OU partition with --parallel) carrying the attributes and the
 * descriptors; the current blobs are decrypted on a worker while the pages arrive (wave-payloads.ts).
 */
import { COMPUTER_CLASS_GUID } from '../../laps/attributes.js';
import { PrincipalResolver, resolvePrincipalName, type Principal } from '../../directory/principals.js';
import { readGpo } from '../../gpo/read-gpo.js';
import { planGpoEdit } from '../../gpo/plan-gpo-edit.js';
import { createPlan, planToJson, type Plan } from '../../journal/index.js';
import type { Finding, StepResult } from '../../model/step-result.js';
import { hasBlockers } from '../../model/step-result.js';
import { resolveLapsGuids } from '../permissions.js';
import type { SelfCoverage } from '../permissions/model.js';
import { dnKey, isUnder } from '../../directory/dn.js';
import type { PlannedStep, Step, StepContext } from '../step.js';
import { cutoverOptions, type CutoverOptions } from './options.js';
import { wavePreflight } from './preflight.js';
import { centralStore, SelfCoverageReader } from './read-self.js';
import { readWaveComputers, readWaveGpo, type WaveGpoState } from './read-state.js';
import { planSecurityFilter, securityFilterNotes } from './security-filter.js';
import { resolveWaveMembers, type WaveMembers } from './wave-members.js';
import { policyEntries, startWaveEdit } from './start-wave.js';
import { readGpoReach } from './gpo-reach.js';
import { transitionFindings } from './transition.js';
import { principalReadFindings, principalReadGaps, principalToken } from './principal-read.js';
import type { SecurityDescriptor } from '../../security/index.js';
import { decodeLapsSettings } from '../../laps/gpo-laps-settings.js';
import { readFeeding, WavePayloadCheck } from './wave-payloads.js';
import { cutoverReport, cutoverText, driftSids, statusLines, verdictFindings, waveJson, type CutoverData, type WaveStatus } from './text.js';
import { countStates, evaluateGate, verifyComputer, type WaveExpectation } from './verify.js';
import { resolveWaves, withMembers } from './waves.js';
import { cutoverWizardForm } from './wizard.js';

/**
 * The options the step runs with: the playbook's, plus --status. Where SYSVOL is comes from
 * StepContext.sysvol (a connection setting: --sysvol, the profile, the playbook's connection).
 */
export type CutoverStepOptions = CutoverOptions & { /** Only where the waves stand: no preflight, no plan (--status). */ status?: boolean };

const SCHEMA_VERSION = 1;

function encryptedPolicy(o: CutoverOptions): boolean {
  return o.policy.backupDirectory === 'ad' && o.policy.encryption.enabled;
}

async function planCutover(ctx: StepContext, o: CutoverStepOptions): Promise<PlannedStep<CutoverData>> {
  const dir = ctx.dir;
  const facts = ctx.facts;
  if (!dir || !facts) throw new Error('cutover needs a live directory');
  const now = ctx.now();
  const sysvol = ctx.sysvol;
  const findings: Finding[] = [];
  const root = await dir.rootDse();
  const { guids, schema } = await resolveLapsGuids(dir, root.schemaNamingContext, root.configurationNamingContext, COMPUTER_CLASS_GUID);
  const windowsLapsSchema = !!(schema.password && schema.encryptedPassword && schema.expiration);
  // group and computer-list waves: members, filter trustees and link targets read from the directory
  const membership = new Map<string, WaveMembers>();
  const waves = await Promise.all(
    resolveWaves(o.waves, ctx.target.baseDn).map(async (w) => {
      if (w.ous.length) return w;
      const m = await resolveWaveMembers(dir, ctx.target.baseDn, facts.domainDn, w);
      membership.set(w.name, m);
      return withMembers(w, m.members.map((x) => x.dn), m.linkTargets);
    }),
  );
  const encrypted = encryptedPolicy(o);
  const principalName = o.policy.encryption.principal;
  const principal = encrypted && principalName ? { name: principalName, ...(await resolvePrincipalName(dir, { domainDn: facts.domainDn, dnsDomain: facts.dnsDomain, netbiosDomain: facts.netbiosDomain }, principalName)) } : undefined;
  // no principal configured: Windows LAPS encrypts to Domain Admins
  const principalSid = !encrypted ? undefined : principal ? (principal.sids.length === 1 && !principal.isolated ? principal.sids[0] : undefined) : `${facts.domainSid}-512`;

  // --parallel N: N connections page each wave's computers by OU partition (closed with the context)
  const more = ctx.fork && o.parallel > 1 ? await Promise.all(Array.from({ length: o.parallel - 1 }, () => ctx.fork!())) : [];
  // SIDs named in the report (the policy's, the drift's), each looked up once per run; a failed lookup leaves the SID
  const resolver = new PrincipalResolver(dir, facts.domainDn, facts.netbiosDomain);
  const sidNames: Record<string, string> = {};
  const nameSids = async (sids: string[]) => {
    if (sids.length) for (const [sid, p] of await resolver.resolve(sids).catch(() => new Map<string, Principal>())) sidNames[sid] = p.name;
  };
  if (principalSid) await nameSids([principalSid]);
  const statuses: WaveStatus[] = [];
  let changes: Plan = createPlan('cutover', [], { createdAt: now });
  let next: { wave: string; action: 'start' | 'blocked' | 'waiting' | 'none'; why: string[] } = { wave: '', action: 'none', why: [] };
  if (waves.length === 0) findings.push({ code: 'CUTOVER_NO_WAVES', severity: 'info', object: 'playbook', message: 'The playbook has no waves: nothing to cut over.', advice: 'Add `waves:` to the playbook (see playbooks/pilot-then-broad.yaml).' });

  for (const [i, wave] of waves.entries()) {
    ctx.progress({ step: 'cutover', phase: `reading wave ${wave.name}` });
    performance.mark('laps-migrate:cutover-wave-start');
    const members = membership.get(wave.name);
    let gpoState = await readWaveGpo(dir, facts.domainDn, wave);
    // a filtered wave has started only once its GPO's security filter is in place as well
    const filter = members && gpoState.gpo ? await planSecurityFilter(dir, { dn: gpoState.gpo.dn, name: wave.gpo }, members.trustees, facts.domainSid, wave.name) : undefined;
    if (filter?.draft && gpoState.startedAt) gpoState = notStarted(gpoState);
    // one search per OU: the attributes and each descriptor; current blobs go to the payload
    // check (worker threads) as their pages arrive, so decryption overlaps the search
    const payloads = gpoState.startedAt && encrypted ? new WavePayloadCheck(dir, root.configurationNamingContext, wave.name) : undefined;
    const self = new Map<string, SelfCoverage>();
    const descriptors = new Map<string, SecurityDescriptor>();
    const keepDescriptors = !gpoState.startedAt && !o.status && !!principalSid;
    const selfReader = new SelfCoverageReader(guids, facts.domainSid);
    const computers = await readFeeding(payloads, (feed) =>
      readWaveComputers(dir, schema, wave, waves, now, {
        descriptor: (dn, sdBytes, sid) => {
          const { sd, coverage } = selfReader.read(sdBytes, sid);
          if (keepDescriptors) descriptors.set(dnKey(dn), sd);
          self.set(dnKey(dn), coverage);
        },
        ...feed,
        ...(more.length ? { parallel: { more, schemaDn: root.schemaNamingContext } } : {}),
      }),
    );
    performance.mark('laps-migrate:cutover-computers-read');
    for (const c of computers) {
      const cov = self.get(dnKey(c.dn));
      if (cov && windowsLapsSchema && !cov.windows) c.obstacles = [`the computer may not write its Windows LAPS attributes (SELF lacks ${cov.missing.filter((m) => !m.startsWith('RP+CR') && !/AdmPwd/i.test(m)).join(', ')}): event 10017`];
    }
    const x: WaveExpectation = { startedAt: gpoState.startedAt, encryption: encrypted, ...(principalSid ? { principalSid } : {}), historySize: encrypted ? o.policy.historySize : 0, accountName: o.policy.administratorAccountName, graceDays: o.graceDays, now };
    if (payloads) findings.push(...(await payloads.finish()));
    performance.mark('laps-migrate:cutover-payloads-checked');
    const verdicts = computers.map((c) => verifyComputer(c, x));
    await nameSids(driftSids(verdicts));
    findings.push(...verdictFindings(wave.name, verdicts, sidNames));
    const counts = countStates(verdicts);
    const gate = evaluateGate(counts, wave.gates, gpoState.startedAt, now);
    statuses.push({ wave, gpo: gpoState, counts, gate, verdicts });
    if (gpoState.startedAt) continue;

    // --status shows every wave (issue 17), the ones after a wave not started too
    if (o.status) continue;
    // the first wave not started: start it once the previous wave's gate is met
    const previous = statuses[i - 1];
    if (previous && !previous.gate.met) {
      next = { wave: wave.name, action: 'waiting', why: previous.gate.unmet };
      findings.push({ code: 'CUTOVER_WAITING', severity: 'info', object: previous.wave.name, message: `Waiting for wave ${previous.wave.name} to meet its gate before wave ${wave.name} starts.`, evidence: previous.gate.unmet.join('; '), advice: 'Rerun `cutover --apply` later (from a scheduler): it starts the next wave once the gate is met.' });
      break;
    }
    const expectedBuilds = verdicts.filter((v) => v.state !== 'left-behind').map((v) => computers.find((c) => c.dn === v.dn)!.build);
    const selfByOu = wave.ous.map((ou) => {
      const under = computers.filter((c) => isUnder(c.dn, ou)).map((c) => self.get(dnKey(c.dn))).filter((v): v is SelfCoverage => !!v);
      return { ou, write: under.every((v) => v.windows), propertySetRead: under.every((v) => v.readEncrypted) };
    });
    const reach = await readGpoReach(dir, { domainDn: facts.domainDn, dnsDomain: facts.dnsDomain, sysvol, computers: computers.map((c) => c.dn), waveGpo: gpoState.gpo?.guid, wanted: decodeLapsSettings(policyEntries(o.policy)).windowsLaps });
    const pf = wavePreflight({
      wave: { name: wave.name, index: i, gpo: wave.gpo },
      policy: o.policy,
      windowsLapsSchema,
      self: windowsLapsSchema ? selfByOu : [],
      domainFunctionalLevel: facts.domainFunctionalLevel.level,
      kds: await kdsFacts(ctx, root.configurationNamingContext, now),
      ...(principal ? { principal } : {}),
      builds: expectedBuilds,
      gpoExists: !!gpoState.gpo,
      otherLapsGpos: reach.others,
      unreadGpos: reach.unread,
      ...(previous ? { previous: { name: previous.wave.name, met: previous.gate.met, unmet: previous.gate.unmet } } : {}),
      ...(sysvol ? { centralStore: centralStore(sysvol, facts.dnsDomain)! } : {}),
    });
    const inWave = computers.flatMap((c) => (descriptors.has(dnKey(c.dn)) ? [{ dn: c.dn, sd: descriptors.get(dnKey(c.dn))! }] : []));
    const readGaps = principalSid && windowsLapsSchema ? principalReadGaps(inWave, guids, await principalToken(dir, facts.domainDn, principalSid), o.policy.historySize > 0) : [];
    const legacy = transitionFindings({ wave: wave.name, transition: o.transition, administratorAccountName: o.policy.administratorAccountName, legacyGpos: reach.legacy, computers, sysvolRead: !!sysvol });
    const waveFindings = [...pf.findings, ...(members?.findings ?? []), ...filterBlockers(wave.name, wave.gpo, filter?.problems ?? []), ...legacy, ...principalReadFindings(wave.name, principalName ?? 'Domain Admins', readGaps)];
    findings.push(...waveFindings);
    if (hasBlockers(waveFindings)) {
      next = { wave: wave.name, action: 'blocked', why: waveFindings.filter((f) => f.severity === 'blocker').map((f) => f.code) };
      break;
    }
    const snapshot = await readGpo(dir, { domainDn: facts.domainDn, gpo: wave.gpo, ...(sysvol ? { sysvol } : {}) });
    const edit = await planGpoEdit(dir, snapshot, startWaveEdit(wave.name, wave.ous, o.policy));
    // the filter first: a part-way apply never links an unfiltered GPO
    changes = createPlan('cutover', [...(filter?.draft ? [filter.draft] : []), ...edit.drafts], { createdAt: now });
    const filterNotes = members && filter ? securityFilterNotes(wave.gpo, members.trustees, wave.group !== undefined ? 'group' : 'computers', filter.changes) : [];
    next = { wave: wave.name, action: 'start', why: [...filterNotes, ...edit.notes] };
    break;
  }
  const data: CutoverData = { waves: statuses.map(waveJson), next, principalSid: principalSid ?? null, sidNames };
  const result: StepResult<CutoverData> = { step: 'cutover', schemaVersion: SCHEMA_VERSION, tool: { name: 'laps-migrate', version: (await import('../../version.js')).VERSION }, generatedAt: now.toISOString(), target: ctx.target, findings, data };
  return {
    result,
    changes,
    text: () => (o.status ? statusLines(statuses) : cutoverText(result, statuses, changes)),
    report: () => cutoverReport(result, statuses),
    json: () => ({ ...result, plan: planToJson(changes) }),
  };
}

function notStarted(g: WaveGpoState): WaveGpoState {
  const { startedAt: _, ...rest } = g;
  return rest;
}

function filterBlockers(wave: string, gpo: string, problems: readonly string[]): Finding[] {
  return problems.map((p) => ({ code: 'CUTOVER_SECURITY_FILTER_BLOCKED', severity: 'blocker' as const, object: gpo, message: `wave ${wave}: the security filter of "${gpo}" cannot hold: ${p}.`, advice: 'Fix the GPO\'s delegation in GPMC (Delegation tab, Advanced), then rerun the cutover.' }));
}

async function kdsFacts(ctx: StepContext, configDn: string, now: Date): Promise<{ state: 'usable' | 'not-yet-effective' | 'missing' | 'unreadable'; usableFrom: string | null }> {
  const { kdsMasterRootKeysDn } = await import('../../directory/kds.js');
  const { parseInteger8Time } = await import('../../directory/ad-time.js');
  const keys = await ctx.dir!.searchAll({ base: kdsMasterRootKeysDn(configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: ['msKds-UseStartTime'] }).catch(() => []);
  const starts = keys.map((k) => parseInteger8Time(k.attributes['mskds-usestarttime']?.[0] as string | undefined)).filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime());
  if (starts.some((d) => d.getTime() <= now.getTime())) return { state: 'usable', usableFrom: starts[0]!.toISOString() };
  if (starts.length) return { state: 'not-yet-effective', usableFrom: starts[0]!.toISOString() };
  const da = ctx.facts?.boundAs.domainAdmin || ctx.facts?.boundAs.enterpriseAdmin;
  return { state: da ? 'missing' : 'unreadable', usableFrom: null };
}

export const cutoverStep: Step<CutoverStepOptions, CutoverData> = {
  name: 'cutover',
  title: 'Cutover to Windows LAPS',
  options: cutoverOptions,
  wizardForm: cutoverWizardForm,
  nothingToChange: 'Nothing to change: no wave is ready to start (see the wave status above).',
  plan: planCutover,
  async verify(ctx, _p, o) {
    const again = await planCutover(ctx, o);
    return {
      text: [`Verified: ${again.changes.changes.length === 0 ? 'a new plan has nothing to change' : `${again.changes.changes.length} change(s) still planned`}.`],
      json: { verify: { waves: again.result.data.waves, remainingChanges: again.changes.changes.length } },
      final: again,
      blockers: hasBlockers(again.result.findings),
    };
  },
};
