/**
 * `laps-migrate schema`: step 2, schema and prerequisites. A thin adapter over the schema Step:
 * without --apply it only reads (any domain account); with --apply it extends the Windows LAPS
 * schema (and, with --create-kds-root-key, creates a KDS root key) through the journal. Every
 * change is irreversible, so it also needs --confirm-irreversible (or a "yes" at the prompt in a
 * terminal); --yes never covers irreversible changes.
 */
import { Option, type Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, type ConnectionFlags } from './connection-options.js';

interface SchemaFlags extends ConnectionFlags {
  apply?: boolean;
  confirmIrreversible?: boolean;
  yes?: boolean;
  createKdsRootKey?: boolean;
  kdsAlgorithm: 'dh' | 'ecdh-p256' | 'ecdh-p384';
  effectiveNow?: boolean;
  encryption: boolean;
  out: string;
  json?: boolean;
  saveSnapshot?: string;
  fromSnapshot?: string;
}

export function registerSchema(program: Command): void {
  const cmd = program
    .command('schema')
    .description('step 2: both LAPS schemas, functional levels, DCs and KDS root keys (read-only); --apply extends the Windows LAPS schema (irreversible)');
  addConnectionOptions(cmd)
    .option('--apply', 'write the planned changes (default: check and print the plan only)')
    .option('--confirm-irreversible', 'consent to irreversible changes (schema additions, KDS root keys); needed with --apply')
    .option('--yes', 'skip confirmations of reversible changes; never covers irreversible ones (all of this step\'s changes are)')
    .option('--create-kds-root-key', 'also create a KDS root key if the forest has none (for labs; in production prefer Add-KdsRootKey)')
    .addOption(new Option('--kds-algorithm <name>', 'secret agreement of a created root key').choices(['dh', 'ecdh-p256', 'ecdh-p384']).default('dh'))
    .option('--effective-now', 'make a created root key usable at once instead of in 10 hours (labs)')
    .option('--no-encryption', 'you plan Windows LAPS without encryption: functional level and KDS root key problems become warnings')
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--json', 'print the result (and the plan) as JSON on stdout')
    .option('--save-snapshot <file>', 'write the directory facts this check read (no secrets) to FILE, for offline checks or a support case')
    .option('--from-snapshot <file>', 'check a saved snapshot offline instead of connecting (no --apply)');
  cmd.action(
    action(async (flags: SchemaFlags) => {
      const [{ schemaStep, readSnapshotFile, snapshotTarget }, { optionsFromFlags, runStepCommand }, { InputError }] = await Promise.all([
        import('../steps/schema/step.js'),
        import('./step-command.js'),
        import('../errors.js'),
      ]);
      if (flags.fromSnapshot && flags.apply) throw new InputError('--apply needs a live connection; it cannot be combined with --from-snapshot');
      const options = optionsFromFlags(
        schemaStep.options,
        { createKdsRootKey: !!flags.createKdsRootKey, kdsAlgorithm: flags.kdsAlgorithm, effectiveNow: !!flags.effectiveNow, encryption: flags.encryption, saveSnapshot: flags.saveSnapshot, fromSnapshot: flags.fromSnapshot },
        { createKdsRootKey: '--create-kds-root-key', kdsAlgorithm: '--kds-algorithm', effectiveNow: '--effective-now', encryption: '--no-encryption', saveSnapshot: '--save-snapshot', fromSnapshot: '--from-snapshot' },
      );
      return runStepCommand(schemaStep, options, flags, {
        ...(flags.fromSnapshot ? { offlineTarget: snapshotTarget(readSnapshotFile(flags.fromSnapshot)) } : {}),
        journalOptions: { confirmIrreversible: !!flags.confirmIrreversible, createKdsRootKey: options.createKdsRootKey, kdsAlgorithm: options.createKdsRootKey ? options.kdsAlgorithm : null, effectiveNow: options.effectiveNow },
      });
    }),
  );
}
