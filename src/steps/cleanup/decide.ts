/**
 * Cleanup's decisions, pure (issue 18): which computers may lose their legacy (or clear-text
 * Windows LAPS) password, which OUs may lose their legacy delegations, which legacy GPO links may
 * go (or which GPOs only lose their AdmPwd values), and why anything else stays. The caller reads
 * the directory and SYSVOL; these functions only weigh the facts.
 *
 * A computer depends on legacy unless the cutover verifies it (a Windows LAPS password of the
 * policy's kind written after the wave started and after its last legacy write) and no legacy
 * policy reaches it for another account (side-by-side keeps the legacy password live). Never
 * managed and non-Windows computers holding no legacy value do not depend on it.
 */
import { isUnder } from '../../directory/dn.js';
import type { ComputerState, LeftBehindReason } from '../cutover/verify.js';
import type { Tri } from '../emulation/policy.js';

export interface CleanupComputer {
  dn: string;
  name: string;
  dc: boolean;
  windows: boolean;
  /** The cutover's state, or 'not-in-wave' for computers no wave holds. */
  state: ComputerState | 'not-in-wave';
  leftBehind?: LeftBehindReason;
  /** ms-Mcs-AdmPwd present (filter-only); null when the bound account cannot tell. */
  legacyPresent: boolean | null;
  legacyExpirationPresent: boolean;
  /** msLAPS-Password present (filter-only); null when the bound account cannot tell. */
  clearPresent: boolean | null;
  /** msLAPS-PasswordExpirationTime set (Windows LAPS manages it). */
  windowsManaged: boolean;
  /** The encrypted password verifies once a leftover msLAPS-Password is set aside. */
  encryptedVerified: boolean;
  /** An enabled legacy policy reaches it ('unknown' without SYSVOL) and the account it manages (undefined = built-in). */
  legacyPolicy: Tri;
  legacyAccount?: string | undefined;
  /** msLAPS-EncryptedDSRMPassword present (DCs only; null when unknown). */
  dsrmPresent: boolean | null;
}

export interface CleanupPolicy {
  transition: 'replace' | 'side-by-side';
  /** The account Windows LAPS manages; '' = the built-in Administrator. */
  accountName: string;
  /** The policy encrypts (backup to AD with encryption). */
  encryption: boolean;
  clearLegacyPasswords: boolean;
  removeClearTextWindowsLaps: boolean;
}

/** Why a computer keeps a clear-text password (or depends on legacy). */
export type KeepReason = 'left-behind' | 'pending' | 'failed' | 'stuck' | 'not-in-wave' | 'side-by-side' | 'policy-unknown' | 'option-off' | 'clear-text-policy' | 'not-verified';

export interface ComputerDecision {
  dependsOnLegacy: boolean;
  clearLegacy: boolean;
  clearWindows: boolean;
  /** Why the legacy password stays (when it is present and not cleared). */
  legacyKept?: KeepReason;
  /** Why msLAPS-Password stays (when present and not cleared). */
  windowsKept?: KeepReason;
  /** One sentence for the report. */
  why: string;
}

function sameAccount(legacy: string | undefined, windows: string): boolean {
  const norm = (a: string | undefined) => (a ?? '').trim().toLowerCase();
  // both empty = the built-in Administrator on both sides
  return norm(legacy) === norm(windows);
}

/** A legacy policy still manages a live password on this computer for another account (or may: unknown). */
function sideBySide(c: CleanupComputer, p: CleanupPolicy): 'side-by-side' | 'policy-unknown' | undefined {
  if (c.legacyPolicy === 'no') return undefined;
  if (c.legacyPolicy === 'unknown') return 'policy-unknown';
  if (p.transition === 'side-by-side' || !sameAccount(c.legacyAccount, p.accountName)) return 'side-by-side';
  return undefined;
}

const STATE_TEXT: Record<ComputerState | 'not-in-wave', string> = {
  verified: 'verified on Windows LAPS',
  pending: 'pending: its wave started but no Windows LAPS password is written yet',
  failed: 'failed: the cutover could not verify its Windows LAPS password',
  stuck: 'stuck: nothing written past its expiry plus grace',
  'left-behind': 'left behind by the cutover',
  'not-in-wave': 'in no wave of the playbook',
};

