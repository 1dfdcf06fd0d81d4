/**
 * Step 3, permissions, as a Step: the audit and plan come from runPermissions; the apply is one
 * journal run of DACL changes (the default apply); verification audits again and says what is
 * still missing.
 */
import { planToJson } from '../../journal/index.js';
import { hasBlockers } from '../../model/step-result.js';
import { permissionsReportModel } from '../permissions-report.js';
import { runPermissions, type PermissionsData, type PermissionsRunOptions } from '../permissions.js';
import type { PlannedStep, Step, StepContext } from '../step.js';
import { permissionsOptions, type PermissionsOptions } from './options.js';
import { permissionsText } from './text.js';

async function runOptions(ctx: StepContext, o: PermissionsOptions): Promise<PermissionsRunOptions> {
  // --per-computer --parallel N: N connections page the computers (the owner-only scan without
  // --per-computer is light: one stream)
  const scanDirectories = o.perComputer && ctx.fork && o.parallel > 1 ? await Promise.all(Array.from({ length: o.parallel - 1 }, () => ctx.fork!())) : [];
  return {
    now: ctx.now(),
    ...(scanDirectories.length ? { scanDirectories } : {}),
    ...(ctx.facts ? { facts: ctx.facts } : {}),
    perComputer: o.perComputer,
    ...(o.ou.length ? { scope: o.ou } : {}),
    accounts: o.explain,
    plan: { self: o.self, legacySelf: o.legacySelf, mirror: o.mirror, removeAllExtendedRights: o.removeAllExtendedRights, fixOwners: o.fixOwners },
    onProgress: (n) => ctx.progress({ step: 'permissions', phase: 'reading computers', counts: { computers: n } }),
  };
}

async function audit(ctx: StepContext, o: PermissionsOptions): Promise<PlannedStep<PermissionsData>> {
  if (!ctx.dir) throw new Error('permissions needs a live directory');
  const { result, plan } = await runPermissions(ctx.dir, ctx.target, await runOptions(ctx, o));
  return {
    result,
    changes: plan,
    text: () => permissionsText(result, plan),
    report: () => permissionsReportModel(result),
    json: () => {
      const { computers: _omit, ...rest } = result.data;
      return { ...result, data: rest, plan: planToJson(plan) };
    },
  };
}

export const permissionsStep: Step<PermissionsOptions, PermissionsData> = {
  name: 'permissions',
  title: 'Permissions',
  options: permissionsOptions,
  wizard: { keys: ['self', 'legacySelf', 'mirror', 'removeAllExtendedRights', 'fixOwners'] },
  nothingToChange: 'Nothing to change: every planned permission is already in place.',
  plan: audit,
  async verify(ctx, _p, o) {
    const again = await audit(ctx, o);
    const remaining = again.changes.changes.length;
    const sa = again.result.data.summary;
    return {
      text: [`Verified: ${remaining === 0 ? 'a new plan has nothing to change' : `${remaining} change(s) still planned`}; ${sa.self.windowsMissingComputers} computer(s) still cannot write Windows LAPS.`],
      json: { verify: { findings: again.result.findings, summary: sa, remainingChanges: remaining } },
      final: again,
      blockers: hasBlockers(again.result.findings),
    };
  },
};
