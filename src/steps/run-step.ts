/**
 * One runner for every step: plan, show the plan, ask consent, check preconditions, apply
 * through the journal, verify, write the report and decide the exit code (CONVENTIONS "Exit
 * codes"). Callers (CLI commands, `run --playbook`, the wizard) supply the options, a Consent
 * and where text goes; nothing here prompts or writes to a terminal by itself.
 */
import { ExitCode, isUserError } from '../errors.js';
import { applyPlan, type ApplyProgress } from '../journal/index.js';
import { writeReport } from '../report/index.js';
import type { ReportModel } from '../report/model.js';
import { hasBlockingFindings, irreversibleChanges, type AppliedRun, type PlannedStep, type Step, type StepApplied, type StepContext, type VerifiedView } from './step.js';
import type { StepName } from '../model/step-result.js';

export interface ConsentQuestion {
  step: StepName;
  title: string;
  /** Changes in the plan. */
  changes: number;
  /** How many of them can never be rolled back. */
  irreversible: number;
  /** The step's own warning about its irreversible changes. */
  warning?: string;
}

/**
 * Who decides whether to write. Reversible and irreversible changes are asked separately: a
 * "yes" to the first never covers the second. An answer may also be a thrown UserError (no
 * terminal to ask on, a playbook without the decision): then nothing is written.
 */
export interface Consent {
  reversible(q: ConsentQuestion): Promise<boolean>;
  irreversible(q: ConsentQuestion): Promise<boolean>;
}

export type StepVerdict = 'ready' | 'blockers' | 'planned' | 'changed' | 'unchanged' | 'cancelled' | 'stopped';

export interface RunStepOptions {
  /** Write the plan (after consent); without it the run is read-only. */
  apply: boolean;
  consent: Consent;
  /** Report folder (the run gets its own sub-folder). */
  outDir: string;
  /** Text for a person (stdout) and notes (stderr); omit both for a --json run. */
  print?: (lines: string[]) => void;
  note?: (line: string) => void;
  /** Options recorded with each journal run (secrets are dropped by the journal). */
  journalOptions?: Record<string, unknown>;
  /**
   * A plan the caller already made and showed (the wizard plans, shows, then asks): it is used
   * as it is and not printed again. Safe because the journal re-reads every object before
   * writing and stops at anything that changed since.
   */
  planned?: PlannedStep;
}

export interface StepRun {
  step: StepName;
  exitCode: number;
  verdict: StepVerdict;
  planned: PlannedStep;
  applied?: StepApplied;
  verified?: VerifiedView;
  /** The report folder written for this run. */
  reportDir: string;
  report: ReportModel;
  /** The --json document. */
  json: Record<string, unknown>;
}

function applyLine(r: AppliedRun): string {
  const c = r.counts;
  return `Applied run ${r.runId}: ${c.applied} written and verified, ${c.alreadyDone} already in place, ${c.conflicts} conflict(s), ${c.failed} failed, ${c.pending} pending.`;
}

function csvNote(model: ReportModel): string {
  const csv = model.tables.map((t) => t.csvFile).filter((f): f is string => !!f);
  return csv.length ? ` (CSV: ${csv.join(', ')})` : '';
}

/** Default verification: plan again; what the plan was meant to change should be gone. */
async function planAgain<O>(step: Step<O>, ctx: StepContext, options: O): Promise<VerifiedView> {
  const again = await step.plan(ctx, options);
  const remaining = again.changes.changes.length;
  return {
    text: [`Verified: ${remaining === 0 ? 'a new plan has nothing to change' : `${remaining} change(s) still planned`}.`],
    json: { verify: { findings: again.result.findings, remainingChanges: remaining } },
    final: again,
    blockers: hasBlockingFindings(again),
  };
}

async function defaultApply<O>(ctx: StepContext, planned: PlannedStep, _o: O, onProgress: (p: ApplyProgress) => void, journalOptions: Record<string, unknown>): Promise<StepApplied> {
  if (!ctx.dir) throw new Error('apply needs a live directory');
  const r = await applyPlan(ctx.dir, planned.changes, ctx.journal(), { confirmIrreversible: true, onProgress, options: journalOptions });
  return { runs: [r], exitCode: r.exitCode };
}

/** Consent for optional irreversible changes: a refusal (or "cannot ask") is a no, not an error. */
async function optionalConsent(consent: Consent, q: ConsentQuestion): Promise<boolean> {
  try {
    return await consent.irreversible(q);
  } catch (e) {
    if (isUserError(e) && e.reason === 'IRREVERSIBLE_NOT_CONFIRMED') return false;
    throw e;
  }
}

