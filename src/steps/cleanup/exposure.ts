/**
 * The final exposure (issue 18, "The final exposure report"), pure: after this run, which
 * clear-text passwords remain in AD (ms-Mcs-AdmPwd and msLAPS-Password) per OU and why, who can
 * still read them and by which route (the permissions analysis' holders of the OU), computers
 * never managed, and domain controllers without a DSRM backup. Presence only (filters): never a
 * password. A computer whose clearing this plan makes counts as cleared only once it is applied.
 */
import { friendlyPath, parentDn } from '../../directory/dn.js';
import type { Capability, ContainerRecord, Tier } from '../permissions/model.js';
import type { CleanupComputer, ComputerDecision, KeepReason } from './decide.js';

export const KEEP_TEXT: Record<KeepReason, string> = {
  'left-behind': 'left behind (no Windows LAPS on it, or disabled/stale)',
  pending: 'pending (its wave has not started, or it has written no Windows LAPS password since)',
  failed: 'failed verification',
  stuck: 'stuck (nothing written past expiry plus grace)',
  'not-in-wave': 'in no wave of the playbook',
  'side-by-side': 'a legacy policy still manages another account on it (side-by-side)',
  'policy-unknown': 'a legacy GPO may still reach it (settings unknown without SYSVOL)',
  'option-off': 'verified, but this part of cleanup is switched off',
  'clear-text-policy': 'the Windows LAPS policy stores clear text (encryption off)',
  'not-verified': 'its encrypted password is not verified yet',
};

export interface RemainingRow {
  computer: string;
  ou: string;
  attribute: 'ms-Mcs-AdmPwd' | 'msLAPS-Password';
  /** Planned for clearing by this plan (gone once applied with --confirm-irreversible). */
  plannedClear: boolean;
  reason: KeepReason | 'planned';
  why: string;
  dn: string;
}

export interface OuExposure {
  ou: string;
  dn: string;
  legacy: number;
  windowsClear: number;
  plannedClear: number;
  reasons: Partial<Record<KeepReason, number>>;
}

export interface ReaderRow {
  ou: string;
  attribute: 'ms-Mcs-AdmPwd' | 'msLAPS-Password';
  principal: string;
  tier: Tier;
  route: string;
  definedAt: string;
}

export interface Exposure {
  remaining: RemainingRow[];
  perOu: OuExposure[];
  readers: ReaderRow[];
  neverManaged: Array<{ computer: string; ou: string; state: string; dn: string }>;
  dcsWithoutDsrm: Array<{ computer: string; dn: string; known: boolean }>;
  counts: { legacyRemaining: number; windowsClearRemaining: number; plannedClear: number; nonAdminReaders: number; neverManaged: number; dcsWithoutDsrm: number };
}

const ADMIN_TIERS = new Set<Tier>(['admin', 'dc', 'self']);
const CAP: Record<RemainingRow['attribute'], Capability> = { 'ms-Mcs-AdmPwd': 'readLegacy', 'msLAPS-Password': 'readWindowsClear' };

export function buildExposure(baseDn: string, rows: ReadonlyArray<{ c: CleanupComputer; d: ComputerDecision }>, containers: ReadonlyMap<string, ContainerRecord>): Exposure {
  const remaining: RemainingRow[] = [];
  for (const { c, d } of rows) {
    const ou = friendlyPath(parentDn(c.dn), baseDn);
    const base = { computer: c.name, ou, dn: c.dn };
    if (c.legacyPresent === true) {
      remaining.push(d.clearLegacy ? { ...base, attribute: 'ms-Mcs-AdmPwd', plannedClear: true, reason: 'planned', why: 'verified on Windows LAPS: cleared by this plan (irreversible)' } : { ...base, attribute: 'ms-Mcs-AdmPwd', plannedClear: false, reason: d.legacyKept ?? 'not-in-wave', why: d.why });
    }
    if (c.clearPresent === true) {
      remaining.push(d.clearWindows ? { ...base, attribute: 'msLAPS-Password', plannedClear: true, reason: 'planned', why: 'encrypted password verified: cleared by this plan (irreversible)' } : { ...base, attribute: 'msLAPS-Password', plannedClear: false, reason: d.windowsKept ?? 'not-verified', why: KEEP_TEXT[d.windowsKept ?? 'not-verified'] });
    }
  }
  const perOuMap = new Map<string, OuExposure>();
  for (const r of remaining) {
    const dn = parentDn(r.dn);
    let o = perOuMap.get(dn.toLowerCase());
    if (!o) perOuMap.set(dn.toLowerCase(), (o = { ou: r.ou, dn, legacy: 0, windowsClear: 0, plannedClear: 0, reasons: {} }));
    if (r.plannedClear) {
      o.plannedClear++;
      continue;
    }
    if (r.attribute === 'ms-Mcs-AdmPwd') o.legacy++;
    else o.windowsClear++;
    const k = r.reason as KeepReason;
    o.reasons[k] = (o.reasons[k] ?? 0) + 1;
  }
  const perOu = [...perOuMap.values()].sort((a, b) => b.legacy + b.windowsClear - (a.legacy + a.windowsClear) || a.ou.localeCompare(b.ou));

  // who can read what remains (after this plan), per OU and attribute, admins apart
  const readers: ReaderRow[] = [];
  for (const o of perOu) {
    const rec = containers.get(o.dn.toLowerCase());
    if (!rec) continue;
    for (const attribute of ['ms-Mcs-AdmPwd', 'msLAPS-Password'] as const) {
      if ((attribute === 'ms-Mcs-AdmPwd' ? o.legacy : o.windowsClear) === 0) continue;
      for (const h of rec.holders[CAP[attribute]]) {
        if (ADMIN_TIERS.has(h.tier)) continue;
        readers.push({ ou: o.ou, attribute, principal: h.name, tier: h.tier, route: h.route ?? h.routes.join(', '), definedAt: h.definedAt ?? '' });
      }
    }
  }
  const neverManaged = rows
    .filter(({ c }) => c.windows && !c.dc && c.legacyPresent !== true && !c.legacyExpirationPresent && !c.windowsManaged && c.clearPresent !== true)
    .map(({ c }) => ({ computer: c.name, ou: friendlyPath(parentDn(c.dn), baseDn), state: c.state, dn: c.dn }));
  const dcsWithoutDsrm = rows.filter(({ c }) => c.dc && c.dsrmPresent !== true).map(({ c }) => ({ computer: c.name, dn: c.dn, known: c.dsrmPresent === false }));
  const kept = remaining.filter((r) => !r.plannedClear);
  return {
    remaining,
    perOu,
    readers,
    neverManaged,
    dcsWithoutDsrm,
    counts: {
      legacyRemaining: kept.filter((r) => r.attribute === 'ms-Mcs-AdmPwd').length,
      windowsClearRemaining: kept.filter((r) => r.attribute === 'msLAPS-Password').length,
      plannedClear: remaining.length - kept.length,
      nonAdminReaders: new Set(readers.map((r) => r.principal)).size,
      neverManaged: neverManaged.length,
      dcsWithoutDsrm: dcsWithoutDsrm.length,
    },
  };
}
