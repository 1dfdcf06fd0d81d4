/**
 * Step 1, inventory, as a Step: read-only (no changes, no apply). The computers are spooled to a
 * private temporary file while they stream in, so the report's computer table is read back from
 * it rather than kept in memory.
 */
import type { Step } from '../step.js';
import type { InventoryOptions } from './options.js';
import { inventoryOptions } from './options.js';
import { byNameDn, runInventory, type InventoryData } from '../inventory.js';
import { attentionRank, inventoryReportModel } from '../inventory-report.js';
import type { ComputerRecord } from '../inventory-analysis.js';
import { createPlan } from '../../journal/index.js';
import { InputError } from '../../errors.js';
import { isUnder } from '../../directory/dn.js';
import { listOus } from '../../directory/organizational-units.js';
import type { Directory } from '../../directory/types.js';
import type { TargetInfo } from '../../model/step-result.js';

/** --ou must exist and --base-dn must lie inside the domain; each error names its own flag. */
async function checkScope(dir: Directory, target: TargetInfo, ou: string | undefined): Promise<void> {
  const domainDn = (await dir.rootDse()).defaultNamingContext;
  if (!ou) {
    if (!isUnder(target.baseDn, domainDn)) throw new InputError(`--base-dn ${target.baseDn} is not inside the domain ${domainDn}`);
    return;
  }
  if (!isUnder(ou, domainDn)) throw new InputError(`--ou ${ou} is not inside the domain ${domainDn}`);
  if (!(await dir.read(ou, ['1.1']))) throw new InputError(`--ou ${ou} does not exist`, { advice: 'Check the DN (laps-migrate inventory without --ou lists the OUs in its report).' });
}

export const inventoryStep: Step<InventoryOptions, InventoryData> = {
  name: 'inventory',
  title: 'Inventory',
  options: inventoryOptions,
  wizard: {
    keys: ['ou', 'staleDays'],
    async choices(ctx) {
      return ctx.dir ? { ou: (await listOus(ctx.dir, ctx.target.baseDn)).map((o) => ({ name: o.path, value: o.dn })) } : {};
    },
  },
  async plan(ctx, o) {
    if (!ctx.dir) throw new Error('inventory needs a live directory');
    await checkScope(ctx.dir, ctx.target, o.ou);
    const spool = ctx.spool<ComputerRecord>('laps-migrate-inventory-');
    // --parallel N: the presence searches and N scan connections; --parallel 1: one scan stream
    const [presenceDirectory, ...scanDirectories] = ctx.fork ? await Promise.all(Array.from({ length: (o.presence ? 1 : 0) + o.parallel - 1 }, () => ctx.fork!())) : [];
    performance.mark('laps-migrate:inventory-fork');
    const result = await runInventory(ctx.dir, ctx.target, {
      now: ctx.now(),
      staleDays: o.staleDays,
      graceDays: o.graceDays,
      ...(o.ou ? { scope: o.ou } : {}),
      ...(o.presence && presenceDirectory ? { presenceDirectory } : {}),
      scanDirectories: o.presence ? scanDirectories : [presenceDirectory, ...scanDirectories].filter((d): d is NonNullable<typeof d> => !!d),
      skipPresence: !o.presence,
      // segments = attention rank, then container: the report reads the spool once, in its order
      recordSink: (r, ouKey) => spool.push(r, `${attentionRank(r)}\u0000${ouKey}`),
      onProgress: (n) => ctx.progress({ step: 'inventory', phase: 'reading computers', counts: { computers: n } }),
    });
    spool.close();
    const s = result.data.summary;
    return {
      result,
      changes: createPlan('inventory', [], { createdAt: ctx.now() }),
      report: () => inventoryReportModel(result, { read: () => spool.read(byNameDn), count: spool.count }),
      json: () => {
        const { computers: _omit, ...rest } = result.data;
        return { ...result, data: rest };
      },
      text: () => [
        `Inventory of ${result.target.domain}${o.ou ? ` under ${o.ou}` : ''}: ${s.computers} computers in ${s.ous} containers`,
        `  legacy ${s.states.legacy}, Windows LAPS clear ${s.states['windows-clear']}, encrypted ${s.states['windows-encrypted']}, both ${s.states.both}, none ${s.states.none}`,
        `  rotating ${s.health.rotating}, due ${s.health.due}, not rotating ${s.health.overdue}, never managed ${s.health['never-managed']}`,
        `  OS: supported ${s.readiness.supported}, if patched ${s.readiness['supported-if-patched']}, unsupported ${s.readiness.unsupported}, not Windows ${s.readiness['not-windows']}, unknown ${s.readiness.unknown}`,
        `  GPOs: ${s.gpos.legacyLaps} legacy LAPS, ${s.gpos.adminTemplates} with administrative templates, ${s.gpos.total} in all`,
        '',
        'Findings:',
        ...result.findings.map((f) => `  [${f.severity}] ${f.code}: ${f.message}`),
        '',
      ],
    };
  },
};
