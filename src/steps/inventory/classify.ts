/**
 * One computer's facts (as read from AD, no secrets) to its record: which LAPS it uses, whether its
 * password rotates, stale / disabled / DC, OS readiness for Windows LAPS.
 */
import { classifyOs } from '../../laps/os-readiness.js';
import { friendlyPath, parentDn } from '../../directory/dn.js';
import type { ComputerFacts, ComputerRecord, Health, InventoryOptions, LapsState } from './model.js';

const DAY = 86_400_000;
const UAC_DISABLED = 0x2;
const UAC_SERVER_TRUST = 0x2000;

function iso(d: Date | undefined): string | null {
  return d ? d.toISOString() : null;
}

function later(a: { at: Date } | undefined, b: { at: Date } | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return a.at.getTime() > b.at.getTime();
}

export function lapsState(f: ComputerFacts): LapsState {
  const legacy = f.legacyPasswordPresent === true || (f.legacyPasswordPresent === null && f.legacyExpires !== undefined);
  let windows: 'clear' | 'encrypted' | undefined;
  if (f.windowsEncryptedPresent === true) windows = 'encrypted';
  else if (f.windowsClearPresent === true) windows = 'clear';
  else if (f.windowsExpires !== undefined && f.windowsEncryptedPresent === null && f.windowsClearPresent !== false) {
    // values not visible: whichever attribute was written last is the one in use
    windows = later(f.windowsClearWritten, f.windowsEncryptedWritten) ? 'clear' : 'encrypted';
  } else if (f.windowsExpires !== undefined && f.windowsClearPresent === null && f.windowsEncryptedPresent !== false) {
    windows = later(f.windowsEncryptedWritten, f.windowsClearWritten) ? 'encrypted' : 'clear';
  }
  if (legacy && windows) return 'both';
  if (legacy) return 'legacy';
  if (windows === 'clear') return 'windows-clear';
  if (windows === 'encrypted') return 'windows-encrypted';
  return 'none';
}

/** The container a computer is in, worked out once per container (not per computer). */
export interface ContainerOfComputer {
  dn: string;
  path: string;
  legacyGpos: string[];
}

/** `container` defaults to the computer's parent, named relative to `baseDn`, with `legacyGpos`. */
export function classifyComputer(f: ComputerFacts, opts: InventoryOptions, legacyGpos: string[], baseDn: string, container?: ContainerOfComputer): ComputerRecord {
  const os = classifyOs(f.operatingSystem, f.operatingSystemVersion);
  const state = lapsState(f);
  const expiresAt = state === 'legacy' ? f.legacyExpires : state === 'none' ? undefined : (f.windowsExpires ?? f.legacyExpires);
  let health: Health;
  if (state === 'none') health = 'never-managed';
  else if (!expiresAt) health = 'unknown';
  else if (expiresAt.getTime() >= opts.now.getTime()) health = 'rotating';
  else if (opts.now.getTime() - expiresAt.getTime() <= opts.graceDays * DAY) health = 'due';
  else health = 'overdue';
  const lastActivity = f.lastLogon ?? f.whenCreated;
  const stale = lastActivity ? opts.now.getTime() - lastActivity.getTime() > opts.staleDays * DAY : false;
  const written = state === 'legacy' ? f.legacyPasswordWritten : state === 'none' ? undefined : (f.windowsEncryptedWritten ?? f.windowsClearWritten ?? f.legacyPasswordWritten);
  const writtenAt = (state === 'windows-encrypted' || state === 'both') && f.windowsEncryptedUpdated ? f.windowsEncryptedUpdated : written?.at;
  const ou = container?.dn ?? parentDn(f.dn);
  return {
    name: f.name,
    dn: f.dn,
    ou,
    ouPath: container?.path ?? friendlyPath(ou, baseDn),
    dnsHostName: f.dnsHostName ?? '',
    operatingSystem: f.operatingSystem ?? '',
    operatingSystemVersion: f.operatingSystemVersion ?? '',
    build: os.build ?? null,
    osReadiness: os.readiness,
    osReason: os.reason,
    enabled: (f.userAccountControl & UAC_DISABLED) === 0,
    domainController: (f.userAccountControl & UAC_SERVER_TRUST) !== 0,
    stale,
    lastLogon: iso(f.lastLogon),
    daysSinceLogon: f.lastLogon ? Math.floor((opts.now.getTime() - f.lastLogon.getTime()) / DAY) : null,
    whenCreated: iso(f.whenCreated),
    creatorSid: f.creatorSid ?? null,
    state,
    health,
    expires: iso(expiresAt),
    passwordAgeDays: writtenAt ? Math.max(0, Math.floor((opts.now.getTime() - writtenAt.getTime()) / DAY)) : null,
    legacyExpires: iso(f.legacyExpires),
    legacyPasswordPresent: f.legacyPasswordPresent,
    legacyPasswordChanges: f.legacyPasswordWritten?.count ?? null,
    windowsExpires: iso(f.windowsExpires),
    windowsClearPresent: f.windowsClearPresent,
    windowsEncryptedPresent: f.windowsEncryptedPresent,
    windowsPasswordUpdated: iso(f.windowsEncryptedUpdated ?? f.windowsClearWritten?.at),
    historyCount: f.historyCount,
    dsrmPresent: f.dsrmPresent,
    legacyGpos: container?.legacyGpos ?? legacyGpos,
  };
}
