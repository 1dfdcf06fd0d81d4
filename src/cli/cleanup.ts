/**
 * `laps-migrate cleanup --playbook FILE`: step 6. A thin adapter over the cleanup Step: the
 * cutover's policy and waves (which computers are verified depends on them) and the `cleanup:`
 * section come from the playbook, the flags below override the section. Read-only by default;
 * --apply removes legacy delegations and GPO links (journaled, reversible); clearing legacy
 * passwords also needs --confirm-irreversible (--yes never covers it).
 */
import { Option, type Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, type ConnectionFlags } from './connection-options.js';
import { addSysvolOption } from './sysvol-option.js';
import { InputError } from '../errors.js';

interface CleanupFlags extends ConnectionFlags {
  playbook?: string;
  sysvol?: string;
  ou?: string;
  clearLegacyPasswords?: boolean;
  removeLegacyDelegations?: boolean;
  unlinkLegacyGpos?: boolean;
  removeClearTextWindowsLaps?: boolean;
  apply?: boolean;
  yes?: boolean;
  confirmIrreversible?: boolean;
  out: string;
  json?: boolean;
}

const FLAG_OF = { ou: '--ou', clearLegacyPasswords: '--no-clear-legacy-passwords', removeLegacyDelegations: '--no-remove-legacy-delegations', unlinkLegacyGpos: '--no-unlink-legacy-gpos', removeClearTextWindowsLaps: '--remove-clear-text-windows-laps' };

export function registerCleanup(program: Command): void {
  const cmd = program
    .command('cleanup')
    .description('step 6: the final exposure report; --apply removes legacy delegations and GPO links where nothing depends on legacy (journaled); with --confirm-irreversible it clears legacy passwords of verified computers');
  addSysvolOption(addConnectionOptions(cmd))
    .option('--playbook <file>', 'the playbook holding `policy` and `waves` (as the cutover runs them) and the `cleanup:` section')
    .option('--ou <dn>', 'only computers and OUs under this DN')
    .option('--no-clear-legacy-passwords', 'keep legacy passwords even on verified computers')
    .option('--no-remove-legacy-delegations', 'keep the legacy delegations on OUs')
    .option('--no-unlink-legacy-gpos', 'keep legacy GPO links and values')
    .option('--remove-clear-text-windows-laps', 'also clear a leftover msLAPS-Password once the encrypted one is verified (irreversible)')
    .option('--apply', 'write the planned changes through the journal (default: plan and report only)')
    .option('--yes', 'do not ask before the reversible changes')
    .option('--confirm-irreversible', 'also clear passwords (irreversible; --yes never covers it)')
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--json', 'print the result and the plan as JSON on stdout');
  cmd.action(
    action(async (flags: CleanupFlags, command: Command) => {
      if (!flags.playbook) throw new InputError('--playbook FILE is required: which computers are verified depends on the playbook\'s policy and waves', { advice: 'Give the playbook the cutover runs with (see playbooks/pilot-then-broad.yaml).' });
      const [{ cleanupStep }, { optionsFromFlags, runStepCommand }, { loadPlaybook, stepOptions }] = await Promise.all([import('../steps/cleanup/step.js'), import('./step-command.js'), import('../playbook/load.js')]);
      const pb = loadPlaybook(flags.playbook);
      const section = (pb.playbook.cleanup ?? {}) as Record<string, unknown>;
      // a flag given on the command line wins over the playbook's section
      const given = (k: keyof typeof FLAG_OF) => command.getOptionValueSource(k) === 'cli';
      const input: Record<string, unknown> = { ...section };
      for (const k of Object.keys(FLAG_OF) as Array<keyof typeof FLAG_OF>) if (given(k)) input[k] = flags[k];
      const own = optionsFromFlags(cleanupStep.options, input, FLAG_OF);
      const options = { ...own, cutover: stepOptions(pb.playbook, 'cutover') as import('../steps/cutover/options.js').CutoverOptions };
      return runStepCommand(cleanupStep, options, flags, { journalOptions: { playbook: flags.playbook, ...own } });
    }),
  );
}
