/**
 * A simulated device's state: one 0600 JSON file per device in <lab>/devices/ (folder 0700).
 * It holds secrets (the device's local password and its computer account password), like the
 * machine itself would: `lab device` shows the local password (journaled), never the account one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../config/paths.js';
import { ExitCode, UserError } from '../errors.js';

export type DeviceMode = 'legacy-cse' | 'emulation' | 'windows-laps-clear' | 'windows-laps-encrypted' | 'unmanaged' | 'refused';

export interface DeviceEvent {
  /** Windows LAPS event ID (LAPS-FACTS 8), or for source AdmPwd the legacy CSE's. */
  id: number;
  time: string;
  message: string;
  source?: 'LAPS' | 'AdmPwd';
}

export interface DeviceState {
  name: string;
  dn: string;
  build: number | null;
  os: string | null;
  dc: boolean;
  cseInstalled: boolean;
  mode: DeviceMode;
  /** The managed local account. */
  account: string;
  /** The device's real local password (secret). */
  localPassword: string;
  passwordUpdatedAt: string | null;
  events: DeviceEvent[];
  /** How the device binds: its own account (userPrincipalName + password) or, for the lab DC, the lab admin. */
  bind: { kind: 'computer'; upn: string; password: string } | { kind: 'lab-admin' };
  /** What the last Windows LAPS policy was (to rotate when it first applies or its target changes). */
  lastWindowsPolicy: string | null;
  /** DSRM password of a DC device (secret), when it backs it up. */
  dsrmPassword?: string;
}

/** The public view: `lab device` (password revealed, never the account password). */
export type DeviceView = Pick<DeviceState, 'name' | 'dn' | 'build' | 'dc' | 'cseInstalled' | 'mode' | 'account' | 'passwordUpdatedAt' | 'events'> & { password: string | null };

/** What a simulated device starts from (the lab's seeding). Secrets: machinePassword, localPassword. */
export type DeviceSeed = Pick<DeviceState, 'name' | 'dn' | 'build' | 'os' | 'dc' | 'cseInstalled' | 'localPassword'> & {
  /** null: binds as the lab admin (the DC, whose account password Samba keeps in secrets.ldb). */
  machinePassword: string | null;
};

export const MAX_EVENTS = 60;

export function devicesDir(labDir: string): string {
  return join(labDir, 'devices');
}

function fileOf(labDir: string, name: string): string {
  if (!/^[A-Za-z0-9-]{1,15}$/.test(name)) throw new UserError(`"${name}" is not a device name`, ExitCode.USAGE);
  return join(devicesDir(labDir), `${name.toUpperCase()}.json`);
}

export function writeDevice(labDir: string, d: DeviceState): void {
  ensurePrivateDir(devicesDir(labDir));
  if (d.events.length > MAX_EVENTS) d.events = d.events.slice(-MAX_EVENTS);
  writePrivateFile(fileOf(labDir, d.name), `${JSON.stringify(d, null, 2)}\n`);
}

export function readDevice(labDir: string, name: string): DeviceState {
  const f = fileOf(labDir, name);
  if (!existsSync(f)) throw new UserError(`the lab has no device "${name}"`, ExitCode.USAGE, { advice: 'List them with "laps-migrate lab devices".' });
  return JSON.parse(readFileSync(f, 'utf8')) as DeviceState;
}

export function listDevices(labDir: string): DeviceState[] {
  const d = devicesDir(labDir);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(d, f), 'utf8')) as DeviceState);
}

export function deviceView(d: DeviceState): DeviceView {
  return {
    name: d.name,
    dn: d.dn,
    build: d.build,
    dc: d.dc,
    cseInstalled: d.cseInstalled,
    mode: d.mode,
    account: d.account,
    password: d.mode === 'unmanaged' ? null : d.localPassword,
    passwordUpdatedAt: d.passwordUpdatedAt,
    events: d.events,
  };
}

/** `lab devices` rows: never a password. */
export function deviceRow(d: DeviceState): { name: string; dn: string; dc: boolean; build: number | null; mode: DeviceMode; cseInstalled: boolean; lastEvent: DeviceEvent | null } {
  return { name: d.name, dn: d.dn, dc: d.dc, build: d.build, mode: d.mode, cseInstalled: d.cseInstalled, lastEvent: d.events.at(-1) ?? null };
}

/** Case-insensitive "dn is in the subtree of base". */
export function inSubtree(dn: string, base: string): boolean {
  const a = dn.toLowerCase().replace(/\s*,\s*/g, ',');
  const b = base.toLowerCase().replace(/\s*,\s*/g, ',');
  return a === b || a.endsWith(`,${b}`);
}
