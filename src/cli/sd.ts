/**
 * `laps-migrate sd decode (--hex HEX | --base64 B64 | --file FILE) [--domain-sid SID] [--json]`:
 * decodes one self-relative security descriptor and prints its SDDL on one line (or, with
 * --json, the parsed structure). Malformed input exits 2 with what is wrong and where.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { action } from './action.js';
import { describeSecurityDescriptor, isSid, normalizeSid, parseSecurityDescriptor, toSddl } from '../security/index.js';

export interface SdInputFlags {
  hex?: string;
  base64?: string;
  file?: string;
}

/** Hex text -> bytes; whitespace, ':' separators and a leading 0x are allowed. */
export function bytesFromHex(text: string): Buffer {
  const t = text.replace(/[\s:]/g, '').replace(/^0x/i, '');
  const bad = t.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw new InputError(`--hex: "${t[bad]}" at character ${bad} is not a hex digit`);
  if (t.length % 2 !== 0) throw new InputError(`--hex: odd number of hex digits (${t.length})`);
  if (t.length === 0) throw new InputError('--hex: empty');
  return Buffer.from(t, 'hex');
}

/** Base64 text -> bytes, strictly (Node's decoder would silently skip bad characters). */
export function bytesFromBase64(text: string): Buffer {
  const t = text.replace(/\s/g, '');
  const bad = t.search(/[^A-Za-z0-9+/=_-]/);
  if (bad >= 0) throw new InputError(`--base64: "${t[bad]}" at character ${bad} is not a base64 character`);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(t) || t.length % 4 === 1) throw new InputError('--base64: not valid base64 (bad padding or length)');
  if (t.length === 0) throw new InputError('--base64: empty');
  return Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
}

/**
 * The bytes of a --file: raw binary when it starts with the revision byte 0x01 (a text file never
 * does), else hex or base64 text (e.g. saved from ldbsearch or PowerShell).
 */
export function bytesFromFileContent(content: Buffer): Buffer {
  if (content.length > 0 && content[0] === 0x01) return content;
  const text = content.toString('utf8').trim();
  if (/^(0x)?[0-9a-fA-F\s:]+$/.test(text)) return bytesFromHex(text);
  return bytesFromBase64(text);
}

export function readSdInput(flags: SdInputFlags): Buffer {
  const given = [flags.hex, flags.base64, flags.file].filter((v) => v !== undefined).length;
  if (given !== 1) throw new InputError('give exactly one of --hex, --base64 or --file');
  if (flags.hex !== undefined) return bytesFromHex(flags.hex);
  if (flags.base64 !== undefined) return bytesFromBase64(flags.base64);
  let content: Buffer;
  try {
    content = readFileSync(flags.file!);
  } catch (e) {
    throw new InputError(`cannot read ${flags.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return bytesFromFileContent(content);
}

/** The output of `sd decode` for these bytes: one SDDL line, or the JSON document. */
export function renderSdDecode(bytes: Uint8Array, options: { domainSid?: string; json?: boolean } = {}): string {
  let domainSid: string | undefined;
  if (options.domainSid !== undefined) {
    if (!/^S-1-5-21-\d+-\d+-\d+$/i.test(options.domainSid) || !isSid(options.domainSid.toUpperCase())) {
      throw new InputError(`--domain-sid: "${options.domainSid}" is not a domain SID (S-1-5-21-x-y-z)`);
    }
    domainSid = normalizeSid(options.domainSid.toUpperCase());
  }
  const sd = parseSecurityDescriptor(bytes);
  const sddl = toSddl(sd, domainSid ? { domainSid } : {});
  if (!options.json) return sddl + '\n';
  const doc = { length: bytes.length, sddl, ...describeSecurityDescriptor(sd, domainSid ? { domainSid } : {}) };
  return JSON.stringify(doc, null, 2) + '\n';
}

export function registerSd(program: Command): void {
  const sd = program.command('sd').description('security descriptor tools');
  sd.command('decode')
    .description('decode one self-relative security descriptor (nTSecurityDescriptor) and print its SDDL')
    .option('--hex <hex>', 'the descriptor as hex')
    .option('--base64 <b64>', 'the descriptor as base64')
    .option('--file <file>', 'a file holding the descriptor (raw bytes, hex or base64)')
    .option('--domain-sid <sid>', 'abbreviate this domain\'s well-known groups (DA, DU, DC, EA, SA, ...)')
    .option('--json', 'print the parsed structure as JSON')
    .action(
      action((o: SdInputFlags & { domainSid?: string; json?: boolean }) => {
        process.stdout.write(renderSdDecode(readSdInput(o), { domainSid: o.domainSid, json: !!o.json }));
        return 0;
      }),
    );
}
