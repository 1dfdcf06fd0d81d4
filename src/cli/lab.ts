/** `laps-migrate lab up|down|status|reset`: a real Samba AD DC on loopback for trying and testing. */
import type { Command } from 'commander';
import { action } from './action.js';
import { InputError } from '../errors.js';
import { registerLabDevices } from './lab-devices.js';
import { outputDir, parseWholeNumber, RANGES } from './parse-input.js';

/** lab up/down/reset write the lab (and up the profile): under the state-folder lock, held until exit. */
async function lockFor(purpose: string): Promise<void> {
  const { acquireStateLock } = await import('../config/state-lock.js');
  acquireStateLock(purpose);
}

function say(json: boolean | undefined) {
  return (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('a throw-away Samba AD domain controller on loopback, seeded like a legacy-LAPS estate');

  lab
    .command('up')
    .description('install (if allowed), provision, seed and start the lab DC; writes the connection profile "lab"')
    .option('--dir <dir>', 'lab folder (default: <state dir>/lab)')
    .option('--ip <address>', 'loopback address to listen on (default: an existing lab\'s own, else 127.0.0.1)')
    .option('--install-packages', 'install the Debian packages the lab needs if missing (root)')
    .option('--scenario <name|file>', 'estate to build: a shipped scenario (lab scenarios) or a YAML file', 'legacy-estate')
    .option('--seed <n>', "seed of the scenario's choices (same seed, same estate)", '1')
    .option('--computers <n>', 'legacy-estate: also seed N computers offline under OU=Bulk; large: the number of devices (default 1000)')
    .option('--legacy-schema <variant>', 'standard, renamed (ms-Contoso-AdmPwd) or none', 'standard')
    .option('--profile <name>', 'name of the connection profile to write', 'lab')
    .option('--no-profile', 'do not write a connection profile')
    .option('--recreate', 'throw away an existing lab in --dir and provision again')
    .option('--json', 'print the manifest (no passwords) as JSON')
    .action(
      action(async (o: { dir?: string; ip?: string; installPackages?: boolean; computers?: string; scenario: string; seed: string; legacySchema: string; profile: string | false; recreate?: boolean; json?: boolean }) => {
        const computers = o.computers === undefined ? undefined : parseWholeNumber('--computers', o.computers, RANGES.labComputers);
        const seed = parseWholeNumber('--seed', o.seed, { min: 0, max: 0xffffffff, unit: '' });
        if (o.dir !== undefined) outputDir('--dir', o.dir);
        if (!['standard', 'renamed', 'none'].includes(o.legacySchema)) throw new InputError('--legacy-schema must be standard, renamed or none');
        await lockFor('lab up');
        const { labUp } = await import('../lab/lab.js');
        const started = Date.now();
        const interactive = !!process.stdin.isTTY && !!process.stdout.isTTY;
        const m = await labUp({
          ...(o.dir ? { dir: o.dir } : {}),
          ...(o.ip ? { ip: o.ip } : {}),
          installPackages: !!o.installPackages,
          ...(interactive
            ? {
                confirmInstall: async () => {
                  const { confirm } = await import('@inquirer/prompts');
                  return confirm({ message: 'Samba and the LDAP tools are missing. Install them now with apt-get (needs root)?', default: false });
                },
              }
            : {}),
          ...(computers !== undefined ? { computers } : {}),
          scenario: o.scenario,
          seed,
          legacySchema: o.legacySchema as 'standard' | 'renamed' | 'none',
          profileName: o.profile,
          recreate: !!o.recreate,
          log: say(o.json),
        });
        if (o.json) {
          process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
          return 0;
        }
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        process.stdout.write(
          [
            `Lab DC up in ${secs} s: ${m.dnsHostName} (${m.realm}) on ${m.urls.ldaps}`,
            `  base DN      ${m.baseDn}`,
            `  CA file      ${m.caFile}`,
            `  admin        ${m.accounts.admin?.userPrincipalName} (password in ${m.accounts.admin?.passwordFile})`,
            `  computers    ${m.computers.length}${m.bulkComputers ? ` + ${m.bulkComputers} under OU=Bulk` : ''}`,
            m.scenario ? `  scenario     ${m.scenario.name} (seed ${m.scenario.seed}); simulated devices: laps-migrate lab devices${o.dir ? ` --dir ${o.dir}` : ''}` : '',
            `  manifest     ${m.dir}/manifest.json`,
            o.profile === false ? '' : `Try: laps-migrate connect --profile ${o.profile}`,
          ].filter(Boolean).join('\n') + '\n',
        );
        return 0;
      }),
    );

  lab
    .command('down')
    .description('stop the lab DC (its data stays; "lab up" starts it again)')
    .option('--dir <dir>', 'lab folder')
    .action(
      action(async (o: { dir?: string }) => {
        if (o.dir !== undefined) outputDir('--dir', o.dir);
        await lockFor('lab down');
        const { labDown } = await import('../lab/lab.js');
        const stopped = await labDown(o.dir);
        process.stdout.write(stopped ? 'lab DC stopped\n' : 'lab DC was not running\n');
        return 0;
      }),
    );

  lab
    .command('status')
    .description('whether the lab DC is running, and its manifest (never passwords)')
    .option('--dir <dir>', 'lab folder')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { dir?: string; json?: boolean }) => {
        if (o.dir !== undefined) outputDir('--dir', o.dir);
        const { labStatus } = await import('../lab/lab.js');
        const s = labStatus(o.dir);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
          return 0;
        }
        // a status query succeeds whatever the state: scripts read "running"/"exists" in --json
        if (!s.exists) {
          process.stdout.write(`no lab in ${s.dir}; run "laps-migrate lab up"\n`);
          return 0;
        }
        const m = s.manifest!;
        process.stdout.write(
          `${s.running ? `running (pid ${s.pid})` : 'stopped'}: ${m.dnsHostName} on ${m.urls.ldaps}, ${m.computers.length} computers, created ${m.createdAt}\n` +
            (s.note ? `note: ${s.note}\n` : ''),
        );
        return 0;
      }),
    );

  lab
    .command('reset')
    .description('restore the state right after seeding (about a second) and restart the DC')
    .option('--dir <dir>', 'lab folder')
    .action(
      action(async (o: { dir?: string }) => {
        if (o.dir !== undefined) outputDir('--dir', o.dir);
        await lockFor('lab reset');
        const { labReset } = await import('../lab/lab.js');
        const started = Date.now();
        await labReset(o.dir);
        process.stdout.write(`lab restored to its seeded state in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        return 0;
      }),
    );
  registerLabDevices(lab);
}
