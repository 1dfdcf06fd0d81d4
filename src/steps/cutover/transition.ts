/**
 * The legacy GPO per `cutover.transition` (issue 17, "Starting a wave"). The cutover never edits
 * or unlinks the legacy LAPS GPO; what it checks depends on the playbook:
 *
 * - side-by-side: the legacy GPO stays linked and keeps managing its own account while Windows
 *   LAPS manages a second one, so the two must name different accounts: the legacy policy's
 *   AdminAccountName (not set = the built-in Administrator) against the Windows LAPS policy's
 *   administratorAccountName (empty = the built-in Administrator). The same account is a blocker:
 *   both clients would reset the same password and each store would hold a stale one.
 * - replace: Windows LAPS policy wins on every build that has Windows LAPS (a Windows LAPS GPO
 *   value beats the legacy AdmPwd key, LAPS-FACTS 1), so the legacy GPO can stay as it is; builds
 *   without Windows LAPS (below 17763, and 14393) keep the legacy CSE and its policy: an info
 *   finding lists them so nobody unlinks the legacy GPO while they remain.
 * Pure: the step passes the legacy GPOs reaching the wave (gpo-reach.ts) and the computers.
 */
import type { Finding } from '../../model/step-result.js';
import { hasWindowsLaps } from '../../laps/effective-policy.js';
import type { LegacyGpoReach } from './gpo-reach.js';

export interface TransitionInput {
  wave: string;
  transition: 'replace' | 'side-by-side';
  /** The Windows LAPS policy's account ('' = the built-in Administrator). */
  administratorAccountName: string;
  legacyGpos: readonly LegacyGpoReach[];
  computers: ReadonlyArray<{ name: string; build: number | undefined; windows: boolean }>;
  /** SYSVOL was read (else the legacy GPOs' values are unknown). */
  sysvolRead: boolean;
}

const account = (name: string) => (name === '' ? 'the built-in Administrator' : `"${name}"`);

export function transitionFindings(i: TransitionInput): Finding[] {
  const out: Finding[] = [];
  const w = `wave ${i.wave}`;
  if (i.transition === 'side-by-side') {
    if (!i.sysvolRead) {
      out.push({ code: 'CUTOVER_SIDE_BY_SIDE_UNCHECKED', severity: 'warning', object: i.wave, message: `${w}: side-by-side needs the legacy policy to manage another account than Windows LAPS; without SYSVOL the legacy GPOs' AdminAccountName is unknown.`, advice: 'Give --sysvol (or the profile\'s sysvol) so the cutover reads the legacy GPOs.' });
      return out;
    }
    const wanted = i.administratorAccountName.toLowerCase();
    for (const g of i.legacyGpos.filter((x) => x.enabled && x.adminAccountName.toLowerCase() === wanted)) {
      out.push({
        code: 'CUTOVER_SIDE_BY_SIDE_SAME_ACCOUNT',
        severity: 'blocker',
        object: `${g.name} ${g.guid}`,
        message: `${w}: side-by-side, but the legacy GPO "${g.name}" (linked on ${g.linkedAt.join('; ')}) manages ${account(g.adminAccountName)}, the same account as the Windows LAPS policy: both clients would reset one password and each store would hold a stale one.`,
        evidence: `AdminAccountName=${g.adminAccountName || '(not set)'}; policy.administratorAccountName=${i.administratorAccountName || '(empty)'}`,
        advice: 'Name a second local account in policy.administratorAccountName (create it on the devices first), or use transition: replace.',
      });
    }
    return out;
  }
  const unsupported = i.computers.filter((c) => c.windows && !hasWindowsLaps(c.build));
  if (unsupported.length && i.legacyGpos.some((g) => g.enabled)) {
    const builds = [...new Set(unsupported.map((c) => c.build ?? 'unknown'))].join(', ');
    out.push({
      code: 'CUTOVER_LEGACY_KEPT_FOR_UNSUPPORTED',
      severity: 'info',
      object: i.wave,
      message: `${w}: ${unsupported.length} computer(s) on builds without Windows LAPS (${builds}) keep the legacy CSE and the legacy GPO: ${unsupported.slice(0, 10).map((c) => c.name).join(', ')}${unsupported.length > 10 ? ', …' : ''}.`,
      advice: 'Leave the legacy GPO linked until these computers are upgraded or retired (the cleanup step checks this before it removes anything).',
    });
  }
  return out;
}
