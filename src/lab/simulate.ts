/**
 * `lab simulate`: policy processing cycles for the lab's simulated devices. Each cycle reads the
 * DC and the SYSVOL folder afresh, then runs every selected device on a small pool of LDAPS
 * connections, rebinding as each device's computer account (no process per device).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LdapDirectory } from '../directory/ldap-directory.js';
import { SeedKeyCache } from '../dpapi-ng/seed-key-cache.js';
import { ExitCode, UserError } from '../errors.js';
import { inSubtree, listDevices, writeDevice, type DeviceMode, type DeviceState } from './device-state.js';
import { defaultLabDir, readManifest } from './lab.js';
import type { LabManifest } from './manifest.js';
import { layoutOf } from './provision.js';
import { runDeviceCycle } from './simulate-device.js';
import { readWorld } from './simulate-world.js';

export interface SimulateOptions {
  dir?: string;
  cycles?: number;
  /** Subtree filter (DN). */
  ou?: string;
  /** Device names (cn); empty = all. */
  devices?: string[];
  forceRotate?: boolean;
  /** Work out each device's mode only (used by lab up); nothing is bound or written. */
  evaluateOnly?: boolean;
  /** LDAPS connections shared by the devices (default 8, or LAPS_MIGRATE_SIM_CONNECTIONS). */
  connections?: number;
  log?: (line: string) => void;
}

export interface CycleSummary {
  cycle: number;
  devices: number;
  rotated: number;
  refused: number;
  modes: Partial<Record<DeviceMode, number>>;
  /** Events logged in this cycle by ID. */
  events: Record<string, number>;
  seconds: number;
  /** GPOs whose Registry.pol could not be read (they contributed nothing). */
  gpoProblems: string[];
}

export function labContext(dir?: string): { dir: string; manifest: LabManifest; adminPassword: string } {
  const d = resolve(dir ?? defaultLabDir());
  const manifest = readManifest(d);
  if (!manifest) throw new UserError(`no lab in ${d}`, ExitCode.USAGE, { advice: 'Run "laps-migrate lab up" first.' });
  const admin = manifest.accounts.admin;
  if (!admin) throw new UserError(`the lab in ${d} has no admin account in its manifest`, ExitCode.USAGE);
  return { dir: d, manifest, adminPassword: readFileSync(admin.passwordFile, 'utf8') };
}

export function selectDevices(dir: string, options: { ou?: string; devices?: string[] }): DeviceState[] {
  let all = listDevices(dir);
  if (options.ou) all = all.filter((d) => inSubtree(d.dn, options.ou!));
  const names = (options.devices ?? []).map((n) => n.toUpperCase());
  if (names.length) {
    const missing = names.filter((n) => !all.some((d) => d.name.toUpperCase() === n));
    if (missing.length) throw new UserError(`no device ${missing.join(', ')} in the lab${options.ou ? ` under ${options.ou}` : ''}`, ExitCode.USAGE, { advice: 'List them with "laps-migrate lab devices".' });
    all = all.filter((d) => names.includes(d.name.toUpperCase()));
  }
  return all;
}

export async function simulate(options: SimulateOptions = {}): Promise<CycleSummary[]> {
  const { dir, manifest: m, adminPassword } = labContext(options.dir);
  const devices = selectDevices(dir, options);
  const cycles = options.cycles ?? 1;
  const adminUpn = m.accounts.admin!.userPrincipalName;
  const connect = () => LdapDirectory.connect({ server: m.urls.ldaps, caFile: m.caFile, user: adminUpn, password: adminPassword, warn: () => undefined });
  const admin = await connect();
  const pool: LdapDirectory[] = [];
  const out: CycleSummary[] = [];
  try {
    const wanted = options.connections ?? (Number(process.env.LAPS_MIGRATE_SIM_CONNECTIONS) || 8);
    const size = options.evaluateOnly ? 0 : Math.max(1, Math.min(wanted, devices.length));
    for (let i = 0; i < size; i++) pool.push(await connect());
    const cache = new SeedKeyCache();
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const started = Date.now();
      const world = await readWorld(admin, m, layoutOf(dir).sysvolDir);
      const summary: CycleSummary = { cycle, devices: devices.length, rotated: 0, refused: 0, modes: {}, events: {}, seconds: 0, gpoProblems: world.gpoProblems };
      let next = 0;
      const worker = async (conn: LdapDirectory | undefined) => {
        while (next < devices.length) {
          const d = devices[next++]!;
          const before = d.events.length;
          const r = await runDeviceCycle(d, { world, conn: conn!, admin: { upn: adminUpn, password: adminPassword }, dnsDomain: m.dnsDomain, forceRotate: !!options.forceRotate, evaluateOnly: !!options.evaluateOnly, cache });
          for (const e of d.events.slice(before)) summary.events[e.id] = (summary.events[e.id] ?? 0) + 1;
          if (r.rotated) summary.rotated++;
          if (r.refused) summary.refused++;
          summary.modes[d.mode] = (summary.modes[d.mode] ?? 0) + 1;
          writeDevice(dir, d);
        }
      };
      await Promise.all(options.evaluateOnly ? [worker(undefined)] : pool.map((c) => worker(c)));
      summary.seconds = (Date.now() - started) / 1000;
      options.log?.(`cycle ${cycle}: ${devices.length} devices, ${summary.rotated} rotated, ${summary.refused} refused in ${summary.seconds.toFixed(1)} s`);
      out.push(summary);
    }
  } finally {
    await Promise.all([admin, ...pool].map((c) => c.close().catch(() => undefined)));
  }
  return out;
}
