/**
 * `laps-migrate emulation`: step 4. A thin adapter over the emulation Step: readiness for legacy
 * emulation per OU and computer, the LAPS GPOs' settings (from --sysvol), monitoring of the
 * switch, the deployable artifacts (report folder, artifacts/); --apply grants the legacy SELF
 * permission where emulation-bound computers lack it (journaled, reversible).
 */
import { Option, type Command } from 'commander';
import { InputError } from '../errors.js';
import { action } from './action.js';
import { addConnectionOptions, type ConnectionFlags } from './connection-options.js';
import { addSysvolOption, resolveSysvol, type SysvolFlags } from './sysvol-option.js';

interface EmulationFlags extends ConnectionFlags, SysvolFlags {
  ou?: string;
  since?: string;
  graceDays: string;
  emulation: boolean;
  grantLegacySelf: boolean;
  artifacts: boolean;
  monitor?: boolean;
  apply?: boolean;
  yes?: boolean;
  out: string;
  json?: boolean;
}

export function registerEmulation(program: Command): void {
  const cmd = program
    .command('emulation')
    .description('step 4: readiness for legacy emulation (Windows LAPS standing in for the legacy CSE), GPO settings, CSE removal scripts, monitoring; --apply grants the legacy SELF permission (journaled)');
  addSysvolOption(addConnectionOptions(cmd))
    .option('--ou <dn>', 'only computers under this DN')
    .option('--since <date>', 'monitor rotation from this date (YYYY-MM-DD or ISO 8601; default: the first emulation --apply in the journal)')
    .addOption(new Option('--grace-days <n>', 'days past a password expiry before a computer counts as stuck (0-3650)').default('7'))
    .option('--monitor', 'monitoring only (read-only): is each legacy password still rotating since --since / the first --apply?')
    .option('--no-emulation', 'emulation is not wanted: only report where it would start on its own; grant nothing, write no scripts')
    .option('--no-grant-legacy-self', 'do not plan the legacy SELF permission')
    .option('--no-artifacts', 'do not write the CSE removal and emulation pin scripts into the report folder')
    .option('--apply', 'grant the legacy SELF permission through the journal (default: plan only)')
    .option('--yes', 'do not ask before writing')
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--json', 'print the result (without the per-computer rows) and the plan as JSON on stdout');
  cmd.action(
    action(async (flags: EmulationFlags) => {
      if (flags.monitor && flags.apply) throw new InputError('--monitor is read-only: drop --apply (or run without --monitor to grant the legacy SELF permission)');
      const [{ createEmulationStep }, { optionsFromFlags, flagDays, runStepCommand }] = await Promise.all([import('../steps/emulation/step.js'), import('./step-command.js')]);
      const sysvol = resolveSysvol(flags);
      const step = createEmulationStep({ ...(sysvol ? { sysvol } : {}), monitorOnly: !!flags.monitor });
      const options = optionsFromFlags(
        step.options,
        {
          enabled: flags.emulation,
          ...(flags.ou !== undefined ? { ou: flags.ou } : {}),
          ...(flags.since !== undefined ? { since: flags.since } : {}),
          graceDays: flagDays('--grace-days', flags.graceDays),
          grantLegacySelf: flags.grantLegacySelf,
          artifacts: flags.artifacts,
        },
        { enabled: '--no-emulation', ou: '--ou', since: '--since', graceDays: '--grace-days', grantLegacySelf: '--no-grant-legacy-self', artifacts: '--no-artifacts' },
      );
      return runStepCommand(step, options, flags, { journalOptions: { ...options, ...(sysvol ? { sysvol } : {}), monitor: !!flags.monitor } });
    }),
  );
}
