/**
 * Step 4, legacy emulation, as a Step. plan: read GPOs (both halves), computers and the legacy
 * SELF coverage; readiness per computer and OU, GPO settings, monitoring; the legacy SELF grants
 * --apply would write; the deployable artifacts. apply: the default (one journal run of DACL
 * changes). verify: plan again (the grants are in place, the readiness moved).
 *
 * The SYSVOL path is a connection setting (--sysvol / the profile's `sysvol`), not a step option
 * (playbooks are shared between estates): the StepContext has no field for it, so the CLI builds
 * the step with createEmulationStep({ sysvol }). `--monitor` builds a monitoring-only view.
 */
import { gatherDomainFacts } from '../../directory/domain-facts.js';
import { InputError } from '../../errors.js';
import { createPlan, planToJson, type Plan } from '../../journal/index.js';
import type { ReportAttachment } from '../../report/model.js';
import { VERSION } from '../../version.js';
import { hasBlockers, type StepResult } from '../../model/step-result.js';
import type { PlannedStep, Step, StepContext } from '../step.js';
import { analyzeEmulation, type EmulationData } from './analyze.js';
import { emulationArtifacts } from './artifacts.js';
import { planLegacySelfGrants } from './grant.js';
import type { MonitorStart } from './monitoring.js';
import { emulationOptions, type EmulationOptions } from './options.js';
import { readEmulationFacts } from './read.js';
import { emulationReportModel } from './report.js';
import { emulationText } from './text.js';

export const EMULATION_SCHEMA_VERSION = 1;

export interface EmulationEnv {
  /** --sysvol PATH or the profile's sysvol: the share's top folder, the domain folder or Policies. */
  sysvol?: string;
  /** Monitoring only: no grants, no artifacts; needs a start (--since or a journaled apply). */
  monitorOnly?: boolean;
}

/** "2026-12-01" is midnight UTC; a date and time keeps its offset. */
export function parseSince(since: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00Z` : since);
  if (Number.isNaN(d.getTime())) throw new InputError(`--since ${since}: not a date`);
  return d;
}

/** The monitoring start: --since, else the first emulation --apply in the journal that wrote something. */
function monitorStart(ctx: StepContext, o: EmulationOptions): MonitorStart | undefined {
  if (o.since !== undefined) return { at: parseSince(o.since), source: 'since' };
  let runs;
  try {
    runs = ctx.journal().listRuns().runs;
  } catch {
    return undefined; // an unreadable journal only means no start is known
  }
  const first = runs.find((r) => r.kind === 'apply' && r.step === 'emulation' && (r.counts?.applied ?? 0) > 0);
  return first ? { at: new Date(first.startedAt), source: 'journal', runId: first.runId } : undefined;
}

async function planEmulation(ctx: StepContext, o: EmulationOptions, env: EmulationEnv): Promise<PlannedStep<EmulationData>> {
  const dir = ctx.dir;
  if (!dir) throw new Error('emulation needs a live directory');
  const now = ctx.now();
  const start = monitorStart(ctx, o);
  if (env.monitorOnly && !start) {
    throw new InputError('--monitor needs a start: give --since YYYY-MM-DD (the day the CSE removal started), or run `laps-migrate emulation --apply` first', { reason: 'MONITOR_NO_START' });
  }
  const facts = await readEmulationFacts(dir, {
    target: ctx.target,
    now,
    ...(o.ou ? { scope: o.ou } : {}),
    ...((env.sysvol ?? ctx.sysvol) ? { sysvol: (env.sysvol ?? ctx.sysvol)! } : {}),
    onProgress: (n) => ctx.progress({ step: 'emulation', phase: 'reading computers', counts: { computers: n } }),
  });
  const { data, findings } = analyzeEmulation(facts, o, now, start);
  let plan: Plan;
  if (!env.monitorOnly && o.enabled && o.grantLegacySelf && data.grants.length) {
    const domainSid = ctx.facts?.domainSid ?? (await gatherDomainFacts(dir)).domainSid;
    plan = await planLegacySelfGrants(dir, { containers: data.grants.map((g) => g.dn), domainSid, now, computers: new Map(data.grants.map((g) => [g.dn.toLowerCase(), g.computers])) });
  } else {
    plan = createPlan('emulation', [], { createdAt: now });
  }
  const result: StepResult<EmulationData> = {
    step: 'emulation',
    schemaVersion: EMULATION_SCHEMA_VERSION,
    tool: { name: 'laps-migrate', version: VERSION },
    generatedAt: now.toISOString(),
    target: { ...ctx.target, ...(o.ou ? { scope: o.ou } : {}) },
    findings,
    data,
  };
  const attachments: ReportAttachment[] =
    !env.monitorOnly && o.enabled && o.artifacts ? emulationArtifacts({ version: VERSION, generatedAt: now.toISOString(), domain: ctx.target.domain, ous: data.ous, grantContainers: data.grants.map((g) => g.dn) }) : [];
  const monitorOnly = !!env.monitorOnly;
  return {
    result,
    changes: plan,
    text: () => emulationText(result, plan, monitorOnly),
    report: () => emulationReportModel(result, plan, attachments, monitorOnly),
    json: () => {
      const { computers: _omit, ...rest } = result.data;
      // every monitoring row with --monitor (its purpose); else only the computers that need attention
      const rows = monitorOnly ? rest.monitor.rows : rest.monitor.rows.filter((r) => r.status === 'stuck' || r.status === 'overdue');
      return { ...result, data: { ...rest, monitor: { ...rest.monitor, rows } }, plan: planToJson(plan), artifacts: attachments.map((a) => a.file) };
    },
  };
}

export function createEmulationStep(env: EmulationEnv = {}): Step<EmulationOptions, EmulationData> {
  return {
    name: 'emulation',
    title: 'Legacy emulation',
    options: emulationOptions,
    nothingToChange: 'Nothing to change: every emulation-bound computer already has the legacy SELF permission.',
    applyHint: () => 'Nothing was written. To grant the legacy SELF permission: add --apply (and --yes to skip the question).',
    plan: (ctx, o) => planEmulation(ctx, o, env),
    async verify(ctx, _p, o) {
      const again = await planEmulation(ctx, o, env);
      const remaining = again.changes.changes.length;
      const v = again.result.data.summary.verdicts;
      return {
        text: [`Verified: ${remaining === 0 ? 'a new plan has nothing to change' : `${remaining} change(s) still planned`}; ${v.ready} computer(s) ready, ${v['needs-self']} still lack the legacy SELF permission.`],
        json: { verify: { findings: again.result.findings, summary: again.result.data.summary, remainingChanges: remaining } },
        final: again,
        blockers: hasBlockers(again.result.findings),
      };
    },
  };
}

/** The step as the registry, playbooks and the wizard load it (SYSVOL comes from the context). */
export const emulationStep = createEmulationStep();
