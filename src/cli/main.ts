#!/usr/bin/env node
/**
 * laps-migrate entry point. Each command lives in its own module and registers itself on the
 * program; heavy dependencies are imported inside actions so that --help stays fast.
 */
import { Command } from 'commander';
import { setStateDir } from '../config/paths.js';
import { reportError } from './action.js';
import { stateDirInput } from './parse-input.js';
import { VERSION } from '../version.js';
import { registerConnect } from './connect.js';
import { registerLab } from './lab.js';
import { registerInventory } from './inventory.js';
import { registerSchema } from './schema.js';
import { registerPermissions } from './permissions.js';
import { registerEmulation } from './emulation.js';
import { registerJournal } from './journal.js';
import { registerRollback } from './rollback.js';
import { registerDpapiNg } from './dpapi-ng.js';
import { registerPassword } from './password.js';
import { describeDescriptor } from '../security/descriptor-sddl-text.js';
import { registerSd } from './sd.js';
import { registerGpo } from './gpo.js';
import { registerCutover } from './cutover.js';
import { registerCleanup } from './cleanup.js';
import { registerWizard } from './wizard/index.js';
import { registerRun } from './run.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('laps-migrate')
    .description('Move an Active Directory estate from legacy Microsoft LAPS to Windows LAPS, safely and in stages.')
    .version(VERSION)
    .option('--state-dir <dir>', 'state folder (journal, lab, logs); default $XDG_STATE_HOME/laps-migrate')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();
  program.hook('preAction', (thisCommand) => {
    const opts = thisCommand.optsWithGlobals() as { stateDir?: string };
    if (opts.stateDir !== undefined) setStateDir(stateDirInput('--state-dir', opts.stateDir));
  });
  const commands: Array<(p: Command) => void> = [
    registerConnect,
    registerLab,
    registerInventory,
    registerSchema,
    registerPermissions,
    registerEmulation,
    (p) => registerJournal(p, { describeDescriptor }),
    (p) => registerRollback(p, { describeDescriptor }),
    (p) =>
      registerDpapiNg(p, {
        // decrypt reveals a secret: journal who read what (never the value) before it is printed
        onSecretRevealed: async (e) => {
          const [{ recordReadEvent }, { userInfo }, { acquireStateLock }] = await Promise.all([import('../journal/index.js'), import('node:os'), import('../config/state-lock.js')]);
          // it writes the journal: under the state-folder lock (held until exit), like every writer
          acquireStateLock('dpapi-ng decrypt');
          recordReadEvent({ who: `local user ${userInfo().username}`, object: `DPAPI-NG blob (root key ${e.rootKeyId}, protected for ${e.sid})`, source: `dpapi-ng decrypt (${e.input})` });
        },
      }),
    registerPassword,
    registerSd,
    registerGpo,
    registerCutover,
    registerCleanup,
    registerWizard,
    registerRun,
  ];
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // a closed pipe (| head) ends output quietly instead of crashing
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const program = buildProgram();
  // no arguments in a terminal: the guided wizard (CONVENTIONS "Command line")
  if (argv.length <= 2 && process.stdin.isTTY && process.stdout.isTTY) argv = [...argv, 'wizard'];
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const err = e as { code?: string; exitCode?: number };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      // help and version exit 0; every other commander complaint is a usage error
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
      return;
    }
    process.exitCode = reportError(e);
  }
}

await main(process.argv);
