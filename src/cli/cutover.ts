/**
 * `laps-migrate cutover --playbook FILE`: step 5. A thin adapter over the cutover Step: the
 * policy and waves come from the playbook (the same keys `run` uses); --status shows where every
 * wave stands (read-only); --apply starts the next wave when its preflight passes and the
 * previous wave's gate is met (journaled GPO writes, after the plan is printed and confirmed).
 */
import { Option, type Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, type ConnectionFlags } from './connection-options.js';
import { addSysvolOption } from './sysvol-option.js';
import { InputError } from '../errors.js';
import { DEFAULT_CUTOVER_PARALLEL } from '../steps/cutover/defaults.js';

interface CutoverFlags extends ConnectionFlags {
  playbook?: string;
  sysvol?: string;
  status?: boolean;
  parallel?: string;
  apply?: boolean;
  yes?: boolean;
  out: string;
  json?: boolean;
}

export function registerCutover(program: Command): void {
  const cmd = program
    .command('cutover')
    .description('step 5: where each wave stands (verified/pending/failed/stuck/left-behind), its gate; --apply starts the next wave through its GPO (journaled)');
  addSysvolOption(addConnectionOptions(cmd))
    .option('--playbook <file>', 'the playbook holding `policy` and `waves` (and the `cutover:` section)')
    .option('--status', 'only show every wave: counts per state, the gate, when it started (read-only)')
    .option('--parallel <n>', `connections that page each wave's computers at once, by OU (1-16; default ${DEFAULT_CUTOVER_PARALLEL}, or the playbook's cutover.parallel; 1 = one paged search, the gentlest on the DC)`)
    .option('--apply', 'write the planned GPO settings and links through the journal (default: plan only)')
    .option('--yes', 'do not ask before writing')
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--json', 'print the result and the plan as JSON on stdout');
  cmd.action(
    action(async (flags: CutoverFlags) => {
      if (!flags.playbook) throw new InputError('--playbook FILE is required: the cutover takes its policy and waves from a playbook', { advice: 'See playbooks/pilot-then-broad.yaml.' });
      if (flags.status && flags.apply) throw new InputError('--status is read-only: drop --apply');
      const [{ cutoverStep }, { runStepCommand }, { loadPlaybook, stepOptions }, { parseWholeNumber, RANGES }] = await Promise.all([
        import('../steps/cutover/step.js'),
        import('./step-command.js'),
        import('../playbook/load.js'),
        import('./parse-input.js'),
      ]);
      // a bad flag is refused before the playbook is read
      const parallel = flags.parallel === undefined ? undefined : parseWholeNumber('--parallel', flags.parallel, RANGES.connections);
      const pb = loadPlaybook(flags.playbook);
      // SYSVOL (--sysvol or the profile's) reaches the step as StepContext.sysvol, as in `run`
      const options = { ...(stepOptions(pb.playbook, 'cutover') as import('../steps/cutover/options.js').CutoverOptions), ...(parallel !== undefined ? { parallel } : {}), ...(flags.status ? { status: true } : {}) };
      return runStepCommand(cutoverStep, options, flags, { journalOptions: { playbook: flags.playbook, status: !!flags.status } });
    }),
  );
}
