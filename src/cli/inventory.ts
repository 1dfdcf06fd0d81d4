/** `laps-migrate inventory`: step 1, read-only. A thin adapter over the inventory Step. */
import { Option, type Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, type ConnectionFlags } from './connection-options.js';
import { DEFAULT_PARALLEL } from '../steps/inventory/defaults.js';

interface InventoryFlags extends ConnectionFlags {
  ou?: string;
  staleDays: string;
  graceDays: string;
  out: string;
  json?: boolean;
  presence: boolean;
  parallel?: string;
}

export function registerInventory(program: Command): void {
  const cmd = program
    .command('inventory')
    .description('step 1: every computer\'s LAPS state, health, OS readiness, per-OU rollup and LAPS GPOs (read-only)');
  addConnectionOptions(cmd)
    .option('--ou <dn>', 'only computers under this DN')
    .addOption(new Option('--stale-days <n>', 'no logon for more than N days = stale (0-3650)').default('90'))
    .addOption(new Option('--grace-days <n>', 'days past expiry before a password counts as not rotating (0-3650)').default('7'))
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--parallel <n>', `connections that page the computers at once, by OU (1-16; default ${DEFAULT_PARALLEL}; 1 = one paged search, the gentlest on the DC)`)
    .option('--no-presence', 'skip the searches that tell whether password attributes hold a value (faster on large estates)')
    .option('--json', 'print the summary, findings, OUs and GPOs as JSON on stdout');
  cmd.action(
    action(async (flags: InventoryFlags) => {
      const [{ inventoryStep }, { optionsFromFlags, flagDays, runStepCommand }, { parseWholeNumber, RANGES }] = await Promise.all([
        import('../steps/inventory/step.js'),
        import('./step-command.js'),
        import('./parse-input.js'),
      ]);
      const parallel = flags.parallel === undefined ? undefined : parseWholeNumber('--parallel', flags.parallel, RANGES.connections);
      const options = optionsFromFlags(
        inventoryStep.options,
        { ou: flags.ou, staleDays: flagDays('--stale-days', flags.staleDays), graceDays: flagDays('--grace-days', flags.graceDays), presence: flags.presence, parallel },
        { parallel: '--parallel', ou: '--ou', staleDays: '--stale-days', graceDays: '--grace-days', presence: '--no-presence' },
      );
      return runStepCommand(inventoryStep, options, flags);
    }),
  );
}
