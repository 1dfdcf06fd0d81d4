/**
 * Step 6, cleanup, as a Step (issue 18). plan: where the cutover stands (its own verification),
 * every computer in scope, the legacy GPOs and OU descriptors (read.ts); the decisions
 * (decide.ts); the changes (plan-changes.ts): reversible ones first (legacy delegations off OUs,
 * legacy GPO links or AdmPwd values), then the irreversible clears of verified computers'
 * legacy passwords. apply: the reversible changes as one journal run (rollback restores DACLs,
 * links and GPO files byte for byte), the irreversible ones as a second run; without
 * --confirm-irreversible only the first (irreversibleOptional). verify: plan again.
 */
import { friendlyPath } from '../../directory/dn.js';
import { applyPlan, createPlan, planToJson } from '../../journal/index.js';
import { hasBlockers, type StepResult } from '../../model/step-result.js';
import { VERSION } from '../../version.js';
import { cutoverOptions, type CutoverOptions } from '../cutover/options.js';
import { runPermissions } from '../permissions.js';
import type { ContainerRecord } from '../permissions/model.js';
import type { ApplyContext, AppliedRun, PlannedStep, Step, StepApplied, StepContext } from '../step.js';
import { decideComputer, decideGpo, dependentsUnder, type CleanupPolicy } from './decide.js';
import { buildExposure } from './exposure.js';
import { cleanupOptions, type CleanupOptions } from './options.js';
import { clearDrafts, delegationDrafts, gpoDrafts, ouDecisions } from './plan-changes.js';
import { readCleanupFacts } from './read.js';
import { cleanupFindings, cleanupReport, cleanupText, type CleanupData } from './report.js';

/** The options the step runs with: its own, plus the cutover's (policy, waves, transition) from the playbook. */
export type CleanupStepOptions = CleanupOptions & { cutover?: CutoverOptions };

const SCHEMA_VERSION = 1;

async function readersByContainer(ctx: StepContext): Promise<Map<string, ContainerRecord>> {
  const off = { self: false, legacySelf: false, mirror: false, removeAllExtendedRights: false, fixOwners: false };
  const { result } = await runPermissions(ctx.dir!, ctx.target, { now: ctx.now(), plan: off, ...(ctx.facts ? { facts: ctx.facts } : {}), onProgress: (n) => ctx.progress({ step: 'cleanup', phase: 'reading computers (permissions)', counts: { computers: n } }) });
  return new Map(result.data.containers.map((c) => [c.dn.toLowerCase(), c]));
}

