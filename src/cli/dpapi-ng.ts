/**
 * `laps-migrate dpapi-ng decrypt|inspect|encrypt`: open, describe and produce DPAPI-NG blobs and
 * msLAPS-Encrypted* values with a KDS root key file, offline.
 *
 * - decrypt reveals a secret (that is its purpose): it prints the plaintext as hex; --json adds
 *   the key identifier, SID, timestamps and the parsed LAPS payload. Exit 2 malformed, 7 cannot
 *   decrypt. Nothing is logged; `onSecretRevealed` lets the caller journal the read (no value).
 * - inspect needs no key.
 * - encrypt reads the secret from a file or stdin, never from a flag. With --laps the file holds
 *   the password (one trailing newline is dropped) and --account names the managed account; the
 *   output is a complete msLAPS-Encrypted* value (16-byte header + blob with detached content).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { action } from './action.js';
import type { RootKey } from '../dpapi-ng/root-key.js';

/** What a decrypt revealed, for the journal: never the value. */
export interface SecretRevealedEvent {
  command: 'dpapi-ng decrypt';
  source: 'laps-value' | 'dpapi-ng-blob';
  input: 'hex' | 'file' | 'stdin';
  rootKeyId: string;
  sid: string;
  /** The "n" of the LAPS payload, when the plaintext is one. */
  accountName: string | undefined;
}

export interface DpapiNgCommandOptions {
  /** Called after a successful decrypt, before the plaintext is printed. */
  onSecretRevealed?: (event: SecretRevealedEvent) => void | Promise<void>;
  /** Reads standard input for `-` (default: fd 0); replaceable for tests. */
  readStdin?: () => Buffer;
}

interface BlobFlags {
  blobHex?: string;
  blobFile?: string;
  json?: boolean;
}

function defaultStdin(): Buffer {
  try {
    return readFileSync(0);
  } catch {
    throw new InputError('could not read standard input');
  }
}

function readInputFile(path: string, what: string, stdin: () => Buffer = defaultStdin): Buffer {
  if (path === '-') return stdin();
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new InputError(`cannot read ${what} ${path}${code ? ` (${code})` : ''}`);
  }
}

/** Hex (whitespace allowed), base64 text, or raw bytes: whichever the file holds. */
export function decodeBlobFileContent(raw: Buffer): Buffer {
  const binaryish = raw.some((b) => b < 0x09 || (b > 0x0d && b < 0x20) || b > 0x7e);
  if (binaryish) return raw;
  const text = raw.toString('latin1').replace(/\s+/g, '');
  if (text.length > 0 && /^(?:0x)?[0-9a-fA-F]+$/.test(text)) return decodeHex(text, 'blob file');
  if (text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0) return Buffer.from(text, 'base64');
  return raw;
}

function decodeHex(text: string, what: string): Buffer {
  const t = text.replace(/\s+/g, '').replace(/^0x/i, '');
  if (t.length === 0) throw new InputError(`${what} is empty`);
  if (!/^[0-9a-fA-F]*$/.test(t)) throw new InputError(`${what} is not hexadecimal`);
  if (t.length % 2 !== 0) throw new InputError(`${what} has an odd number of hex digits (truncated?)`);
  return Buffer.from(t, 'hex');
}

function readBlob(flags: BlobFlags, stdin: () => Buffer): { data: Buffer; input: 'hex' | 'file' | 'stdin' } {
  if ((flags.blobHex === undefined) === (flags.blobFile === undefined)) {
    throw new InputError('give exactly one of --blob-hex HEX or --blob-file FILE');
  }
  if (flags.blobHex !== undefined) return { data: decodeHex(flags.blobHex, '--blob-hex'), input: 'hex' };
  const raw = readInputFile(flags.blobFile!, '--blob-file', stdin);
  const data = decodeBlobFileContent(raw);
  if (data.length === 0) throw new InputError('the blob file is empty');
  return { data, input: flags.blobFile === '-' ? 'stdin' : 'file' };
}

export async function loadRootKeys(path: string): Promise<RootKey[]> {
  const { parseRootKeyFile } = await import('../dpapi-ng/root-key.js');
  if (path === '-') throw new InputError('--root-key needs a file (standard input is reserved for secrets)');
  const text = readInputFile(path, '--root-key file').toString('utf8');
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0) process.stderr.write(`warning: root key file ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); it holds a forest secret: chmod 600 it\n`);
  } catch {
    // stat after a successful read cannot normally fail; the warning is best effort
  }
  try {
    return parseRootKeyFile(text);
  } catch (e) {
    // name the flag and the file (issue 21): "root key: the file is not valid JSON" alone does not say which input
    if (e instanceof InputError) throw new InputError(`--root-key ${path}: ${e.message}`, { ...(e.advice ? { advice: e.advice } : {}), ...(e.reason ? { reason: e.reason } : {}), cause: e });
    throw e;
  }
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

