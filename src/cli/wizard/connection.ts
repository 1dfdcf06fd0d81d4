/**
 * The wizard's first page: pick a saved profile or enter a server, account and CA file (the
 * password is asked masked by the shared connection code and never stored), bind, show what
 * `connect` shows, and offer to save a new connection as a profile (never the password).
 */
import { readProfiles, saveProfile, type Profile } from '../../config/profiles.js';
import type { Directory } from '../../directory/types.js';
import { gatherDomainFacts, type DomainFacts } from '../../directory/domain-facts.js';
import { isUserError } from '../../errors.js';
import { openDirectory, type ConnectionFlags } from '../connection-options.js';
import { describeConnection } from '../connect.js';

export interface WizardConnection {
  dir: Directory;
  facts: DomainFacts;
  flags: ConnectionFlags;
  /** The profile used or saved, for a saved playbook's `connection`. */
  profile?: string;
}

const NEW = '\u0000new';

async function enterConnection(): Promise<ConnectionFlags> {
  const { input } = await import('@inquirer/prompts');
  const server = await input({ message: 'Domain controller (ldaps://dc.example.com):', required: true, validate: (v) => /^ldaps?:\/\/\S+$/.test(v) || 'an ldaps:// URL (or ldap:// with StartTLS)' });
  const user = await input({ message: 'Account (user@domain, DOMAIN\\name or DN):', required: true });
  const caFile = await input({ message: 'CA certificate file (empty: the system store):' });
  return { server, user, ...(caFile ? { caFile } : {}), ...(server.startsWith('ldap://') ? { starttls: true } : {}) };
}

export async function wizardConnect(preset: ConnectionFlags, print: (lines: string[]) => void): Promise<WizardConnection> {
  const { select, confirm, input } = await import('@inquirer/prompts');
  for (;;) {
    let flags: ConnectionFlags = preset;
    let profile = preset.profile;
    if (!preset.profile && !preset.server) {
      const profiles = readProfiles();
      const names = Object.keys(profiles);
      const choice = names.length
        ? await select({
            message: 'Connect with:',
            choices: [...names.map((n) => ({ name: `${n}  (${profiles[n]!.user ?? '?'} at ${profiles[n]!.server})`, value: n })), { name: 'a new connection...', value: NEW }],
          })
        : NEW;
      if (choice === NEW) {
        flags = await enterConnection();
        profile = undefined;
      } else {
        flags = { profile: choice };
        profile = choice;
      }
    }
    try {
      const dir = await openDirectory(flags);
      const facts = await gatherDomainFacts(dir);
      print(['', ...describeConnection(facts), '']);
      if (!profile && (await confirm({ message: 'Save this connection as a profile (the password is not saved)?', default: true }))) {
        const name = await input({ message: 'Profile name:', default: facts.dnsDomain.split('.')[0], validate: (v) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(v) || 'letters, digits, ".", "_" and "-"' });
        const p: Profile = { server: flags.server!, ...(flags.user ? { user: flags.user } : {}), ...(flags.caFile ? { caFile: flags.caFile } : {}), ...(flags.starttls ? { startTls: true } : {}) };
        print([`Saved profile "${name}" in ${saveProfile(name, p)}`]);
        profile = name;
      }
      return { dir, facts, flags, ...(profile ? { profile } : {}) };
    } catch (e) {
      if (!isUserError(e) || preset.profile || preset.server) throw e;
      print([`error: ${e.message}`, ...(e.advice ? [`hint: ${e.advice}`] : [])]);
      if (!(await confirm({ message: 'Try another connection?', default: true }))) throw e;
    }
  }
}
