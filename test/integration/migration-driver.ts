/**
 * The end-to-end harness of issue 18. It drives the migration with the loop the demo uses
 * (scripts/migration-loop.mjs: `run --playbook ... --apply --yes --confirm-irreversible` with the
 * built CLI, interleaved with `lab simulate` cycles) and checks, after every step run and every
 * cycle, that
 *  - every managed device's real local password (the lab's device state) is in AD where an
 *    authorized reader gets it: the legacy clear text, the Windows LAPS clear text, or the
 *    encrypted value opened with the forest's root key (as the DC's key service opens it for a
 *    member of the principal; the lab admin reads the key). Nothing is ever lost;
 *  - a plain user (the lab's "alice") can read no password attribute at all.
 * It also snapshots what the migration may change reversibly (DACLs of the domain, OUs, GPO
 * containers and computers; gPLink/gPOptions; GPO versions and extension names; every SYSVOL
 * file) so a test can compare it byte for byte after `rollback`. Failures name devices, never a
 * password.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { readLapsSchema } from '../../src/directory/laps-schema.js';
import { readRootKey } from '../../src/directory/kds.js';
import { firstBinary, firstString } from '../../src/directory/entry.js';
import { decryptLapsValue } from '../../src/laps/decrypt-laps-value.js';
import { parseEncryptedPasswordValue } from '../../src/laps/encrypted-password-value.js';
import { parseLapsPasswordJson } from '../../src/laps/password-payload.js';
import { parseDpapiNgBlob } from '../../src/dpapi-ng/dpapi-ng-blob.js';
import { SeedKeyCache } from '../../src/dpapi-ng/seed-key-cache.js';
import type { RootKey } from '../../src/dpapi-ng/root-key.js';
import { listDevices } from '../../src/lab/device-state.js';
import type { LabManifest } from '../../src/lab/manifest.js';
import { driveMigration, type DriveOptions, type DriveResult, type StepRunResult, type WaveState } from '../../scripts/migration-loop.mjs';

/** What AD holds for one computer, as the lab admin reads it (no secret kept). */
export interface ComputerPasswords {
  name: string;
  dn: string;
  legacy: boolean;
  clear: boolean;
  encrypted: boolean;
  history: number;
  /** The SID the current encrypted value is protected for. */
  principal?: string;
  /** Where the device's real password was found (undefined: unmanaged device, or not found). */
  foundIn?: 'legacy' | 'clear' | 'encrypted';
  /** Every history entry decrypts (checked only when asked). */
  historyDecrypts?: boolean;
  /** A history entry holds the password given as the previous one (checked only when asked). */
  historyHoldsPrevious?: boolean;
}

export interface Census {
  label: string;
  computers: Map<string, ComputerPasswords>;
}

const lower = (s: string) => s.toLowerCase();

export class InvariantChecker {
  readonly checks: string[] = [];
  private readonly cache = new SeedKeyCache();
  private readonly keys = new Map<string, RootKey | undefined>();

  constructor(
    private readonly m: LabManifest,
    private readonly labDir: string,
    private readonly admin: LdapDirectory,
    private readonly plainUser: LdapDirectory,
  ) {}

  private async rootKey(id: string): Promise<RootKey | undefined> {
    if (!this.keys.has(id)) this.keys.set(id, await readRootKey(this.admin, this.m.configDn, id));
    return this.keys.get(id);
  }

  private async open(value: Buffer): Promise<string | undefined> {
    try {
      const r = await decryptLapsValue(value, (id) => this.rootKey(id), { cache: this.cache });
      return r.payload?.password;
    } catch {
      return undefined;
    }
  }

  private async attributeNames() {
    const s = await readLapsSchema(this.admin, this.m.schemaDn);
    const names = {
      legacy: s.legacyPassword?.name,
      clear: s.password?.name,
      encrypted: s.encryptedPassword?.name,
      history: s.encryptedPasswordHistory?.name,
    };
    const binary = [names.encrypted, names.history].filter((x): x is string => !!x);
    return { names, binary, all: [names.legacy, names.clear, ...binary].filter((x): x is string => !!x) };
  }

