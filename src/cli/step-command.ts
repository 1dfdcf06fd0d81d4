/**
 * The CLI adapter for steps: flags -> the step's options (checked by the step's own schema, each
 * problem named by its flag), connection -> StepContext, flags -> Consent, then runStep. The step
 * commands (inventory, schema, permissions, ...) only declare their flags and the flag -> option
 * mapping; everything else they do the same way.
 */
import type { z } from 'zod';
import { ExitCode, InputError } from '../errors.js';
import type { Directory } from '../directory/types.js';
import type { Step, ProgressEvent } from '../steps/step.js';
import type { Consent, ConsentQuestion, StepRun } from '../steps/run-step.js';
import type { TargetInfo } from '../model/step-result.js';
import { baseDnOf, isInteractive, openDirectory, type ConnectionFlags } from './connection-options.js';
import { outputDir, parseWholeNumber, RANGES } from './parse-input.js';

/** Parses flag text into the step's options; every problem names its flag (exit 2). */
export function optionsFromFlags<O>(schema: z.ZodType<O>, input: Record<string, unknown>, flagOf: Record<string, string>): O {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    const flag = flagOf[key] ?? key;
    return `${flag}: ${i.code === 'unrecognized_keys' ? i.message : i.message}`;
  });
  throw new InputError(lines.length === 1 ? lines[0]! : `invalid options:\n  ${lines.join('\n  ')}`);
}

/** Days from a flag (0-3650, plain decimal digits): the one number parser of cli/parse-input.ts. */
export function flagDays(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseWholeNumber(flag, text, RANGES.days);
}

/** Consent from flags: --yes answers reversible changes, --confirm-irreversible the others; else a prompt in a terminal. */
export function flagConsent(flags: { yes?: boolean; confirmIrreversible?: boolean; nonInteractive?: boolean }): Consent {
  const ask = async (message: string): Promise<boolean> => {
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message, default: false });
  };
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return {
    async reversible(q: ConsentQuestion) {
      if (flags.yes) return true;
      const n = q.changes - q.irreversible;
      if (!isInteractive(flags)) {
        throw new InputError(`--apply would write ${plural(n, 'change')} and cannot ask for confirmation (no terminal, or --non-interactive); nothing was written`, {
          reason: 'CONFIRMATION_REQUIRED',
          advice: 'Review the plan above, then rerun with --apply --yes.',
        });
      }
      return ask(`Write these ${plural(n, 'change')}?`);
    },
    async irreversible(q: ConsentQuestion) {
      if (flags.confirmIrreversible) return true;
      if (!isInteractive(flags)) {
        throw new InputError(`the plan has ${plural(q.irreversible, 'irreversible change')}; nothing was written`, {
          reason: 'IRREVERSIBLE_NOT_CONFIRMED',
          advice: 'Review the plan above, then rerun with --apply --confirm-irreversible (--yes never covers irreversible changes).',
        });
      }
      return ask(`Apply ${plural(q.irreversible, 'irreversible change')}?${q.warning ? ` ${q.warning}` : ''}`);
    },
  };
}

/** Progress on stderr: live counts on one line in a terminal, change outcomes as lines. */
export function stderrProgress(enabled: boolean): (e: ProgressEvent) => void {
  let live = false;
  const OUTCOMES = /\] (verified|already-done|conflict|failed)\b/;
  return (e) => {
    if (!enabled) return;
    if (e.counts && e.phase.startsWith('reading')) {
      const [k, v] = Object.entries(e.counts)[0]!;
      process.stderr.write(`\rread ${v} ${k}`);
      live = true;
      return;
    }
    if (live) {
      process.stderr.write('\n');
      live = false;
    }
    if (e.message && OUTCOMES.test(e.message)) process.stderr.write(`${e.message}\n`);
  };
}

export interface StepCommandFlags extends ConnectionFlags {
  apply?: boolean;
  yes?: boolean;
  confirmIrreversible?: boolean;
  out: string;
  json?: boolean;
}

export interface StepCommandSetup {
  /** Runs offline (no connection) with this target, e.g. schema --from-snapshot. */
  offlineTarget?: TargetInfo;
  /** Options recorded with each journal run. */
  journalOptions?: Record<string, unknown>;
}

/** Connects, builds the context, runs the step and prints the result; returns the exit code. */
export async function runStepCommand<O>(step: Step<O>, options: O, flags: StepCommandFlags, setup: StepCommandSetup = {}): Promise<number> {
  if (flags.yes && !flags.apply) throw new InputError('--yes only makes sense with --apply');
  if (flags.confirmIrreversible && !flags.apply) throw new InputError('--confirm-irreversible only makes sense with --apply');
  outputDir('--out', flags.out);
  performance.mark('laps-migrate:command');
  const [{ runStep }, { createStepContext }, { gatherDomainFacts }] = await Promise.all([
    import('../steps/run-step.js'),
    import('../steps/context.js'),
    import('../directory/domain-facts.js'),
  ]);
  // a run that may write holds the state-folder lock from before it connects until it ends (exit 8 for a second one)
  const release = flags.apply ? (await import('../config/state-lock.js')).acquireStateLock(`${step.name} --apply`) : undefined;
  let dir: Directory | undefined;
  const progress = stderrProgress(process.stderr.isTTY && !flags.json);
  try {
    let target: TargetInfo;
    let facts;
    if (setup.offlineTarget) {
      target = setup.offlineTarget;
    } else {
      dir = await openDirectory(flags);
      performance.mark('laps-migrate:bound');
      facts = await gatherDomainFacts(dir);
      performance.mark('laps-migrate:domain-facts');
      target = { server: dir.facts.url, domain: facts.dnsDomain, baseDn: await baseDnOf(dir, flags), boundAs: facts.boundAs.dn };
    }
    const sysvol = (await import('./sysvol-option.js')).resolveSysvol(flags as { sysvol?: string; profile?: string });
    const ctx = createStepContext({ ...(dir ? { dir } : {}), ...(sysvol ? { sysvol } : {}), target, ...(facts ? { facts } : {}), progress });
    let run: StepRun;
    try {
      run = await runStep(step, ctx, options, {
        apply: !!flags.apply,
        consent: flagConsent(flags),
        outDir: flags.out,
        ...(flags.json ? {} : { print: (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`) }),
        note: (line) => process.stderr.write(`${line}\n`),
        journalOptions: { ...setup.journalOptions, apply: !!flags.apply, yes: !!flags.yes, server: flags.server, profile: flags.profile, user: flags.user },
      });
    } finally {
      progress({ step: step.name, phase: 'done' });
      await ctx.dispose();
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(run.json, null, 2)}\n`);
    return run.exitCode;
  } finally {
    await dir?.close();
    release?.();
  }
}

export { ExitCode };