async function planCleanup(ctx: StepContext, o: CleanupStepOptions): Promise<PlannedStep<CleanupData>> {
  const dir = ctx.dir;
  if (!dir) throw new Error('cleanup needs a live directory');
  const now = ctx.now();
  const cut = o.cutover ?? cutoverOptions.parse({});
  const facts = await readCleanupFacts(ctx, cut, o.ou);
  const policy: CleanupPolicy = {
    transition: cut.transition,
    accountName: cut.policy.administratorAccountName,
    encryption: cut.policy.backupDirectory === 'ad' && cut.policy.encryption.enabled,
    clearLegacyPasswords: o.clearLegacyPasswords,
    removeClearTextWindowsLaps: o.removeClearTextWindowsLaps,
  };
  const rows = facts.computers.map((c) => ({ c, d: decideComputer(c, policy) }));
  const needers = (dn: string) => dependentsUnder(dn, rows);
  const windowsLapsSchema = !!(facts.schema.password && facts.schema.encryptedPassword && facts.schema.expiration);
  // a conditional clear needs the value: an account that cannot read it cannot clear anything safely
  const legacyBlocked = o.clearLegacyPasswords && !facts.presenceReadable.legacy && rows.some((r) => r.d.clearLegacy);
  const clearing = windowsLapsSchema && !legacyBlocked ? rows.filter((r) => r.d.clearLegacy || r.d.clearWindows) : [];
  if (!windowsLapsSchema || legacyBlocked) for (const r of rows) r.d = { ...r.d, clearLegacy: false, clearWindows: false };

  const ous = ouDecisions(facts.dacls, facts, needers);
  const gpos = facts.legacyGpos.map((g) => decideGpo(g, needers, o.ou));
  ctx.progress({ step: 'cleanup', phase: 'planning' });
  const delegation = o.removeLegacyDelegations ? delegationDrafts(facts.dacls, ous, facts) : [];
  const gpoEdits = o.unlinkLegacyGpos ? await gpoDrafts(dir, facts.domainDn, ctx.sysvol, gpos) : { drafts: [], notes: [] };
  const clears = await clearDrafts(dir, facts, clearing);
  const changes = createPlan('cleanup', [...delegation, ...gpoEdits.drafts, ...clears], { createdAt: now });

  const readers = await readersByContainer(ctx);
  const exposure = buildExposure(ctx.target.baseDn, rows, readers);
  const path = (dn: string) => friendlyPath(dn, ctx.target.baseDn);
  const data: CleanupData = {
    summary: {
      computers: rows.length,
      verified: rows.filter((r) => r.c.state === 'verified').length,
      legacyClears: clearing.filter((r) => r.d.clearLegacy).length,
      windowsClears: clearing.filter((r) => r.d.clearWindows).length,
      delegationsRemoved: o.removeLegacyDelegations ? ous.filter((u) => u.remove).length : 0,
      delegationsKept: ous.filter((u) => !u.remove || !o.removeLegacyDelegations).length,
      gpoLinksRemoved: o.unlinkLegacyGpos ? gpos.reduce((n, g) => n + g.unlink.length, 0) : 0,
      gpoValuesRemoved: o.unlinkLegacyGpos ? gpos.filter((g) => g.removeValues).length : 0,
    },
    ous: ous.map((u) => ({ ...u, path: path(u.dn), ...(o.removeLegacyDelegations ? {} : { remove: false, why: 'removeLegacyDelegations is off' }) })),
    gpos: gpos.map((g) => ({ name: g.gpo.name, guid: g.gpo.guid, legacyOnly: g.gpo.legacyOnly, unlink: o.unlinkLegacyGpos ? g.unlink : [], removeValues: o.unlinkLegacyGpos && g.removeValues, kept: g.kept })),
    exposure,
    presenceReadable: facts.presenceReadable,
    sysvol: !!facts.policiesDir,
    gpoNotes: gpoEdits.notes,
  };
  const result: StepResult<CleanupData> = {
    step: 'cleanup',
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'laps-migrate', version: VERSION },
    generatedAt: now.toISOString(),
    target: { ...ctx.target, ...(o.ou ? { scope: o.ou } : {}) },
    findings: cleanupFindings(data, { waves: cut.waves.length, windowsLapsSchema, legacyBlocked, baseDn: ctx.target.baseDn }),
    data,
  };
  return {
    result,
    changes,
    text: () => cleanupText(result, changes),
    report: () => cleanupReport(result),
    json: () => ({ ...result, plan: planToJson(changes) }),
  };
}

/** Reversible changes as one journal run, then the irreversible ones as another (each undone or kept on its own). */
async function applyCleanup(ctx: StepContext, planned: PlannedStep, a: ApplyContext): Promise<StepApplied> {
  const runs: AppliedRun[] = [];
  const all = planned.changes.changes;
  const parts = [all.filter((c) => !c.irreversible), all.filter((c) => c.irreversible)].filter((p) => p.length);
  let exitCode = 0;
  for (const part of parts) {
    const r = await applyPlan(ctx.dir!, { ...planned.changes, changes: part }, ctx.journal(), { confirmIrreversible: true, onProgress: a.onProgress, options: a.journalOptions });
    runs.push(r);
    exitCode = r.exitCode;
    if (r.exitCode !== 0) break;
  }
  return { runs, exitCode };
}

export const cleanupStep: Step<CleanupStepOptions, CleanupData> = {
  name: 'cleanup',
  title: 'Cleanup',
  options: cleanupOptions as unknown as Step<CleanupStepOptions, CleanupData>['options'],
  wizard: { keys: ['clearLegacyPasswords', 'removeLegacyDelegations', 'unlinkLegacyGpos', 'removeClearTextWindowsLaps'] },
  irreversibleOptional: true,
  irreversibleWarning: 'Clearing a legacy or clear-text password cannot be undone; each computer keeps its verified Windows LAPS password.',
  nothingToChange: 'Nothing to change: no legacy password, delegation or GPO link can be removed safely now (see the exposure above).',
  applyHint: () => 'Nothing was written. To remove the legacy delegations and links: add --apply (and --yes); to clear legacy passwords too: --confirm-irreversible.',
  plan: planCleanup,
  apply: (ctx, planned, _o, a) => applyCleanup(ctx, planned, a),
  async verify(ctx, _p, o) {
    const again = await planCleanup(ctx, o);
    const remaining = again.changes.changes.length;
    const irreversible = again.changes.changes.filter((c) => c.irreversible).length;
    return {
      text: [`Verified: ${remaining === 0 ? 'a new plan has nothing to change' : `${remaining} change(s) still planned${irreversible ? ` (${irreversible} irreversible: they need --confirm-irreversible)` : ''}`}.`],
      json: { verify: { findings: again.result.findings, summary: again.result.data.summary, exposure: again.result.data.exposure.counts, remainingChanges: remaining } },
      final: again,
      blockers: hasBlockers(again.result.findings),
    };
  },
};

