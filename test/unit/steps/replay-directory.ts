/**
 * Unit-test Directory that answers from a recording of the real lab DC (test/fixtures/permissions,
 * made by record.mjs): each read-side call is looked up by its exact arguments. A call that was not
 * recorded throws, so a change in what the step reads shows up as a failing test, not as a silent
 * empty answer. Writes are refused (the plan is computed, never applied, here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BoundIdentity, ConnectionFacts, DirEntry, Directory, RootDse, SearchOptions } from '../../../src/directory/types.js';

type EncodedValue = string | { b64: string };
interface EncodedEntry {
  dn: string;
  attributes: Record<string, EncodedValue[]>;
}
interface Call {
  op: 'rootDse' | 'whoAmI' | 'searchPages' | 'read';
  args: unknown[];
  result: unknown;
}

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'permissions');

function stable(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stable);
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .filter((k) => o[k] !== undefined)
        .map((k) => [k, stable(o[k])]),
    );
  }
  return x;
}

const keyOf = (op: string, args: unknown[]) => JSON.stringify([op, stable(args)]);

function decodeEntry(e: EncodedEntry | null): DirEntry | undefined {
  if (!e) return undefined;
  const attributes: DirEntry['attributes'] = {};
  for (const [k, vs] of Object.entries(e.attributes)) attributes[k] = vs.map((v) => (typeof v === 'string' ? v : Buffer.from(v.b64, 'base64')));
  return { dn: e.dn, attributes };
}

export class ReplayDirectory implements Directory {
  readonly facts: ConnectionFacts = { url: 'ldaps://127.0.0.22:636', tls: 'ldaps', certificateVerified: true, certificateNames: [] };
  private readonly calls = new Map<string, Call>();
  /** Keys of the calls made, in order (tests can check what was read). */
  readonly seen: string[] = [];

  constructor(file: string) {
    const data = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { calls: Call[] };
    for (const c of data.calls) this.calls.set(keyOf(c.op, c.args), c);
  }

  private get(op: Call['op'], args: unknown[]): Call {
    const key = keyOf(op, args);
    this.seen.push(key);
    const c = this.calls.get(key);
    if (!c) throw new Error(`not recorded: ${key.slice(0, 300)}`);
    return c;
  }

  async rootDse(): Promise<RootDse> {
    return this.get('rootDse', []).result as RootDse;
  }

  async whoAmI(): Promise<BoundIdentity> {
    return this.get('whoAmI', []).result as BoundIdentity;
  }

  async *searchPages(options: SearchOptions): AsyncIterable<DirEntry[]> {
    const pages = this.get('searchPages', [options]).result as EncodedEntry[][];
    for (const p of pages) yield p.map((e) => decodeEntry(e)!);
  }

  async searchAll(options: SearchOptions): Promise<DirEntry[]> {
    const out: DirEntry[] = [];
    for await (const p of this.searchPages(options)) out.push(...p);
    return out;
  }

  async read(dn: string, attributes: string[], options?: { binaryAttributes?: string[]; sdFlags?: number }): Promise<DirEntry | undefined> {
    return decodeEntry(this.get('read', [dn, attributes, options ?? {}]).result as EncodedEntry | null);
  }

  async modify(): Promise<void> {
    throw new Error('ReplayDirectory is read-only');
  }

  async add(): Promise<void> {
    throw new Error('ReplayDirectory is read-only');
  }

  async delete(): Promise<void> {
    throw new Error('ReplayDirectory is read-only');
  }

  async close(): Promise<void> {}
}

export interface LabFacts {
  baseDn: string;
  domainSid: string;
  netbiosDomain: string;
  accounts: Record<string, { dn: string; sAMAccountName: string; sid: string; kind: 'user' | 'computer' }>;
  groups: Record<string, { dn: string; sid: string }>;
  ous: Record<string, string>;
  computers: Array<{ name: string; dn: string; ou: string; seed: { legacyPassword: boolean; joinedBy?: string; account?: string } }>;
}

export function labFacts(): { lab: LabFacts; explicitAccounts: string[] } {
  return JSON.parse(readFileSync(join(FIXTURES, 'lab.json'), 'utf8')) as { lab: LabFacts; explicitAccounts: string[] };
}

/** The same options record.mjs used for its runs. */
export const RECORDED_NOW = new Date('2025-06-01T00:00:00Z');

/** The permissions step run on a recording, with the options record.mjs used. */
export async function runRecorded(
  file: 'before-admin.json' | 'before-user.json' | 'after-admin.json',
  perComputer: boolean,
  extra: Partial<import('../../../src/steps/permissions.js').PermissionsRunOptions> = {},
) {
  const { runPermissions } = await import('../../../src/steps/permissions.js');
  const { lab, explicitAccounts } = labFacts();
  const dir = new ReplayDirectory(file);
  const run = await runPermissions(dir, { server: dir.facts.url, domain: 'lab.example.test', baseDn: lab.baseDn, boundAs: file }, { now: RECORDED_NOW, ...(perComputer ? { perComputer: true, accounts: explicitAccounts } : {}), ...extra });
  return { ...run, dir, lab };
}