  /**
   * Both invariants; throws naming the devices that break them. `withHistory`: also decrypt every
   * history entry (and look for `previous` passwords, by lower-case device name, among them).
   */
  async check(label: string, o: { withHistory?: boolean; previous?: Map<string, string> } = {}): Promise<Census> {
    const { names, binary, all } = await this.attributeNames();
    const search = (dir: LdapDirectory) => dir.searchAll({ base: this.m.baseDn, filter: '(objectCategory=computer)', attributes: ['cn', ...all], binaryAttributes: binary });
    const entries = new Map((await search(this.admin)).map((e) => [lower(e.dn), e]));
    const census: Census = { label, computers: new Map() };
    const lost: string[] = [];
    for (const device of listDevices(this.labDir)) {
      const e = entries.get(lower(device.dn));
      if (!e) throw new Error(`${label}: the lab has device ${device.name} but AD has no computer ${device.dn}`);
      const enc = names.encrypted ? firstBinary(e, names.encrypted) : undefined;
      const hist = names.history ? (e.attributes[lower(names.history)] ?? []).filter(Buffer.isBuffer) : [];
      const legacy = names.legacy ? firstString(e, names.legacy) : undefined;
      const clear = names.clear ? firstString(e, names.clear) : undefined;
      const c: ComputerPasswords = { name: device.name, dn: e.dn, legacy: legacy !== undefined, clear: clear !== undefined, encrypted: !!enc, history: hist.length };
      if (enc) c.principal = parseDpapiNgBlob(parseEncryptedPasswordValue(enc).blob).sid;
      if (device.mode !== 'unmanaged') {
        // compared as booleans: nothing here may print a password
        if (legacy !== undefined && legacy === device.localPassword) c.foundIn = 'legacy';
        else if (clear !== undefined && safeClear(clear) === device.localPassword) c.foundIn = 'clear';
        else if (enc && (await this.open(enc)) === device.localPassword) c.foundIn = 'encrypted';
        else lost.push(`${device.name} (${device.mode})`);
      }
      if (o.withHistory) {
        const opened = await Promise.all(hist.map((h) => this.open(h)));
        c.historyDecrypts = opened.every((p) => p !== undefined);
        const before = o.previous?.get(lower(device.name));
        if (before !== undefined) c.historyHoldsPrevious = opened.includes(before);
      }
      census.computers.set(lower(device.name), c);
    }
    const seen: string[] = [];
    for (const e of await search(this.plainUser)) {
      const visible = all.filter((a) => (e.attributes[lower(a)] ?? []).length > 0);
      if (visible.length) seen.push(`${firstString(e, 'cn') ?? e.dn}: ${visible.join(', ')}`);
    }
    this.checks.push(label);
    if (lost.length) throw new Error(`${label}: ${lost.length} device password(s) not retrievable from AD: ${lost.slice(0, 20).join(', ')}`);
    if (seen.length) throw new Error(`${label}: the plain user reads password attributes on ${seen.length} computer(s): ${seen.slice(0, 10).join('; ')}`);
    return census;
  }
}

function safeClear(json: string): string | undefined {
  try {
    return parseLapsPasswordJson(json).password;
  } catch {
    return undefined;
  }
}

/**
 * Progress never goes backwards: a computer the cutover once verified is never reported pending,
 * failed or stuck again. A wave whose start moved later after cleanup changed something (its
 * computers pending until they rotate again) is kept in `restarts` for the test to judge; anything
 * else throws, naming the computers, the wave and its start times.
 */
export class ProgressWatch {
  private readonly verified = new Map<string, { wave: string; startedAt: string | null; at: string }>();
  readonly restarts: Array<{ wave: string; computers: number; from: string | null; to: string | null; after: string[] }> = [];

