/**
 * `laps-migrate run --playbook FILE`: the playbook's steps in order through runStep, with the
 * playbook's options and a consent that never prompts (--apply needs --yes; irreversible parts
 * --confirm-irreversible). The whole playbook is validated before anything connects; the state
 * folder is locked for the whole run; one connection serves every step. Without --apply every
 * selected step runs (a readiness run reports all of them); with --apply the run stops after a
 * step that still has blockers (3), hit a conflict (5) or failed, and says how to resume.
 */
import { Option, type Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, type ConnectionDefaults, type ConnectionFlags } from './connection-options.js';
import { ExitCode, InputError, isUserError } from '../errors.js';
import type { StepEntry } from '../steps/registry.js';
import type { Consent, ConsentQuestion, StepRun, StepVerdict } from '../steps/run-step.js';
import type { RunVerdict, StepOutcome, RunDocument } from '../playbook/run-report.js';
import type { LoadedPlaybook } from '../playbook/load.js';
import type { RunTask } from './run-progress.js';

interface RunFlags extends ConnectionFlags {
  playbook: string;
  step?: string;
  from?: string;
  apply?: boolean;
  yes?: boolean;
  confirmIrreversible?: boolean;
  out: string;
  json?: boolean;
}

/** Flags win over the playbook's connection; its passwordFile ranks below LAPS_MIGRATE_PASSWORD. */
export function connectionOf(flags: ConnectionFlags, pb: LoadedPlaybook): { flags: ConnectionFlags; defaults: ConnectionDefaults } {
  const c = pb.playbook.connection ?? {};
  const out: ConnectionFlags & Record<string, unknown> = { ...flags };
  // a --server or --profile flag replaces the playbook's choice of DC entirely
  if (flags.server === undefined && flags.profile === undefined) {
    if (c.profile !== undefined) out.profile = c.profile;
    if (c.server !== undefined) out.server = c.server;
  }
  if (flags.starttls === undefined && c.startTls !== undefined) out.starttls = c.startTls;
  if (flags.caFile === undefined && c.caFile !== undefined) out.caFile = c.caFile;
  if (flags.user === undefined && c.user !== undefined) out.user = c.user;
  if (flags.baseDn === undefined && c.baseDn !== undefined) out.baseDn = c.baseDn;
  // settings whose flags other commands add (--sysvol, --kerberos): the flag wins when present
  if (out.sysvol === undefined && c.sysvol !== undefined) out.sysvol = c.sysvol;
  if (out.kerberos === undefined && c.kerberos !== undefined) out.kerberos = c.kerberos;
  return { flags: out, defaults: c.passwordFile !== undefined ? { passwordFile: c.passwordFile } : {} };
}

/** The playbook keys that hold a step's decisions (the cutover's are its policy). */
function decisionKeys(step: string): string[] {
  return step === 'cutover' ? ['policy'] : [step];
}

/**
 * Consent for a run: the flags decide (--yes, --confirm-irreversible; never a prompt), and a step
 * only writes when the playbook writes its decisions down: a step with changes to make whose
 * section is missing is an error naming the key (its defaults were never chosen by anyone).
 */
export function playbookConsent(flags: Consent, pb: LoadedPlaybook): Consent {
  const decided = (q: ConsentQuestion) => {
    const missing = decisionKeys(q.step).filter((k) => pb.playbook[k] === undefined);
    if (missing.length) {
      throw new InputError(`${q.step} would write ${q.changes} change(s) but ${pb.file} has no "${missing.join('", "')}" key: its decisions are not written down; nothing of it was written`, {
        reason: 'PLAYBOOK_DECISION_MISSING',
        advice: `Add "${missing[0]}:" to ${pb.file} with the options you want ("${missing[0]}: {}" accepts the defaults the plan above used).`,
      });
    }
  };
  return {
    reversible: async (q) => (decided(q), flags.reversible(q)),
    irreversible: async (q) => (decided(q), flags.irreversible(q)),
  };
}

