/**
 * `laps-migrate wizard` (and `laps-migrate` with no arguments in a terminal): the guided
 * migration. It connects, says where the migration stands, then walks the steps in order: the
 * step's questions (from its options schema), a listr2 task with live counts while it reads, the
 * findings and the plan, then the apply with its own consent (irreversible changes confirmed by
 * typing the domain name). All step logic lives in the steps; the wizard only decides where the
 * options and the consent come from. Ctrl-C at any point leaves nothing half-written (the
 * journal records what was written) and exits 130 with how to resume.
 */
import type { Command } from 'commander';
import { action } from '../action.js';
import { addConnectionOptions, type ConnectionFlags } from '../connection-options.js';
import { ExitCode } from '../../errors.js';
import type { Consent } from '../../steps/run-step.js';
import type { WizardDecisions } from './save-playbook.js';
import type { AnyStep, ProgressEvent, StepContext } from '../../steps/step.js';

interface WizardFlags extends ConnectionFlags {
  out: string;
}

const INTERRUPTED = 'ExitPromptError';

export function registerWizard(program: Command): void {
  const cmd = program.command('wizard').description('the guided migration: connect, see where it stands, then each step with its plan and your consent');
  addConnectionOptions(cmd).option('--out <dir>', 'report folder', 'reports');
  cmd.action(action((flags: WizardFlags) => runWizard(flags)));
}

function wizardConsent(domain: string): Consent {
  return {
    async reversible(q) {
      const { confirm } = await import('@inquirer/prompts');
      return confirm({ message: `Write ${q.changes - q.irreversible} change(s) to ${domain}? Each is journaled and can be rolled back.`, default: false });
    },
    async irreversible(q) {
      const { input } = await import('@inquirer/prompts');
      const typed = await input({ message: `${q.irreversible} change(s) can never be undone.${q.warning ? ` ${q.warning}` : ''} Type the domain name (${domain}) to confirm, or press Enter to skip them:` });
      return typed.trim().toLowerCase() === domain.toLowerCase();
    },
  };
}

/**
 * Cleanup decides which computers are verified exactly as the cutover does, so it runs with the
 * cutover's policy and waves (as `run` passes the playbook's): this session's answers, or the
 * cutover's questions asked again when the wizard started after it.
 */
async function cutoverDecisions(ctx: StepContext, decisions: WizardDecisions['steps'], print: (lines: string[]) => void): Promise<unknown> {
  const earlier = decisions.find((d) => d.name === 'cutover');
  if (earlier) return earlier.options;
  const [{ cutoverWizardForm }, { cutoverOptions }, { questionsFor }, { ask }] = await Promise.all([import('../../steps/cutover/wizard.js'), import('../../steps/cutover/options.js'), import('./questions.js'), import('./ask.js')]);
  print(['Cleanup checks each computer as the cutover verifies it: give the waves and policy the cutover used (or run: laps-migrate cleanup --playbook FILE).']);
  const choices = (await cutoverWizardForm.choices?.(ctx)) ?? {};
  const answers: Record<string, unknown> = {};
  for (const q of questionsFor(cutoverWizardForm.answers, cutoverWizardForm.keys, choices as Record<string, never>)) {
    const v = await ask(q);
    if (v !== undefined) answers[q.key] = v;
  }
  const options = cutoverOptions.parse(cutoverWizardForm.toOptions(answers));
  // saved as the playbook's policy and waves, not as a step to run
  decisions.unshift({ name: 'cutover', options: options as Record<string, unknown>, sectionsOnly: true });
  return options;
}

