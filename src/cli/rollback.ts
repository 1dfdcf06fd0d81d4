/**
 * `laps-migrate rollback RUN [--apply]`: plans the inverse of every reversible change a run
 * wrote, newest first, and (with --apply) applies it through the journal with the same
 * conflict detection as any apply. Without --apply nothing connects and nothing is written.
 * Only what the run itself wrote is undone (journal/rollback-ownership.ts): a target a later
 * run owns is skipped with a note, or the rollback stops (exit 5) naming the run to undo first.
 * With --apply the state-folder lock is taken before the journal is read and held until exit.
 */
import type { Command } from 'commander';
import { ExitCode, InputError } from '../errors.js';
import { action } from './action.js';
import { addConnectionOptions, isInteractive, openDirectory, type ConnectionFlags } from './connection-options.js';

interface RollbackFlags extends ConnectionFlags {
  apply?: boolean;
  yes?: boolean;
  json?: boolean;
}

export interface RollbackCommandOptions {
  /** Security descriptor bytes to SDDL, so the plan shows ACEs (wired by the caller to src/security). */
  describeDescriptor?: (buf: Buffer) => string;
}

export function registerRollback(program: Command, options: RollbackCommandOptions = {}): void {
  const cmd = program
    .command('rollback <run>')
    .description('undo the reversible changes of a run, newest first (plan only; --apply to write). RUN: id, unique prefix or "last"')
    .option('--apply', 'perform the rollback (default: print the plan and exit)')
    .option('--yes', 'do not ask before writing')
    .option('--json', 'print the plan (and the result) as JSON');
  addConnectionOptions(cmd);
  cmd.action(
    action(async (runArg: string, flags: RollbackFlags) => {
      const { JournalStore } = await import('../journal/journal-store.js');
      const { planRollback } = await import('../journal/plan-rollback.js');
      const { planToJson, renderPlan } = await import('../journal/render-plan.js');
      if (flags.yes && !flags.apply) throw new InputError('--yes only makes sense with --apply', { reason: 'YES_WITHOUT_APPLY' });
      if (flags.apply) {
        // before reading the journal: another run must not change it between our plan and our writes
        const { acquireStateLock } = await import('../config/state-lock.js');
        acquireStateLock(`rollback ${runArg} --apply`);
      }
      const store = JournalStore.open();
      const run = store.readRun(runArg);
      for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
      if (run.status === 'incomplete') {
        process.stderr.write(`warning: run ${run.runId} has no end record (it was stopped, crashed, or is still running); changes in doubt are included and re-read before any write\n`);
      }
      const later = store
        .listRuns()
        .runs.filter((r) => r.runId !== run.runId && r.startedAt >= run.startedAt)
        .map((r) => store.readRun(r.runId));
      const plan = planRollback(run, { laterRuns: later });
      const renderOptions = options.describeDescriptor ? { describeDescriptor: options.describeDescriptor } : {};

      if (!flags.json) {
        process.stdout.write(renderPlan(plan, renderOptions));
        for (const s of plan.skipped) process.stdout.write(`not rolled back: [${s.changeId}] ${s.dn}: ${s.reason}\n`);
        if (plan.notWritten) process.stdout.write(`${plan.notWritten} change${plan.notWritten === 1 ? ' of the run was' : 's of the run were'} never written: nothing to undo.\n`);
        for (const b of plan.blocked) process.stdout.write(`blocked: [${b.changeId}] ${b.dn}: ${b.reason}\n`);
      }
      const planJson = { ...planToJson(plan), skipped: plan.skipped, notWritten: plan.notWritten, blocked: plan.blocked };

      if (plan.blocked.length) {
        // undoing this run now would discard what a later run wrote on top of it: write nothing
        const first = [...new Set(plan.blocked.map((b) => b.laterRunId))];
        if (flags.json) process.stdout.write(`${JSON.stringify({ plan: planJson, applied: false }, null, 2)}\n`);
        process.stderr.write(`error: ${plan.blocked.length} change${plan.blocked.length === 1 ? '' : 's'} of run ${run.runId} ${plan.blocked.length === 1 ? 'was' : 'were'} changed again by a later run; nothing was written\n`);
        process.stderr.write(`hint: roll back ${first.join(', ')} first (laps-migrate rollback ${first[first.length - 1]}), then this run\n`);
        return ExitCode.PARTIAL;
      }

      if (!flags.apply || plan.changes.length === 0) {
        if (flags.json) process.stdout.write(`${JSON.stringify({ plan: planJson, applied: false }, null, 2)}\n`);
        else if (plan.changes.length) process.stderr.write(`Nothing was written. To roll back: laps-migrate rollback ${run.runId} --apply\n`);
        return 0;
      }

      if (!flags.yes) {
        if (!isInteractive(flags)) {
          throw new InputError('rollback --apply needs --yes when it cannot ask (no terminal, or --non-interactive)', { reason: 'CONFIRMATION_REQUIRED' });
        }
        const { confirm } = await import('@inquirer/prompts');
        const ok = await confirm({ message: `Write ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} to undo run ${run.runId}?`, default: false });
        if (!ok) {
          process.stderr.write('Cancelled; nothing was written.\n');
          return 0;
        }
      }

      const { applyPlan } = await import('../journal/apply-plan.js');
      const dir = await openDirectory(flags);
      try {
        const result = await applyPlan(dir, plan, store, {
          options: { rollbackOf: run.runId, apply: true, yes: !!flags.yes, server: flags.server, profile: flags.profile, user: flags.user },
          onProgress: (p) => {
            if (p.state !== 'reading' && p.state !== 'writing' && p.state !== 'applied') {
              process.stderr.write(`[${p.change.id}] ${p.state}${p.message ? `: ${p.message}` : ''}\n`);
            }
          },
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ plan: planJson, applied: true, result }, null, 2)}\n`);
        } else {
          const c = result.counts;
          process.stdout.write(`Rollback run ${result.runId}: ${c.applied} undone, ${c.alreadyDone} already as before, ${c.conflicts} conflict${c.conflicts === 1 ? '' : 's'}, ${c.failed} failed, ${c.inDoubt} in doubt, ${c.pending} pending.\n`);
          if (result.stoppedAt) {
            process.stderr.write(`error: stopped at ${result.stoppedAt.changeId}: ${result.stoppedAt.message}\n`);
            process.stderr.write(`hint: laps-migrate journal show ${result.runId}  (the journal names the applied and the pending changes)\n`);
          }
        }
        return result.exitCode;
      } finally {
        await dir.close();
      }
    }),
  );
}
