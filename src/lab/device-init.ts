/**
 * The simulated devices' starting state (written by `lab up` from what it seeded) and the
 * lab's file-side snapshot: device files and SYSVOL are saved with the DC snapshot and restored
 * by `lab reset`, so a reset lab is consistent on both sides.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { devicesDir, writeDevice, type DeviceSeed } from './device-state.js';
import type { LabLayout } from './provision.js';

export function writeInitialDevices(labDir: string, seeds: DeviceSeed[], dnsDomain: string): void {
  rmSync(devicesDir(labDir), { recursive: true, force: true });
  for (const s of seeds) {
    writeDevice(labDir, {
      name: s.name,
      dn: s.dn,
      build: s.build,
      os: s.os,
      dc: s.dc,
      cseInstalled: s.cseInstalled,
      mode: 'unmanaged',
      account: s.dc ? 'Administrator (DSRM)' : 'Administrator',
      localPassword: s.localPassword,
      passwordUpdatedAt: null,
      events: [],
      bind: s.machinePassword === null ? { kind: 'lab-admin' } : { kind: 'computer', upn: `${s.name}$@${dnsDomain}`, password: s.machinePassword },
      lastWindowsPolicy: null,
    });
  }
}

const SAVED = ['devices', 'sysvol'];

export function snapshotLabFiles(layout: LabLayout, name = 'seeded'): void {
  const target = join(layout.snapshotsDir, `${name}-files`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true, mode: 0o700 });
  for (const f of SAVED) if (existsSync(join(layout.dir, f))) cpSync(join(layout.dir, f), join(target, f), { recursive: true, preserveTimestamps: true });
}

export function restoreLabFiles(layout: LabLayout, name = 'seeded'): void {
  const source = join(layout.snapshotsDir, `${name}-files`);
  if (!existsSync(source)) return;
  for (const f of SAVED) {
    rmSync(join(layout.dir, f), { recursive: true, force: true });
    if (existsSync(join(source, f))) cpSync(join(source, f), join(layout.dir, f), { recursive: true, preserveTimestamps: true });
  }
}