function verdictOf(run: StepRun): RunVerdict {
  const map: Record<StepVerdict, RunVerdict> = { ready: 'ready', blockers: 'blockers', planned: 'changes planned', changed: 'changed', unchanged: 'ready', cancelled: 'cancelled', stopped: 'conflict' };
  if (run.exitCode === ExitCode.INTERRUPTED_SIGINT || run.exitCode === ExitCode.INTERRUPTED_SIGTERM) return 'interrupted';
  return run.exitCode === ExitCode.BLOCKERS ? 'blockers' : map[run.verdict];
}

/** What to do after the run stopped at `step`, and the command that resumes it. */
function resumeHint(file: string, step: string, apply: boolean, why: 'blockers' | 'conflict' | 'interrupted' | 'irreversible' | 'error'): string {
  const cmd = `laps-migrate run --playbook ${file} --from ${step}${apply ? ' --apply --yes' : ''}${why === 'irreversible' ? ' --confirm-irreversible' : ''}`;
  const first = {
    blockers: 'fix what its report shows',
    conflict: 'see what the journal recorded (laps-migrate journal show RUN-ID, named above)',
    interrupted: 'when ready (every target is re-read and what is done is skipped)',
    irreversible: 'review its plan (irreversible changes need --confirm-irreversible; --yes never covers them)',
    error: 'fix the error above',
  }[why];
  return `Stopped at ${step}: ${first}, then resume with: ${cmd}`;
}

function checkFlags(flags: RunFlags): void {
  if (flags.yes && !flags.apply) throw new InputError('--yes only makes sense with --apply');
  if (flags.confirmIrreversible && !flags.apply) throw new InputError('--confirm-irreversible only makes sense with --apply');
  if (flags.apply && !flags.yes) {
    throw new InputError('run never asks for confirmation: --apply needs --yes; nothing was run', {
      reason: 'CONFIRMATION_REQUIRED',
      advice: `Review the plans first: laps-migrate run --playbook ${flags.playbook} (without --apply), then add --apply --yes (and --confirm-irreversible for irreversible changes such as schema extension or clearing legacy passwords).`,
    });
  }
}

async function runPlaybook(flags: RunFlags): Promise<number> {
  checkFlags(flags);
  const [{ loadPlaybook, stepOptions }, { selectSteps }] = await Promise.all([import('../playbook/load.js'), import('../playbook/select.js')]);
  const pb = loadPlaybook(flags.playbook);
  const selection = selectSteps(pb, { ...(flags.step !== undefined ? { step: flags.step } : {}), ...(flags.from !== undefined ? { from: flags.from } : {}) });
  const steps = await Promise.all(selection.run.map(async (e) => ({ entry: e, step: await e.load!(), options: stepOptions(pb.playbook, e.name) })));
  const conn = connectionOf(flags, pb);
  // cleanup decides what is verified with the cutover's policy and waves
  for (const s of steps) if (s.entry.name === 'cleanup') s.options = { ...(s.options as Record<string, unknown>), cutover: stepOptions(pb.playbook, 'cutover') };
  const { checkConnectionInput } = await import('./connection-options.js');
  checkConnectionInput(conn.flags);

  const { acquireStateLock } = await import('../config/state-lock.js');
  const release = acquireStateLock(`run --playbook ${flags.playbook}${flags.apply ? ' --apply' : ''}`);
  try {
    return await runSteps(flags, pb, selection.skipped, steps, conn);
  } finally {
    release();
  }
}

interface ReadyStep {
  entry: StepEntry;
  step: Awaited<ReturnType<NonNullable<StepEntry['load']>>>;
  options: unknown;
}

