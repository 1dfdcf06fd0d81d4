/**
 * `laps-migrate password get COMPUTER`: the equivalent of Get-LapsADPassword. Every source the
 * bound account can see (legacy, clear, encrypted, history, DSRM), decrypted with the forest's
 * root key (from AD, or --root-key FILE). Passwords are masked unless --show-password; each one
 * shown is first recorded in the journal as a read event (who, which computer, which source).
 */
import type { Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, openDirectory, type ConnectionFlags } from './connection-options.js';
import { ExitCode, InputError, UserError } from '../errors.js';
import type { RootKey } from '../dpapi-ng/root-key.js';

interface PasswordFlags extends ConnectionFlags {
  includeHistory?: boolean;
  showPassword?: boolean;
  json?: boolean;
  rootKey?: string;
  reason?: string;
}

const MASK = '********';

export function registerPassword(program: Command): void {
  const pw = program.command('password').description('read a computer\'s LAPS passwords (legacy and Windows LAPS), like Get-LapsADPassword');
  const get = pw
    .command('get')
    .argument('<computer>', 'computer name, DNS name or DN')
    .description('show every LAPS password source of one computer; passwords masked unless --show-password (journaled)');
  addConnectionOptions(get)
    .option('--include-history', 'also the encrypted password history')
    .option('--show-password', 'reveal the passwords (each reveal is recorded in the journal)')
    .option('--root-key <file>', 'KDS root key JSON file (default: read the root key from AD, which needs Domain/Enterprise Admin)')
    .option('--reason <text>', 'why you read it (ticket number), recorded with the read event')
    .option('--json', 'print as JSON');
  get.action(
    action(async (computer: string, flags: PasswordFlags) => {
      const [{ readLapsSchema }, { passwordEntries }, { decryptLapsValue }, { SeedKeyCache }, { findComputer, readPasswordValues }, { readRootKey }, { accountNameResolver }] =
        await Promise.all([
          import('../directory/laps-schema.js'),
          import('../laps/password-sources.js'),
          import('../laps/decrypt-laps-value.js'),
          import('../dpapi-ng/seed-key-cache.js'),
          import('../directory/computers.js'),
          import('../directory/kds.js'),
          import('../directory/principals.js'),
        ]);
      if (computer.trim() === '') throw new InputError('COMPUTER is empty: give a computer name, DNS name or DN', { reason: 'BAD_COMPUTER' });
      if (/^[A-Za-z][A-Za-z0-9-]*=/.test(computer)) {
        const { parseDn } = await import('./parse-input.js');
        parseDn('COMPUTER', computer);
      }
      if (flags.showPassword) {
        // a reveal writes the journal (read event): under the state-folder lock, taken before connecting
        const { acquireStateLock } = await import('../config/state-lock.js');
        acquireStateLock(`password get ${computer} --show-password`);
      }
      let fileKeys: RootKey[] | undefined;
      if (flags.rootKey) {
        const { loadRootKeys } = await import('./dpapi-ng.js');
        fileKeys = await loadRootKeys(flags.rootKey);
      }
      const dir = await openDirectory(flags);
      try {
        const root = await dir.rootDse();
        const me = await dir.whoAmI();
        const dn = await findComputer(dir, root.defaultNamingContext, computer);
        const schema = await readLapsSchema(dir, root.schemaNamingContext);
        const values = await readPasswordValues(dir, dn, schema);

        const cache = new SeedKeyCache();
        const adKeys = new Map<string, RootKey | undefined>();
        const provider = async (id: string): Promise<RootKey | undefined> => {
          if (fileKeys) return fileKeys.find((k) => k.id.toLowerCase() === id.toLowerCase());
          if (!adKeys.has(id)) {
            const key = await readRootKey(dir, root.configurationNamingContext, id);
            if (key) process.stderr.write(`warning: read KDS root key ${id} from AD: a forest secret is now in this process's memory (never written anywhere)\n`);
            adKeys.set(id, key);
          }
          const k = adKeys.get(id);
          if (!k) throw new UserError(`KDS root key ${id} is not readable by this account (Domain/Enterprise Admins only); use --root-key FILE`, ExitCode.CANNOT_DECRYPT);
          return k;
        };
        const resolveName = accountNameResolver(dir, root.defaultNamingContext);
        const entries = await passwordEntries(
          values,
          {
            includeHistory: !!flags.includeHistory,
            tokenSids: new Set([me.sid, ...me.groupSids]),
            decrypt: async (value) => {
              const r = await decryptLapsValue(value, provider, { cache });
              return r.payload!;
            },
            resolveName,
          },
        );
        if (flags.showPassword) {
          const { recordReadEvent } = await import('../journal/index.js');
          // journal first: a reveal is never missing from the journal
          for (const e of entries) if (e.password !== undefined) recordReadEvent({ who: me.dn, object: dn, source: e.attribute, ...(flags.reason ? { reason: flags.reason } : {}) });
        }
        const shown = entries.map((e) => {
          const { password, ...rest } = e;
          return password === undefined ? rest : { ...rest, password: flags.showPassword ? password : MASK };
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ computer: dn, boundAs: me.dn, entries: shown }, null, 2)}\n`);
        } else if (shown.length === 0) {
          process.stdout.write(`${dn}: no LAPS password visible to ${me.dn}\n`);
        } else {
          const lines = [`${dn}`];
          for (const e of shown) {
            lines.push('');
            lines.push(`  Source               ${e.source} (${e.attribute})`);
            if (e.account) lines.push(`  Account              ${e.account}`);
            if ('password' in e) lines.push(`  Password             ${e.password}`);
            lines.push(`  PasswordUpdateTime   ${e.passwordUpdateTime ?? '-'}`);
            if (e.expirationTimestamp) lines.push(`  ExpirationTimestamp  ${e.expirationTimestamp}`);
            lines.push(`  DecryptionStatus     ${e.decryptionStatus}${e.reason ? `: ${e.reason}` : ''}`);
            if (e.authorizedDecryptor) lines.push(`  AuthorizedDecryptor  ${e.authorizedDecryptor.name ? `${e.authorizedDecryptor.name} ` : ''}(${e.authorizedDecryptor.sid})`);
          }
          if (!flags.showPassword && entries.some((e) => e.password !== undefined)) lines.push('', 'Passwords are masked; --show-password reveals them (recorded in the journal).');
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        return 0;
      } finally {
        await dir.close();
      }
    }),
  );
}
