/** `laps-migrate lab scenarios|device|devices|simulate`: the lab's scenarios and simulated Windows devices. */
import type { Command } from 'commander';
import { action } from './action.js';
import { InputError } from '../errors.js';

function positiveInt(v: string, flag: string, max = 1000): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InputError(`${flag} must be a whole number from 1 to ${max}, not "${v}"`);
  return n;
}

export function registerLabDevices(lab: Command): void {
  lab
    .command('scenarios')
    .description('list the shipped lab scenarios (lab up --scenario NAME)')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        const { listScenarios } = await import('../lab/scenario-load.js');
        const list = listScenarios();
        if (o.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else process.stdout.write(list.map((s) => `${s.name.padEnd(22)}${s.description}`).join('\n') + '\n');
        return 0;
      }),
    );

  lab
    .command('device')
    .argument('<name>', 'device (computer) name')
    .description("one simulated device's state, its local password included (the read is journaled)")
    .option('--dir <dir>', 'lab folder')
    .option('--reason <text>', 'why you read it, recorded with the read event')
    .option('--json', 'print as JSON')
    .action(
      action(async (name: string, o: { dir?: string; reason?: string; json?: boolean }) => {
        const [{ readDevice, deviceView }, { labContext }, { recordReadEvent }, { userInfo }] = await Promise.all([
          import('../lab/device-state.js'),
          import('../lab/simulate.js'),
          import('../journal/index.js'),
          import('node:os'),
        ]);
        const { dir } = labContext(o.dir);
        const view = deviceView(readDevice(dir, name));
        // journal first: a reveal is never missing from the journal
        if (view.password !== null) recordReadEvent({ who: `lab device (${userInfo().username})`, object: view.dn, source: 'lab device file (local password)', ...(o.reason ? { reason: o.reason } : {}) });
        if (o.json) {
          process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
          return 0;
        }
        const lines = [
          `${view.name}  ${view.dn}`,
          `  build        ${view.build ?? '-'}${view.dc ? ' (domain controller)' : ''}`,
          `  legacy CSE   ${view.cseInstalled ? 'installed' : 'not installed'}`,
          `  mode         ${view.mode}`,
          `  account      ${view.account}`,
          `  password     ${view.password ?? '-'}`,
          `  updated      ${view.passwordUpdatedAt ?? '-'}`,
          '  events',
          ...view.events.slice(-15).map((e) => `    ${e.time}  ${e.source === 'AdmPwd' ? 'AdmPwd ' : ''}${e.id}  ${e.message}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        return 0;
      }),
    );

  lab
    .command('devices')
    .description('list the simulated devices (never a password); --uninstall-cse/--install-cse deploy or remove the legacy CSE')
    .option('--dir <dir>', 'lab folder')
    .option('--ou <dn>', 'only devices in this subtree')
    .option('--uninstall-cse', 'remove the legacy CSE from these devices (stands for the CSE removal script)')
    .option('--install-cse', 'install the legacy CSE on these devices')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { dir?: string; ou?: string; uninstallCse?: boolean; installCse?: boolean; json?: boolean }) => {
        if (o.uninstallCse && o.installCse) throw new InputError('--uninstall-cse and --install-cse exclude each other');
        const [{ deviceRow, writeDevice }, { labContext, selectDevices }] = await Promise.all([import('../lab/device-state.js'), import('../lab/simulate.js')]);
        const { dir } = labContext(o.dir);
        const devices = selectDevices(dir, o.ou ? { ou: o.ou } : {});
        if (o.uninstallCse || o.installCse) {
          if (!o.ou) throw new InputError('--uninstall-cse/--install-cse need --ou DN (the devices the script is deployed to)');
          let changed = 0;
          for (const d of devices) {
            if (d.dc || d.build === null || d.cseInstalled === !!o.installCse) continue;
            d.cseInstalled = !!o.installCse;
            writeDevice(dir, d);
            changed++;
          }
          process.stdout.write(`${o.installCse ? 'installed' : 'removed'} the legacy CSE on ${changed} device(s) under ${o.ou}; the next "lab simulate" cycle uses it\n`);
          return 0;
        }
        const rows = devices.map(deviceRow);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return 0;
        }
        const out = rows.map((r) => `${r.name.padEnd(14)}${r.mode.padEnd(24)}${String(r.build ?? '-').padEnd(7)}${r.cseInstalled ? 'CSE ' : '    '}${r.lastEvent ? `${r.lastEvent.id} ${r.lastEvent.message}` : ''}`.slice(0, 160));
        process.stdout.write(`${out.join('\n')}\n${rows.length} device(s)\n`);
        return 0;
      }),
    );

  lab
    .command('simulate')
    .description('run policy processing cycles on the simulated devices (they bind as their computer accounts; the DC decides)')
    .option('--dir <dir>', 'lab folder')
    .option('--cycles <n>', 'number of cycles', '1')
    .option('--ou <dn>', 'only devices in this subtree')
    .option('--device <name>', 'only this device (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--force-rotate', 'rotate every managed device (as Reset-LapsPassword / an admin-requested expiry)')
    .option('--json', 'print the cycle summaries as JSON')
    .action(
      action(async (o: { dir?: string; cycles: string; ou?: string; device: string[]; forceRotate?: boolean; json?: boolean }) => {
        const cycles = positiveInt(o.cycles, '--cycles');
        const { simulate } = await import('../lab/simulate.js');
        const summaries = await simulate({
          ...(o.dir ? { dir: o.dir } : {}),
          cycles,
          ...(o.ou ? { ou: o.ou } : {}),
          devices: o.device,
          forceRotate: !!o.forceRotate,
          log: (line) => (o.json ? process.stderr : process.stdout).write(`${line}\n`),
        });
        if (o.json) process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
        else {
          for (const s of summaries) {
            process.stdout.write(`  modes: ${Object.entries(s.modes).map(([k, v]) => `${k} ${v}`).join(', ')}\n  events: ${Object.entries(s.events).map(([k, v]) => `${k}×${v}`).join(' ')}\n`);
            for (const p of s.gpoProblems) process.stdout.write(`  warning: GPO ${p}\n`);
          }
        }
        return 0;
      }),
    );
}