async function runSteps(flags: RunFlags, pb: LoadedPlaybook, skipped: StepEntry[], steps: ReadyStep[], conn: ReturnType<typeof connectionOf>): Promise<number> {
  const [{ runStep }, { createStepContext }, { flagConsent }, { connectStepTarget }, progressMod, { runReportModel }, { writeReport }] = await Promise.all([
    import('../steps/run-step.js'),
    import('../steps/context.js'),
    import('./step-command.js'),
    import('./step-target.js'),
    import('./run-progress.js'),
    import('../playbook/run-report.js'),
    import('../report/write-report.js'),
  ]);
  const startedAt = new Date();
  const { dir, facts, target } = await connectStepTarget(conn.flags, conn.defaults);
  const terminal = !flags.json && !!process.stdout.isTTY && !!process.stderr.isTTY;
  const buffered: string[] = [];
  const print = (lines: string[]) => (terminal ? buffered.push(...lines) : process.stdout.write(`${lines.join('\n')}\n`));
  const notes: string[] = [];
  const outcomes = new Map<string, StepOutcome>();
  for (const s of skipped) outcomes.set(s.name, { step: s.name, title: s.title, verdict: 'not run', headline: [], findings: [], message: flags.step ? `--step ${flags.step}` : `--from ${flags.from}` });
  const json: Array<Record<string, unknown>> = [];
  let exitCode: number = ExitCode.OK;
  let resumeFrom: string | undefined;
  let stopReason: Parameters<typeof resumeHint>[3] = 'error';
  const consent = playbookConsent(flagConsent({ yes: !!flags.yes, confirmIrreversible: !!flags.confirmIrreversible, nonInteractive: true }), pb);

  let current: ((e: import('../steps/step.js').ProgressEvent) => void) | undefined;
  const sysvol = (await import('./sysvol-option.js')).resolveSysvol(conn.flags as { sysvol?: string; profile?: string });
  const ctx = createStepContext({ dir, target, facts, ...(sysvol ? { sysvol } : {}), progress: (e) => current?.(e) });
  try {
    const tasks: RunTask[] = steps.map(({ entry, step, options }, i) => ({
      title: entry.name,
      skipped: () => {
        outcomes.set(entry.name, { step: entry.name, title: entry.title, verdict: 'not run', headline: [], findings: [], message: `the run stopped at ${resumeFrom}` });
        return `not run (the run stopped at ${resumeFrom})`;
      },
      run: async (progress) => {
        current = progress;
        if (!flags.json) print([`${i ? '\n' : ''}== ${entry.name}: ${entry.title} (${i + 1}/${steps.length}) ==`]);
        try {
          const r = await runStep(step, ctx, options as never, {
            apply: !!flags.apply,
            consent,
            outDir: flags.out,
            ...(flags.json ? {} : { print }),
            // a step's "how to apply" hint names its own command; the run prints its own at the end
            note: (line) => (line.startsWith('Nothing was written.') ? undefined : terminal ? buffered.push(line) : process.stderr.write(`${line}\n`)),
            journalOptions: { playbook: flags.playbook, step: entry.name, apply: !!flags.apply, yes: !!flags.yes, server: conn.flags.server, profile: conn.flags.profile, user: conn.flags.user },
          });
          const verdict = verdictOf(r);
          outcomes.set(entry.name, { step: entry.name, title: entry.title, verdict, exitCode: r.exitCode, reportDir: r.reportDir, headline: r.report.headline, findings: r.report.findings });
          json.push({ step: entry.name, verdict, exitCode: r.exitCode, report: r.reportDir, result: r.json });
          const stop = !!flags.apply && r.exitCode !== ExitCode.OK;
          if (r.exitCode !== ExitCode.OK && exitCode === ExitCode.OK) exitCode = r.exitCode;
          if (stop) {
            resumeFrom = entry.name;
            stopReason = r.exitCode === ExitCode.BLOCKERS ? 'blockers' : r.exitCode === ExitCode.PARTIAL ? 'conflict' : verdict === 'interrupted' ? 'interrupted' : 'error';
          }
          return { summary: `${verdict} (exit ${r.exitCode}) · ${r.reportDir}`, stop };
        } catch (e) {
          if (!isUserError(e)) throw e;
          const message = `${e.message}${e.advice ? ` (${e.advice})` : ''}`;
          outcomes.set(entry.name, { step: entry.name, title: entry.title, verdict: 'failed', exitCode: e.exitCode, headline: [], findings: [], message: e.message });
          json.push({ step: entry.name, verdict: 'failed', exitCode: e.exitCode, error: { message: e.message, ...(e.advice ? { advice: e.advice } : {}), ...(e.reason ? { reason: e.reason } : {}) } });
          notes.push(`${entry.name}: ${message}`);
          if (exitCode === ExitCode.OK || exitCode === ExitCode.BLOCKERS) exitCode = e.exitCode;
          // read-only runs report every step; a lost connection or an apply stops the run
          const stop = !!flags.apply || e.exitCode === ExitCode.CONNECTION;
          if (stop) {
            resumeFrom = entry.name;
            stopReason = e.reason === 'IRREVERSIBLE_NOT_CONFIRMED' ? 'irreversible' : 'error';
          }
          return { summary: `failed (exit ${e.exitCode}): ${e.message}`, stop };
        } finally {
          current = undefined;
        }
      },
    }));
    if (terminal) await progressMod.runListr(tasks);
    else await progressMod.runPlain(tasks);
  } finally {
    await ctx.dispose();
    await dir.close().catch(() => undefined);
  }

  const ordered = pb.steps.map((s) => outcomes.get(s.name)!).filter(Boolean);
  const doc: RunDocument = {
    playbook: flags.playbook,
    ...(pb.playbook.description ? { description: pb.playbook.description } : {}),
    apply: !!flags.apply,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    exitCode,
    ...(resumeFrom ? { resumeFrom, resumeHint: resumeHint(flags.playbook, resumeFrom, !!flags.apply, stopReason) } : {}),
    steps: ordered.map((o) => {
      const c = { blocker: 0, warning: 0, info: 0 };
      for (const f of o.findings) c[f.severity] += 1;
      return { step: o.step, verdict: o.verdict, ...(o.exitCode !== undefined ? { exitCode: o.exitCode } : {}), ...(o.reportDir ? { report: o.reportDir } : {}), ...(o.message ? { message: o.message } : {}), findings: c };
    }),
  };
  const written = await writeReport(runReportModel(doc, ordered, target), { outDir: flags.out });

  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...doc, report: written.dir, steps: json }, null, 2)}\n`);
  } else {
    if (buffered.length) process.stdout.write(`${buffered.join('\n')}\n`);
    const width = Math.max(...ordered.map((o) => o.step.length));
    const lines = ['', `Run of ${flags.playbook}${flags.apply ? ' (--apply)' : ' (read-only: nothing was written)'}:`];
    for (const o of ordered) lines.push(`  ${o.step.padEnd(width)}  ${o.verdict}${o.exitCode !== undefined ? ` (exit ${o.exitCode})` : ''}${o.message ? `: ${o.message}` : ''}`);
    lines.push(`Run report: ${written.dir}/report.html`);
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const n of notes) process.stderr.write(`error: ${n}\n`);
    if (!flags.apply && ordered.some((o) => o.verdict === 'changes planned')) {
      process.stderr.write(`Nothing was written. To make the planned changes: laps-migrate run --playbook ${flags.playbook} --apply --yes (and --confirm-irreversible where a plan says so)\n`);
    }
    if (doc.resumeHint) process.stderr.write(`${doc.resumeHint}\n`);
  }
  return exitCode;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description("run a playbook's steps in order, with no one at the keyboard (reports; with --apply --yes, the changes)");
  addConnectionOptions(cmd)
    .requiredOption('--playbook <file>', 'the playbook (YAML; see playbooks/ for examples)')
    .option('--step <name>', 'run only this step of the playbook')
    .option('--from <name>', 'run this step and the ones after it (to resume a stopped run)')
    .option('--apply', 'write the changes each step plans (needs --yes: run never asks)')
    .option('--yes', 'consent to the reversible changes (journaled, can be rolled back)')
    .option('--confirm-irreversible', 'also consent to irreversible changes (schema extension, clearing legacy passwords)')
    .addOption(new Option('--out <dir>', 'report folder (the run report and each step report)').default('reports'))
    .option('--json', 'print the run (verdict, exit code and JSON of each step) as JSON on stdout');
  cmd.action(action(async (flags: RunFlags) => runPlaybook(flags)));
}