export function registerDpapiNg(program: Command, options: DpapiNgCommandOptions = {}): void {
  const stdin = options.readStdin ?? defaultStdin;
  const cmd = program
    .command('dpapi-ng')
    .description('decrypt, inspect or produce DPAPI-NG blobs and msLAPS-Encrypted* values with a KDS root key file (offline)');

  cmd
    .command('decrypt')
    .description('decrypt a DPAPI-NG blob or msLAPS-Encrypted* value and print the plaintext as hex (reveals a secret)')
    .requiredOption('--root-key <file>', 'KDS root key JSON file (RootKeyId, KdfAlgorithm, KdfParameters, SecretAgreement*, *KeyLength, RootKeyData)')
    .option('--blob-hex <hex>', 'the blob or attribute value as hex')
    .option('--blob-file <file>', 'file holding the blob or value (raw bytes, hex or base64; - for stdin)')
    .option('--json', 'print key identifier, SID, timestamps and the parsed LAPS payload as JSON')
    .action(
      action(async (flags: BlobFlags & { rootKey: string }) => {
        const { data, input } = readBlob(flags, stdin);
        const keys = await loadRootKeys(flags.rootKey);
        const { decryptLapsValue } = await import('../laps/decrypt-laps-value.js');
        const { filetimeToHex } = await import('../laps/filetime.js');
        const result = await decryptLapsValue(data, keys, { allowBareBlob: true, requirePayload: false });
        if (options.onSecretRevealed) {
          await options.onSecretRevealed({
            command: 'dpapi-ng decrypt',
            source: result.source,
            input,
            rootKeyId: result.blob.rootKeyId,
            sid: result.blob.sid,
            accountName: result.payload?.accountName,
          });
        }
        if (!flags.json) {
          process.stdout.write(`${result.plaintext.toString('hex')}\n`);
          return 0;
        }
        printJson({
          source: result.source,
          ...result.blob,
          header: result.header
            ? {
                updateTime: result.header.updateTime.toISOString(),
                updateTimestamp: result.header.updateTimestamp.toString(),
                size: result.header.encryptedBufferSize,
                reserved: result.header.flagsReserved,
              }
            : null,
          plaintextHex: result.plaintext.toString('hex'),
          payload: result.payload
            ? {
                accountName: result.payload.accountName,
                updateTime: result.payload.updateTime.toISOString(),
                updateTimestampHex: filetimeToHex(result.payload.updateTimestamp),
                password: result.payload.password,
              }
            : null,
          ...(result.payloadProblem ? { payloadProblem: result.payloadProblem } : {}),
        });
        return 0;
      }),
    );

  cmd
    .command('inspect')
    .description('show what a blob or msLAPS-Encrypted* value reveals without keys: root key id, L0/L1/L2, SID, names, header')
    .option('--blob-hex <hex>', 'the blob or attribute value as hex')
    .option('--blob-file <file>', 'file holding the blob or value (raw bytes, hex or base64; - for stdin)')
    .option('--json', 'print as JSON')
    .action(
      action(async (flags: BlobFlags) => {
        const { data } = readBlob(flags, stdin);
        const { splitEncryptedInput } = await import('../laps/decrypt-laps-value.js');
        const { parseDpapiNgBlob } = await import('../dpapi-ng/dpapi-ng-blob.js');
        const { describeDpapiNgBlob } = await import('../dpapi-ng/describe-dpapi-ng-blob.js');
        const { header, blob } = splitEncryptedInput(data, true);
        const summary = describeDpapiNgBlob(parseDpapiNgBlob(blob));
        const headerInfo = header
          ? {
              updateTime: header.updateTime.toISOString(),
              updateTimestamp: header.updateTimestamp.toString(),
              size: header.encryptedBufferSize,
              reserved: header.flagsReserved,
            }
          : null;
        if (flags.json) {
          printJson({ source: header ? 'laps-value' : 'dpapi-ng-blob', ...summary, header: headerInfo });
          return 0;
        }
        const lines = [
          `input:                 ${header ? 'msLAPS-Encrypted* value (16-byte header + DPAPI-NG blob)' : 'bare DPAPI-NG blob'}`,
          ...(headerInfo
            ? [`header:                stored ${headerInfo.updateTime} (FILETIME ${headerInfo.updateTimestamp}), size ${headerInfo.size} (matches), reserved ${headerInfo.reserved}`]
            : []),
          `root key id:           ${summary.rootKeyId}`,
          `group key:             L0 ${summary.l0}, L1 ${summary.l1}, L2 ${summary.l2} (key period from ${summary.keyPeriodStart ?? 'beyond any date'})`,
          `protection descriptor: ${summary.protectionDescriptor}`,
          `key derivation:        ${summary.keyKind === 'nonce' ? 'seed key + nonce' : `public key (${summary.keyKind})`}`,
          `domain / forest:       ${summary.domainName || '(none)'} / ${summary.forestName || '(none)'}`,
          `content:               ${summary.contentPlacement}, ${summary.encryptedContentLength} bytes (ciphertext + 16-byte tag); DER ${summary.derLength} bytes`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        return 0;
      }),
    );

  cmd
    .command('encrypt')
    .description('encrypt a secret to a SID with a root key (current key period) and print the blob as hex')
    .requiredOption('--root-key <file>', 'KDS root key JSON file')
    .option('--root-key-id <guid>', 'which key to use when the file holds several')
    .requiredOption('--sid <sid>', 'the principal allowed to decrypt (protection descriptor SID=...)')
    .requiredOption('--plaintext-file <file>', 'file holding the secret, or - for stdin (with --laps: the password)')
    .option('--laps', 'produce an msLAPS-Encrypted* value: {"n","t","p"} payload, 16-byte header')
    .option('--account <name>', 'with --laps: the managed account name ("n")', 'Administrator')
    .option('--key-kind <kind>', 'public-key (as a LAPS client does) or nonce', 'public-key')
    .option('--time <iso>', 'use the key period (and with --laps the timestamps) of this time instead of now')
    .option('--embedded', 'put the ciphertext inside the DER instead of after it (not for --laps)')
    .option('--domain <dns>', 'domain DNS name recorded in the key identifier', '')
    .option('--forest <dns>', 'forest DNS name recorded in the key identifier', '')
    .action(
      action(
        async (flags: {
          rootKey: string;
          rootKeyId?: string;
          sid: string;
          plaintextFile: string;
          laps?: boolean;
          account: string;
          keyKind: string;
          time?: string;
          embedded?: boolean;
          domain: string;
          forest: string;
        }) => {
          const { canonicalSid } = await import('../dtyp/sid.js');
          const sid = canonicalSid(flags.sid);
          if (!sid) throw new InputError('--sid is not a valid SID (S-1-5-21-...)');
          if (flags.keyKind !== 'public-key' && flags.keyKind !== 'nonce') throw new InputError('--key-kind must be public-key or nonce');
          let time = new Date();
          if (flags.time !== undefined) {
            time = new Date(flags.time);
            if (Number.isNaN(time.getTime())) throw new InputError('--time is not a date (ISO 8601 expected, e.g. 2025-01-31T12:00:00Z)');
          }
          if (flags.laps && flags.embedded) throw new InputError('--embedded cannot be used with --laps (Windows LAPS values carry detached content)');
          const keys = await loadRootKeys(flags.rootKey);
          let rootKey = keys[0]!;
          if (flags.rootKeyId) {
            const id = flags.rootKeyId.toLowerCase().replace(/[{}]/g, '');
            const found = keys.find((k) => k.id === id);
            if (!found) throw new InputError(`root key ${id} is not in ${flags.rootKey} (it holds ${keys.map((k) => k.id).join(', ')})`);
            rootKey = found;
          } else if (keys.length > 1) {
            throw new InputError(`${flags.rootKey} holds ${keys.length} root keys: choose one with --root-key-id`);
          }
          const secret = readInputFile(flags.plaintextFile, '--plaintext-file', stdin);
          const common = {
            rootKey,
            sid,
            keyKind: flags.keyKind as 'public-key' | 'nonce',
            time,
            domainName: flags.domain,
            forestName: flags.forest,
          };
          let out: Buffer;
          if (flags.laps) {
            const password = secret.toString('utf8').replace(/\r?\n$/, '');
            secret.fill(0);
            if (password.length === 0) throw new InputError('the password file is empty');
            if (!flags.account) throw new InputError('--account must not be empty');
            const { encryptLapsValue } = await import('../laps/encrypt-laps-value.js');
            out = encryptLapsValue({ accountName: flags.account, password }, common);
          } else {
            const { encryptDpapiNg } = await import('../dpapi-ng/encrypt-dpapi-ng.js');
            out = encryptDpapiNg(secret, { ...common, contentPlacement: flags.embedded ? 'embedded' : 'detached' });
            secret.fill(0);
          }
          process.stdout.write(`${out.toString('hex')}\n`);
          return 0;
        },
      ),
    );
}
