/**
 * The inventory as data: per-computer records (LAPS state, health, OS readiness), GPOs, per-OU
 * rollups and the summary, with the constant lists reports iterate over.
 */
import type { OsReadiness } from '../../laps/os-readiness.js';
import type { GpoLapsKind } from '../../laps/gpo-links.js';
import type { ComputerFacts } from '../../directory/computers.js';

export type { ComputerFacts };

export type LapsState = 'legacy' | 'windows-clear' | 'windows-encrypted' | 'both' | 'none';
export type Health = 'rotating' | 'due' | 'overdue' | 'never-managed' | 'unknown';

export interface ComputerRecord {
  name: string;
  dn: string;
  ou: string;
  ouPath: string;
  dnsHostName: string;
  operatingSystem: string;
  operatingSystemVersion: string;
  build: number | null;
  osReadiness: OsReadiness;
  osReason: string;
  enabled: boolean;
  domainController: boolean;
  stale: boolean;
  lastLogon: string | null;
  daysSinceLogon: number | null;
  whenCreated: string | null;
  creatorSid: string | null;
  state: LapsState;
  health: Health;
  expires: string | null;
  /** Days since the managed password was last written (replication metadata), if known. */
  passwordAgeDays: number | null;
  legacyExpires: string | null;
  legacyPasswordPresent: boolean | null;
  legacyPasswordChanges: number | null;
  windowsExpires: string | null;
  windowsClearPresent: boolean | null;
  windowsEncryptedPresent: boolean | null;
  windowsPasswordUpdated: string | null;
  historyCount: number | null;
  dsrmPresent: boolean | null;
  legacyGpos: string[];
}

export interface InventoryOptions {
  now: Date;
  staleDays: number;
  /** Days past expiry before a password counts as overdue (not rotating). */
  graceDays: number;
}


export interface GpoFacts {
  dn: string;
  guid: string;
  displayName: string;
  kinds: GpoLapsKind[];
  /** flags bit 1: computer configuration disabled. */
  computerSettingsDisabled: boolean;
}

export interface GpoRecord extends GpoFacts {
  links: Array<{ at: string; atPath: string; enforced: boolean; disabled: boolean }>;
  computersReached: number;
  legacyComputersReached: number;
}

/** What is counted per OU and for the whole inventory alike. */
export interface ComputerCounts {
  computers: number;
  enabled: number;
  disabled: number;
  stale: number;
  domainControllers: number;
  states: Record<LapsState, number>;
  health: Record<Health, number>;
  readiness: Record<OsReadiness, number>;
}

export interface OuRecord extends ComputerCounts {
  dn: string;
  path: string;
  blocksInheritance: boolean;
  legacyGpos: string[];
}

export interface InventorySummary extends ComputerCounts {
  ous: number;
  gpos: { legacyLaps: number; adminTemplates: number; total: number };
  /** Whether the bound account could see password presence (else states come from expiry and metadata). */
  presenceReadable: { legacy: boolean; windowsClear: boolean; windowsEncrypted: boolean };
  passwordAgeHistogram: Array<{ label: string; count: number }>;
}

export const STATES: LapsState[] = ['legacy', 'windows-clear', 'windows-encrypted', 'both', 'none'];
export const HEALTHS: Health[] = ['rotating', 'due', 'overdue', 'never-managed', 'unknown'];
export const READINESS: OsReadiness[] = ['supported', 'supported-if-patched', 'unsupported', 'not-windows', 'unknown'];