export async function runWizard(flags: WizardFlags): Promise<number> {
  const print = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);
  const [{ STEPS }, { createStepContext }, { runStep }, { wizardConnect }, standing, { questionsFor }, { ask }, { savePlaybook }, { JournalStore }, { Listr }, prompts] = await Promise.all([
    import('../../steps/registry.js'),
    import('../../steps/context.js'),
    import('../../steps/run-step.js'),
    import('./connection.js'),
    import('./standing.js'),
    import('./questions.js'),
    import('./ask.js'),
    import('./save-playbook.js'),
    import('../../journal/index.js'),
    import('listr2'),
    import('@inquirer/prompts'),
  ]);
  // the wizard may write at any step: it holds the state-folder lock for its whole session
  const release = (await import('../../config/state-lock.js')).acquireStateLock('wizard');
  print(['laps-migrate: the guided migration from legacy LAPS to Windows LAPS.', 'Nothing is written without your consent; every write is journaled with its before-image.', '']);
  const decisions: WizardDecisions['steps'] = [];
  let conn: Awaited<ReturnType<typeof wizardConnect>> | undefined;
  try {
    conn = await wizardConnect(flags, print);
    const { dir, facts } = conn;
    const journal = JournalStore.open();
    const st = standing.migrationStanding(STEPS, flags.out, journal);
    print(['Where the migration stands (from the reports and the journal on this machine):', ...standing.standingLines(st), '']);
    const available = STEPS.filter((s) => s.load && s.wizard !== false);
    const start = await prompts.select({ message: 'Start at:', choices: available.map((s) => ({ name: s.title, value: s.name })), default: standing.resumePoint(st) });
    let sink: (e: ProgressEvent) => void = () => undefined;
    const sysvol = (await import('../sysvol-option.js')).resolveSysvol({ ...conn.flags, ...(conn.profile ? { profile: conn.profile } : {}) });
    const ctx = createStepContext({ dir, ...(sysvol ? { sysvol } : {}), target: { server: dir.facts.url, domain: facts.dnsDomain, baseDn: flags.baseDn ?? facts.domainDn, boundAs: facts.boundAs.dn }, facts, journal, progress: (e) => sink(e) });
    try {
      for (const entry of available.slice(available.findIndex((s) => s.name === start))) {
        const step: AnyStep = await entry.load!();
        print(['', `== ${step.title}`]);
        const form = step.wizardForm;
        const keys: string[] = form?.keys ?? step.wizard?.keys ?? [];
        const source = form ?? step.wizard;
        const choices = keys.length && source?.choices ? await source.choices(ctx) : {};
        const answers: Record<string, unknown> = {};
        for (const q of questionsFor(form?.answers ?? step.options, keys, choices as Record<string, never>)) {
          const v = await ask(q);
          if (v !== undefined) answers[q.key] = v;
        }
        let options = step.options.parse(form ? form.toOptions(answers) : answers) as Record<string, unknown>;
        decisions.push({ name: step.name, options });
        if (step.name === 'cleanup') options = { ...options, cutover: await cutoverDecisions(ctx, decisions, print) };
        let planned: Awaited<ReturnType<AnyStep['plan']>> | undefined;
        await new Listr(
          [
            {
              title: `${step.title}: reading ${facts.dnsDomain}`,
              task: async (_c, task) => {
                sink = (e) => {
                  if (e.counts) task.output = `${e.phase}: ${Object.entries(e.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`;
                };
                planned = await step.plan(ctx, options);
                const f = planned.result.findings;
                task.title = `${step.title}: ${f.filter((x) => x.severity === 'blocker').length} blocker(s), ${f.filter((x) => x.severity === 'warning').length} warning(s), ${planned.changes.changes.length} change(s) planned`;
              },
            },
          ],
          { renderer: process.stdout.isTTY ? 'default' : 'simple' },
        ).run();
        print(planned!.text());
        // while writing: one line per change as the journal records it
        sink = (e) => {
          if (e.phase === 'writing' && e.message) print([`  ${e.counts?.done ?? ''}/${e.counts?.total ?? ''} ${e.message}`]);
        };
        const r = await runStep(step, ctx, options, { apply: planned!.changes.changes.length > 0, planned: planned!, consent: wizardConsent(facts.dnsDomain), outDir: flags.out, print, note: (l) => process.stderr.write(`${l}\n`) });
        sink = () => undefined;
        const next = available[available.findIndex((s) => s.name === entry.name) + 1];
        if (r.exitCode === ExitCode.INTERRUPTED_SIGINT || r.exitCode === ExitCode.INTERRUPTED_SIGTERM) {
          // the apply finished the write in flight and recorded the run as interrupted
          process.stderr.write(`Resume with: laps-migrate wizard (it proposes ${step.title}, where you stopped)\n`);
          return r.exitCode;
        }
        if (r.exitCode === ExitCode.PARTIAL) {
          print(['The apply stopped part-way; the journal says what was written. Rerun the wizard to continue here.']);
          break;
        }
        if (next && !(await prompts.confirm({ message: `Continue with ${next.title}?`, default: r.exitCode === ExitCode.OK })) ) break;
      }
    } finally {
      await ctx.dispose();
    }
    if (decisions.length && (await prompts.confirm({ message: 'Save your answers as a playbook for `laps-migrate run`?', default: false }))) {
      const path = await prompts.input({ message: 'Playbook file:', default: 'playbooks/my-migration.yaml' });
      savePlaybook(path, { connection: { ...conn.flags, ...(conn.profile ? { profile: conn.profile } : {}) }, steps: decisions });
      print([`Saved ${path}. Rerun it with: laps-migrate run --playbook ${path}`]);
    }
    return ExitCode.OK;
  } catch (e) {
    if ((e as Error)?.name === INTERRUPTED) {
      process.stderr.write('\nInterrupted. Nothing was left half-written: every write is journaled (laps-migrate journal list).\nResume with: laps-migrate wizard (it proposes the step where you stopped)\n');
      return 130;
    }
    throw e;
  } finally {
    await conn?.dir.close();
    release();
  }
}