export function decideComputer(c: CleanupComputer, p: CleanupPolicy): ComputerDecision {
  const holdsLegacy = c.legacyPresent === true || c.legacyExpirationPresent;
  const verified = c.state === 'verified';
  const sbs = verified ? sideBySide(c, p) : undefined;
  let dependsOnLegacy: boolean;
  if (verified) dependsOnLegacy = !!sbs;
  else if (c.state === 'left-behind' && c.leftBehind === 'not-windows') dependsOnLegacy = holdsLegacy;
  else if (c.state === 'not-in-wave') dependsOnLegacy = holdsLegacy || (c.windows && !c.dc && c.legacyPolicy !== 'no');
  else dependsOnLegacy = true;

  const clearLegacy = verified && !sbs && p.clearLegacyPasswords && holdsLegacy;
  const clearWindows = p.removeClearTextWindowsLaps && p.encryption && c.encryptedVerified && c.clearPresent === true;

  let legacyKept: KeepReason | undefined;
  if (holdsLegacy && !clearLegacy) {
    if (verified) legacyKept = sbs ?? 'option-off';
    else legacyKept = c.state as Exclude<typeof c.state, 'verified'>;
  }
  let windowsKept: KeepReason | undefined;
  if (c.clearPresent === true && !clearWindows) {
    windowsKept = !p.encryption ? 'clear-text-policy' : !c.encryptedVerified ? 'not-verified' : 'option-off';
  }
  let why = STATE_TEXT[c.state];
  if (c.leftBehind) why = `${why} (${c.leftBehind})`;
  if (sbs === 'side-by-side') why = `${why}; a legacy policy still manages ${c.legacyAccount ? `account "${c.legacyAccount}"` : 'the built-in Administrator'} beside it (side-by-side)`;
  if (sbs === 'policy-unknown') why = `${why}; a legacy GPO may still reach it (its settings are unknown without SYSVOL)`;
  return { dependsOnLegacy, clearLegacy, clearWindows, ...(legacyKept ? { legacyKept } : {}), ...(windowsKept ? { windowsKept } : {}), why };
}

/** The computers below a container (its subtree) that still depend on legacy. */
export function dependentsUnder(container: string, computers: ReadonlyArray<{ c: CleanupComputer; d: ComputerDecision }>): CleanupComputer[] {
  return computers.filter((x) => x.d.dependsOnLegacy && isUnder(x.c.dn, container)).map((x) => x.c);
}

/** A legacy LAPS GPO as cleanup sees it. */
export interface LegacyGpo {
  guid: string;
  name: string;
  /** Only AdmPwd values (and the CSE pairs they need): 'unknown' without SYSVOL. */
  legacyOnly: Tri;
  /** Containers whose gPLink names it (enabled or not). */
  links: string[];
}

export interface GpoDecision {
  gpo: LegacyGpo;
  /** Link targets to unlink (legacy-only GPOs). */
  unlink: string[];
  /** Remove the AdmPwd values from its Registry.pol (GPOs with other settings, no link needed any more). */
  removeValues: boolean;
  /** Links kept, with why. */
  kept: Array<{ at: string; why: string }>;
}

/** `scope`: the --ou DN; a link above or beside it reaches computers this run did not read: kept. */
export function decideGpo(g: LegacyGpo, needers: (container: string) => CleanupComputer[], scope?: string): GpoDecision {
  const unlink: string[] = [];
  const kept: GpoDecision['kept'] = [];
  const free: string[] = [];
  for (const at of g.links) {
    if (scope && !isUnder(at, scope)) {
      kept.push({ at, why: 'linked outside --ou: computers there were not read' });
      continue;
    }
    const needs = needers(at);
    if (needs.length) kept.push({ at, why: `${needs.length} computer(s) below still depend on legacy (e.g. ${needs.slice(0, 3).map((c) => c.name).join(', ')})` });
    else free.push(at);
  }
  let removeValues = false;
  if (g.legacyOnly === 'yes') unlink.push(...free);
  else if (g.legacyOnly === 'no') {
    if (kept.length === 0 && free.length) removeValues = true;
    else for (const at of free) kept.push({ at, why: 'the GPO carries other settings and another link still needs its AdmPwd values' });
  } else {
    for (const at of free) kept.push({ at, why: 'its settings are unknown without SYSVOL (--sysvol): whether it carries other settings cannot be told' });
  }
  return { gpo: g, unlink, removeValues, kept };
}