  see(s: StepRunResult, label: string, earlierSteps: string[]): void {
    if (s.step !== 'cutover') return;
    const waves = (s.result?.data as { waves?: WaveState[] } | undefined)?.waves ?? [];
    const back: string[] = [];
    const cleanupChanged = earlierSteps.includes('cleanup (changed)');
    for (const w of waves) {
      let restarted = 0;
      let from: string | null = null;
      for (const c of w.computers) {
        const before = this.verified.get(c.dn.toLowerCase());
        if (c.state === 'verified') this.verified.set(c.dn.toLowerCase(), { wave: w.name, startedAt: w.startedAt, at: label });
        else if (before && c.state === 'pending' && cleanupChanged && w.startedAt && before.startedAt && w.startedAt > before.startedAt) {
          restarted++;
          from = before.startedAt;
        } else if (before && c.state !== 'left-behind') back.push(`${c.name} ${c.state} (verified ${before.at}, wave ${w.name} start ${before.startedAt} -> ${w.startedAt})`);
      }
      if (restarted) this.restarts.push({ wave: w.name, computers: restarted, from, to: w.startedAt, after: earlierSteps });
    }
    if (back.length) {
      throw new Error(`${label}: ${back.length} verified computer(s) went back (steps run since: ${earlierSteps.join(', ')}): ${back.slice(0, 5).join('; ')}`);
    }
  }
}

/** Drives the migration with a check after every step run and every cycle; returns the loop's result and the last census. */
export async function driveChecked(checker: InvariantChecker, o: DriveOptions & { phase: string; progress?: ProgressWatch }): Promise<DriveResult & { census: Census }> {
  let census: Census | undefined;
  const progress = o.progress ?? new ProgressWatch();
  const since: string[] = [];
  const result = await driveMigration({
    ...o,
    perStep: true,
    afterStep: async (s, round) => {
      const label = `${o.phase}: round ${round}, after ${s.step} (${s.verdict})`;
      // what ran since the previous cutover step (cleanup and cycles in between)
      progress.see(s, label, s.step === 'cutover' ? since.splice(0) : [...since]);
      since.push(`${s.step} (${s.verdict})`);
      census = await checker.check(label);
      await o.afterStep?.(s, round);
    },
    afterCycle: async (c, round) => {
      since.push('a simulator cycle');
      census = await checker.check(`${o.phase}: round ${round}, after simulator cycle (${c.rotated} rotated)`);
      await o.afterCycle?.(c, round);
    },
  });
  return { ...result, census: census! };
}

/** Everything the migration changes reversibly, as comparable strings (DACL bytes in base64, file hashes). */
export async function snapshotConfiguration(admin: LdapDirectory, m: LabManifest): Promise<Map<string, string>> {
  const snap = new Map<string, string>();
  const policies = `CN=Policies,CN=System,${m.baseDn}`;
  const groups: Array<{ base: string; scope: 'base' | 'sub' | 'one'; filter: string; attributes: string[] }> = [
    { base: m.baseDn, scope: 'base', filter: '(objectClass=*)', attributes: ['gPLink', 'gPOptions'] },
    { base: m.baseDn, scope: 'sub', filter: '(objectClass=organizationalUnit)', attributes: ['gPLink', 'gPOptions'] },
    { base: policies, scope: 'one', filter: '(objectClass=groupPolicyContainer)', attributes: ['versionNumber', 'gPCMachineExtensionNames', 'flags'] },
    { base: m.baseDn, scope: 'sub', filter: '(objectCategory=computer)', attributes: [] },
  ];
  for (const g of groups) {
    const found = await admin.searchAll({ ...g, attributes: ['nTSecurityDescriptor', ...g.attributes], binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 4 });
    for (const e of found) {
      snap.set(`dacl ${lower(e.dn)}`, (firstBinary(e, 'nTSecurityDescriptor') ?? Buffer.alloc(0)).toString('base64'));
      for (const a of g.attributes) snap.set(`${a} ${lower(e.dn)}`, (e.attributes[lower(a)] ?? []).map(String).join('|'));
    }
  }
  const top = join(m.sysvol!, m.dnsDomain, 'Policies');
  const walk = (d: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p);
      else snap.set(`file ${relative(top, p)}`, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(top);
  return snap;
}

/** Keys whose values differ between two snapshots (or exist in only one). */
export function snapshotDifferences(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** The computers the seed made that Windows LAPS cannot manage (not Windows, Server 2016, builds below 17763): they must be left behind. */
export function expectedLeftBehind(m: LabManifest): string[] {
  return m.computers
    .filter((c) => {
      const build = Number(/\((\d+)\)/.exec(c.seed.operatingSystemVersion ?? '')?.[1] ?? NaN);
      return !/windows/i.test(c.seed.operatingSystem ?? '') || Number.isNaN(build) || build === 14393 || build < 17763;
    })
    .map((c) => c.name.toLowerCase())
    .sort();
}
