/**
 * `laps-migrate permissions`: step 3. A thin adapter over the permissions Step: a read-only audit
 * (any domain account) plus the plan of what --apply would change (SELF permissions, legacy
 * delegations mirrored onto Windows LAPS, opt-in remediation). Writes go through the journal,
 * only with --apply, after the plan is printed and confirmed (--yes, or a prompt in a terminal;
 * without either the command stops with exit 2 and writes nothing).
 */
import { Option, type Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, type ConnectionFlags } from './connection-options.js';
import { DEFAULT_PARALLEL } from '../steps/permissions/defaults.js';

interface PermissionsFlags extends ConnectionFlags {
  perComputer?: boolean;
  parallel?: string;
  ou: string[];
  explain: string[];
  apply?: boolean;
  yes?: boolean;
  self: boolean;
  legacySelf: boolean;
  mirror: boolean;
  removeAllExtendedRights?: boolean;
  fixOwners?: boolean;
  out: string;
  json?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerPermissions(program: Command): void {
  const cmd = program
    .command('permissions')
    .description('step 3: who can read/reset LAPS passwords and how, SELF coverage, delegation gaps; --apply grants SELF and mirrors delegations (journaled)');
  addConnectionOptions(cmd)
    .option('--per-computer', "read and evaluate every computer's own security descriptor (paged)")
    .option('--parallel <n>', `with --per-computer: connections that page the computers at once, by OU (1-16; default ${DEFAULT_PARALLEL}; 1 = one paged search, the gentlest on the DC)`)
    .option('--ou <dn>', 'containers (with their subtrees) the plan may change; repeat for several (default: all)', collect, [])
    .option('--explain <account>', 'predict, computer by computer, what this account can read and reset (repeatable)', collect, [])
    .option('--no-self', 'do not plan the Windows LAPS SELF permission')
    .option('--no-legacy-self', 'do not plan the legacy SELF permission for legacy-managed computers')
    .option('--no-mirror', 'do not mirror legacy read/reset/deny delegations onto the Windows LAPS attributes')
    .option('--remove-all-extended-rights', 'also remove All Extended Rights held by non-admin principals on computer OUs')
    .option('--fix-owners', 'also make Domain Admins the owner of computers owned by a non-admin (the account that joined them)')
    .option('--apply', 'write the planned changes through the journal (default: audit and plan only)')
    .option('--yes', 'do not ask before writing')
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--json', 'print the result (without the per-computer rows) and the plan as JSON on stdout');
  cmd.action(
    action(async (flags: PermissionsFlags) => {
      const [{ permissionsStep }, { optionsFromFlags, runStepCommand }, { parseWholeNumber, RANGES }] = await Promise.all([
        import('../steps/permissions/step.js'),
        import('./step-command.js'),
        import('./parse-input.js'),
      ]);
      const parallel = flags.parallel === undefined ? undefined : parseWholeNumber('--parallel', flags.parallel, RANGES.connections);
      const options = optionsFromFlags(
        permissionsStep.options,
        { ou: flags.ou, perComputer: !!flags.perComputer, parallel, explain: flags.explain, self: flags.self, legacySelf: flags.legacySelf, mirror: flags.mirror, removeAllExtendedRights: !!flags.removeAllExtendedRights, fixOwners: !!flags.fixOwners },
        { ou: '--ou', perComputer: '--per-computer', parallel: '--parallel', explain: '--explain', self: '--no-self', legacySelf: '--no-legacy-self', mirror: '--no-mirror', removeAllExtendedRights: '--remove-all-extended-rights', fixOwners: '--fix-owners' },
      );
      return runStepCommand(permissionsStep, options, flags, { journalOptions: { ...options } });
    }),
  );
}