export async function runStep<O>(step: Step<O>, ctx: StepContext, options: O, run: RunStepOptions): Promise<StepRun> {
  const print = run.print ?? (() => undefined);
  const note = run.note ?? (() => undefined);
  let planned = run.planned;
  if (!planned) {
    ctx.progress({ step: step.name, phase: 'planning' });
    planned = await step.plan(ctx, options);
    performance.mark('laps-migrate:planned');
    print(planned.text());
  }
  const blockers = hasBlockingFindings(planned);
  const total = planned.changes.changes.length;

  const shown = planned;
  const finish = async (verdict: StepVerdict, exitCode: number, extra: { applied?: StepApplied; verified?: VerifiedView; tail?: string[] } = {}): Promise<StepRun> => {
    const final = extra.verified?.final ?? shown;
    const report = final.report();
    ctx.progress({ step: step.name, phase: 'writing the report' });
    const written = await writeReport(report, { outDir: run.outDir, now: ctx.now() });
    performance.mark('laps-migrate:report-written');
    print([...(extra.tail ?? []), `Report: ${written.dir}/report.html${csvNote(report)}`]);
    const json: Record<string, unknown> = {
      ...shown.json(),
      report: written.dir,
      applied: !!extra.applied,
      ...(extra.applied ? { result: extra.applied.runs.length === 1 ? extra.applied.runs[0] : extra.applied.runs, ...extra.applied.json } : {}),
      ...(extra.verified ? extra.verified.json : {}),
    };
    return { step: step.name, exitCode, verdict, planned: shown, ...(extra.applied ? { applied: extra.applied } : {}), ...(extra.verified ? { verified: extra.verified } : {}), reportDir: written.dir, report, json };
  };
  const readOnlyVerdict: StepVerdict = blockers ? 'blockers' : total ? 'planned' : 'ready';
  const readOnlyExit = blockers ? ExitCode.BLOCKERS : ExitCode.OK;

  if (!run.apply) {
    if (total) note(step.applyHint?.(options) ?? `Nothing was written. To make these changes: add --apply (and --yes to skip the question).`);
    return finish(readOnlyVerdict, readOnlyExit);
  }
  if (total === 0) {
    return finish(readOnlyVerdict, readOnlyExit, { tail: [step.nothingToChange ?? 'Nothing to change.'] });
  }

  await step.preconditions?.(ctx, shown, options);
  let irreversible = irreversibleChanges(shown.changes).length;
  const question: ConsentQuestion = { step: step.name, title: step.title, changes: total, irreversible, ...(step.irreversibleWarning ? { warning: step.irreversibleWarning } : {}) };
  let toApply = shown;
  // optional irreversible changes: asked once here; a no (or "cannot ask") leaves them out
  const optionalYes = irreversible > 0 && step.irreversibleOptional ? await optionalConsent(run.consent, question) : undefined;
  if (optionalYes === false) {
    // only the reversible part is written; the plan shown stays the one reported
    note(`${irreversible} irreversible change(s) left out (they need --confirm-irreversible; --yes never covers them).`);
    toApply = { ...shown, changes: { ...shown.changes, changes: shown.changes.changes.filter((c) => !c.irreversible) } };
    irreversible = 0;
    if (toApply.changes.changes.length === 0) return finish(readOnlyVerdict, readOnlyExit, { tail: ['Nothing reversible to change.'] });
    Object.assign(question, { changes: toApply.changes.changes.length, irreversible: 0 });
  }
  const count = toApply.changes.changes.length;
  const approved = (irreversible === 0 || optionalYes === true || (await run.consent.irreversible(question))) && (irreversible === count || (await run.consent.reversible(question)));
  if (!approved) {
    note('Cancelled; nothing was written.');
    return finish('cancelled', ExitCode.OK);
  }

  const onProgress = (p: ApplyProgress) => ctx.progress({ step: step.name, phase: 'writing', counts: { done: p.index + 1, total: p.total }, message: `[${p.change.id}] ${p.state}${p.message ? `: ${p.message}` : ''}` });
  const journalOptions = run.journalOptions ?? {};
  const applied = step.apply
    ? await step.apply(ctx, toApply, options, { onProgress, journalOptions })
    : await defaultApply(ctx, toApply, options, onProgress, journalOptions);
  print([...applied.runs.map(applyLine), ...(applied.notes ?? [])]);
  const stopped = applied.runs.find((r) => r.stoppedAt);
  if (stopped?.stoppedAt) {
    note(`error: stopped at ${stopped.stoppedAt.changeId}: ${stopped.stoppedAt.message}`);
    note(`hint: laps-migrate journal show ${stopped.runId}  (applied, in-doubt and pending changes); undo with: laps-migrate rollback ${stopped.runId}`);
  }
  if (applied.exitCode !== ExitCode.OK && !step.verify) return finish('stopped', applied.exitCode, { applied });

  ctx.progress({ step: step.name, phase: 'verifying' });
  const verified = step.verify ? await step.verify(ctx, shown, options, applied) : await planAgain(step, ctx, options);
  const undo = applied.runs.map((r) => r.runId).reverse();
  const reversible = irreversible < count;
  const tail = [...verified.text, ...(applied.exitCode === ExitCode.OK && reversible ? [`Undo with: ${undo.map((id) => `laps-migrate rollback ${id}`).join(' && ')}`] : [])];
  if (applied.exitCode !== ExitCode.OK) return finish('stopped', applied.exitCode, { applied, verified, tail });
  const wrote = applied.runs.some((r) => r.counts.applied > 0);
  return finish(wrote ? 'changed' : 'unchanged', verified.blockers ? ExitCode.BLOCKERS : ExitCode.OK, { applied, verified, tail });
}
