/** `laps-migrate inventory`: step 1, read-only. */
import { Option, type Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, baseDnOf, openDirectory, type ConnectionFlags } from './connection-options.js';
import { InputError, ExitCode } from '../errors.js';

interface InventoryFlags extends ConnectionFlags {
  ou?: string;
  staleDays: string;
  graceDays: string;
  out: string;
  json?: boolean;
  presence: boolean;
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InputError(`${name} must be a whole number of days, not "${v}"`);
  return n;
}

export function registerInventory(program: Command): void {
  const cmd = program
    .command('inventory')
    .description('step 1: every computer\'s LAPS state, health, OS readiness, per-OU rollup and LAPS GPOs (read-only)');
  addConnectionOptions(cmd)
    .option('--ou <dn>', 'only computers under this DN')
    .addOption(new Option('--stale-days <n>', 'no logon for more than N days = stale').default('90'))
    .addOption(new Option('--grace-days <n>', 'days past expiry before a password counts as not rotating').default('7'))
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--no-presence', 'skip the searches that tell whether password attributes hold a value (faster on large estates)')
    .option('--json', 'print the summary, findings, OUs and GPOs as JSON on stdout');
  cmd.action(
    action(async (flags: InventoryFlags) => {
      const staleDays = positiveInt('--stale-days', flags.staleDays);
      const graceDays = positiveInt('--grace-days', flags.graceDays);
      const [{ runInventory }, { inventoryReportModel }, { writeReport }, { gatherDomainFacts }] = await Promise.all([
        import('../steps/inventory.js'),
        import('../steps/inventory-report.js'),
        import('../report/index.js'),
        import('../directory/domain-facts.js'),
      ]);
      const dir = await openDirectory(flags);
      const { RecordSpool } = await import('../steps/record-spool.js');
      const spool = new RecordSpool<import('../steps/inventory-analysis.js').ComputerRecord>('laps-migrate-inventory-');
      const presenceDir = flags.presence && dir.fork ? await dir.fork() : undefined;
      try {
        const facts = await gatherDomainFacts(dir);
        const baseDn = await baseDnOf(dir, flags);
        const progress = process.stderr.isTTY && !flags.json;
        const result = await runInventory(
          dir,
          { server: dir.facts.url, domain: facts.dnsDomain, baseDn, boundAs: facts.boundAs.dn },
          {
            now: new Date(),
            staleDays,
            graceDays,
            ...(flags.ou ? { scope: flags.ou } : {}),
            ...(presenceDir ? { presenceDirectory: presenceDir } : {}),
            skipPresence: !flags.presence,
            recordSink: (r) => spool.push(r),
            ...(progress ? { onProgress: (n: number) => process.stderr.write(`\rread ${n} computers`) } : {}),
          },
        );
        if (progress) process.stderr.write('\n');
        spool.close();
        const written = await writeReport(inventoryReportModel(result, { read: () => spool.read(), count: spool.count }), { outDir: flags.out });
        const s = result.data.summary;
        if (flags.json) {
          const { computers: _omit, ...rest } = result.data;
          process.stdout.write(`${JSON.stringify({ ...result, data: rest, report: written.dir }, null, 2)}\n`);
        } else {
          const lines = [
            `Inventory of ${facts.dnsDomain}${flags.ou ? ` under ${flags.ou}` : ''}: ${s.computers} computers in ${s.ous} containers`,
            `  legacy ${s.states.legacy}, Windows LAPS clear ${s.states['windows-clear']}, encrypted ${s.states['windows-encrypted']}, both ${s.states.both}, none ${s.states.none}`,
            `  rotating ${s.health.rotating}, due ${s.health.due}, not rotating ${s.health.overdue}, never managed ${s.health['never-managed']}`,
            `  OS: supported ${s.readiness.supported}, if patched ${s.readiness['supported-if-patched']}, unsupported ${s.readiness.unsupported}, not Windows ${s.readiness['not-windows']}, unknown ${s.readiness.unknown}`,
            `  GPOs: ${s.gpos.legacyLaps} legacy LAPS, ${s.gpos.adminTemplates} with administrative templates, ${s.gpos.total} in all`,
            '',
            'Findings:',
            ...result.findings.map((f) => `  [${f.severity}] ${f.code}: ${f.message}`),
            '',
            `Report: ${written.dir}/report.html (CSV: computers.csv, ous.csv, gpos.csv)`,
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        return result.findings.some((f) => f.severity === 'blocker') ? ExitCode.BLOCKERS : ExitCode.OK;
      } finally {
        spool.dispose();
        await presenceDir?.close();
        await dir.close();
      }
    }),
  );
}
