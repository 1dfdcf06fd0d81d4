/**
 * How cleanup shows itself: findings (stable codes, README "cleanup"), the plan text for a
 * terminal and the final exposure report: a plain-language headline an auditor can read without
 * the earlier reports, then the tables (clear text left per OU and why, who can read it by route,
 * computers never managed, DCs without a DSRM backup, delegations and GPO links removed or kept).
 */
import { friendlyPath } from '../../directory/dn.js';
import { renderPlan, type Plan } from '../../journal/index.js';
import type { Finding, StepResult } from '../../model/step-result.js';
import type { ReportModel } from '../../report/model.js';
import type { GpoDecision } from './decide.js';
import { KEEP_TEXT, type Exposure } from './exposure.js';
import type { OuDecision } from './plan-changes.js';

export interface CleanupData {
  summary: {
    computers: number;
    verified: number;
    legacyClears: number;
    windowsClears: number;
    delegationsRemoved: number;
    delegationsKept: number;
    gpoLinksRemoved: number;
    gpoValuesRemoved: number;
  };
  ous: Array<OuDecision & { path: string }>;
  gpos: Array<{ name: string; guid: string; legacyOnly: string; unlink: string[]; removeValues: boolean; kept: GpoDecision['kept'] }>;
  exposure: Exposure;
  presenceReadable: { legacy: boolean; clear: boolean; dsrm: boolean };
  sysvol: boolean;
  /** Notes of the GPO writer (which DC, which SYSVOL folder). */
  gpoNotes: string[];
}

function plural(n: number, w: string): string {
  return `${n} ${w}${n === 1 ? '' : 's'}`;
}

export function cleanupFindings(d: CleanupData, o: { waves: number; windowsLapsSchema: boolean; legacyBlocked: boolean; baseDn: string }): Finding[] {
  const f: Finding[] = [];
  const base = o.baseDn;
  const x = d.exposure;
  if (!o.windowsLapsSchema)
    f.push({ code: 'CLEANUP_NO_WINDOWS_LAPS', severity: 'blocker', object: 'schema', message: 'The Windows LAPS schema is not extended: no computer can be verified on Windows LAPS, so nothing may be cleaned up.', advice: 'Run the schema, permissions and cutover steps first.' });
  if (o.legacyBlocked)
    f.push({ code: 'CLEANUP_LEGACY_UNREADABLE', severity: 'blocker', object: 'ms-Mcs-AdmPwd', message: 'The bound account cannot read ms-Mcs-AdmPwd (its presence filter matches nothing while legacy expiration times exist): a clear conditional on the value read just before is impossible.', advice: 'Run cleanup as an account that may read the legacy passwords (e.g. a Domain Admin), or set clearLegacyPasswords: false.' });
  if (o.waves === 0) f.push({ code: 'CLEANUP_NO_WAVES', severity: 'info', object: 'playbook', message: 'The playbook has no waves: no computer is verified on Windows LAPS, nothing of legacy LAPS is removed.', advice: 'Give cleanup the playbook the cutover runs with (--playbook).' });
  if (x.counts.legacyRemaining)
    f.push({ code: 'CLEANUP_LEGACY_REMAINING', severity: 'warning', object: 'computers', count: x.counts.legacyRemaining, message: `${plural(x.counts.legacyRemaining, 'computer')} ${x.counts.legacyRemaining === 1 ? 'keeps' : 'keep'} a clear-text legacy password (ms-Mcs-AdmPwd) after this run.`, evidence: reasonText(x, 'ms-Mcs-AdmPwd'), advice: 'Left-behind computers keep legacy LAPS on purpose; pending, failed and stuck ones are cleaned by a later cleanup once the cutover verifies them.' });
  if (x.counts.windowsClearRemaining)
    f.push({ code: 'CLEANUP_CLEAR_TEXT_REMAINING', severity: 'warning', object: 'computers', count: x.counts.windowsClearRemaining, message: `${plural(x.counts.windowsClearRemaining, 'computer')} ${x.counts.windowsClearRemaining === 1 ? 'keeps' : 'keep'} a clear-text msLAPS-Password after this run.`, evidence: reasonText(x, 'msLAPS-Password'), advice: 'Encrypt Windows LAPS passwords (policy.encryption) and set cleanup.removeClearTextWindowsLaps once the encrypted ones are verified.' });
  if (x.counts.plannedClear)
    f.push({ code: 'CLEANUP_CLEAR_PLANNED', severity: 'info', object: 'computers', count: x.counts.plannedClear, message: `${plural(x.counts.plannedClear, 'clear-text password')} on verified computers are cleared by this plan (irreversible).`, advice: 'Apply with --apply --confirm-irreversible (--yes never covers it); password get keeps returning the Windows LAPS password.' });
  if (x.readers.length)
    f.push({ code: 'CLEANUP_NON_ADMIN_READERS', severity: 'warning', object: [...new Set(x.readers.map((r) => r.ou))].join('; '), count: x.counts.nonAdminReaders, message: `${plural(x.counts.nonAdminReaders, 'non-admin principal')} can still read clear-text passwords that remain.`, evidence: [...new Set(x.readers.map((r) => `${r.principal} (${r.route}) on ${r.ou}`))].slice(0, 10).join('; '), advice: 'Readers by delegation lose it when the last legacy computer below migrates and cleanup removes the delegation; full control, all extended rights and owner routes are no LAPS delegation: review them with `permissions` (--remove-all-extended-rights, --fix-owners).' });
  if (x.counts.neverManaged)
    f.push({ code: 'CLEANUP_NEVER_MANAGED', severity: 'warning', object: 'computers', count: x.counts.neverManaged, message: `${plural(x.counts.neverManaged, 'Windows computer')} (not DCs) have never had a LAPS password in AD.`, evidence: x.neverManaged.slice(0, 10).map((c) => c.computer).join(', '), advice: 'Put their OUs in a wave, or find out why no policy reaches them.' });
  if (x.counts.dcsWithoutDsrm)
    f.push({ code: 'CLEANUP_DSRM_NOT_BACKED_UP', severity: 'warning', object: 'domain controllers', count: x.counts.dcsWithoutDsrm, message: `${plural(x.counts.dcsWithoutDsrm, 'domain controller')} ${x.counts.dcsWithoutDsrm === 1 ? 'has' : 'have'} no DSRM password backup (msLAPS-EncryptedDSRMPassword)${d.presenceReadable.dsrm ? '' : ' as far as the bound account can tell'}.`, evidence: x.dcsWithoutDsrm.map((c) => c.computer).join(', '), advice: 'Set policy.backupDsrm: true in a GPO reaching the Domain Controllers OU (needs encryption, DFL 2016).' });
  for (const ou of d.ous.filter((u) => !u.remove))
    f.push({ code: 'CLEANUP_DELEGATION_KEPT', severity: 'info', object: ou.dn, message: `${ou.path}: legacy delegations (${ou.delegations.join(', ')}) stay: ${ou.why}.`, advice: 'A later cleanup removes them once every computer below is verified.' });
  for (const g of d.gpos) for (const k of g.kept) f.push({ code: 'CLEANUP_GPO_KEPT', severity: 'info', object: g.name, message: `legacy GPO ${g.name} stays linked on ${friendlyPath(k.at, base)}: ${k.why}.`, advice: 'GPOs are never deleted; a later cleanup unlinks it once nothing below needs it.' });
  if (!d.sysvol && d.gpos.some((g) => g.legacyOnly === 'unknown'))
    f.push({ code: 'CLEANUP_SYSVOL_NEEDED', severity: 'warning', object: 'SYSVOL', message: 'Without SYSVOL the legacy GPOs\' settings are unknown: none is unlinked and computers a legacy GPO may reach keep their legacy password.', advice: 'Pass --sysvol PATH (or set sysvol in the profile).' });
  if (!d.presenceReadable.clear) f.push({ code: 'CLEANUP_PRESENCE_UNKNOWN', severity: 'warning', object: 'msLAPS-Password', message: 'The bound account cannot tell which computers hold a clear-text msLAPS-Password (a confidential attribute\'s presence filter matches nothing for it).', advice: 'Run as an account that may read msLAPS-Password for a complete exposure report.' });
  return f;
}

function reasonText(x: Exposure, attribute: string): string {
  const counts = new Map<string, number>();
  for (const r of x.remaining) if (r.attribute === attribute && !r.plannedClear) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

export function cleanupText(result: StepResult<CleanupData>, plan: Plan): string[] {
  const d = result.data;
  const s = d.summary;
  const x = d.exposure.counts;
  const lines = [
    `Cleanup of ${result.target.scope ?? result.target.baseDn}: ${s.verified} of ${s.computers} computer(s) verified on Windows LAPS.`,
    `  plan: clear ${plural(s.legacyClears, 'legacy password')} (irreversible), ${s.windowsClears} clear-text msLAPS-Password (irreversible); remove legacy delegations on ${plural(s.delegationsRemoved, 'OU')} (${s.delegationsKept} kept); ${plural(s.gpoLinksRemoved, 'legacy GPO link')} removed, ${plural(s.gpoValuesRemoved, 'GPO')} stripped of AdmPwd values`,
    `  exposure after this plan: ${x.legacyRemaining} legacy and ${x.windowsClearRemaining} msLAPS-Password clear-text password(s) remain; ${x.nonAdminReaders} non-admin reader(s); ${x.neverManaged} computer(s) never managed; ${x.dcsWithoutDsrm} DC(s) without a DSRM backup`,
  ];
  for (const o of d.exposure.perOu.filter((p) => p.legacy + p.windowsClear > 0).slice(0, 20)) {
    lines.push(`    ${o.ou}: ${o.legacy} legacy, ${o.windowsClear} msLAPS-Password (${Object.entries(o.reasons).map(([k, n]) => `${n} ${k}`).join(', ')})`);
  }
  for (const f of result.findings) lines.push(`[${f.severity}] ${f.code}: ${f.message}${f.evidence ? ` (${f.evidence})` : ''}\n    -> ${f.advice}`);
  lines.push(...d.gpoNotes);
  if (plan.changes.length) lines.push(renderPlan(plan));
  return lines;
}

export function cleanupReport(result: StepResult<CleanupData>): ReportModel {
  const d = result.data;
  const x = d.exposure;
  const c = x.counts;
  const left = c.legacyRemaining + c.windowsClearRemaining;
  const base = result.target.baseDn;
  return {
    step: 'cleanup',
    title: 'Cleanup and final exposure',
    generatedAt: result.generatedAt,
    toolVersion: result.tool.version,
    target: result.target,
    headline: [
      { label: 'Clear-text passwords left in AD', value: left, tone: left ? 'warn' : 'good', detail: `${c.legacyRemaining} legacy (ms-Mcs-AdmPwd), ${c.windowsClearRemaining} msLAPS-Password${c.plannedClear ? `; ${c.plannedClear} more are cleared once this plan is applied` : ''}` },
      { label: 'Non-admins who can read them', value: c.nonAdminReaders, tone: c.nonAdminReaders ? 'bad' : 'good', detail: 'principals other than admins, DCs and the computer itself' },
      { label: 'Computers never managed', value: c.neverManaged, tone: c.neverManaged ? 'warn' : 'good', detail: 'Windows computers (not DCs) without any LAPS password in AD' },
      { label: 'DCs without a DSRM backup', value: c.dcsWithoutDsrm, tone: c.dcsWithoutDsrm ? 'warn' : 'good', detail: 'no msLAPS-EncryptedDSRMPassword' },
      { label: 'Verified on Windows LAPS', value: d.summary.verified, tone: 'neutral', detail: `of ${d.summary.computers} computers in scope` },
    ],
    charts: [
      {
        kind: 'stacked-bar',
        id: 'clear-text-by-ou',
        title: 'Clear-text passwords left, by OU',
        series: [{ label: 'legacy', tone: 'warn' }, { label: 'msLAPS-Password', tone: 'bad' }],
        bars: x.perOu.filter((o) => o.legacy + o.windowsClear > 0).map((o) => ({ label: o.ou, values: [o.legacy, o.windowsClear] })),
      },
    ],
    tables: [
      {
        id: 'exposure-by-ou',
        title: 'Clear-text passwords left, per OU, and why',
        description: 'Counts after this plan is applied. Why: left behind = the computer cannot run Windows LAPS (or is disabled/stale) and keeps legacy LAPS on purpose; pending/failed/stuck = its wave started and the cutover has not verified it yet.',
        columns: [{ key: 'ou', label: 'OU' }, { key: 'legacy', label: 'Legacy', numeric: true }, { key: 'windowsClear', label: 'msLAPS-Password', numeric: true }, { key: 'why', label: 'Why' }, { key: 'plannedClear', label: 'Cleared by this plan', numeric: true }],
        rows: x.perOu.map((o) => ({ ou: o.ou, legacy: o.legacy, windowsClear: o.windowsClear, why: Object.entries(o.reasons).map(([k, n]) => `${n} ${KEEP_TEXT[k as keyof typeof KEEP_TEXT] ?? k}`).join('; '), plannedClear: o.plannedClear })),
        csvFile: 'exposure-by-ou.csv',
      },
      {
        id: 'readers',
        title: 'Who can still read them, by route',
        description: 'Non-admin principals holding the read right on OUs where clear text remains (from the permissions analysis; admins, DCs and SELF are left out). Route: how the right is granted (delegation, all extended rights, full control, owner...).',
        columns: [{ key: 'ou', label: 'OU' }, { key: 'attribute', label: 'Attribute' }, { key: 'principal', label: 'Principal' }, { key: 'tier', label: 'Kind' }, { key: 'route', label: 'Route' }, { key: 'definedAt', label: 'Granted at' }],
        rows: x.readers.map((r) => ({ ...r })),
        csvFile: 'readers.csv',
      },
      {
        id: 'remaining',
        title: 'Computers holding a clear-text password',
        columns: [{ key: 'computer', label: 'Computer' }, { key: 'ou', label: 'OU' }, { key: 'attribute', label: 'Attribute' }, { key: 'status', label: 'After this plan' }, { key: 'why', label: 'Why' }],
        rows: x.remaining.map((r) => ({ computer: r.computer, ou: r.ou, attribute: r.attribute, status: r.plannedClear ? 'cleared (once applied)' : 'stays', why: r.why })),
        csvFile: 'clear-text.csv',
      },
      { id: 'never-managed', title: 'Computers never managed', columns: [{ key: 'computer', label: 'Computer' }, { key: 'ou', label: 'OU' }, { key: 'state', label: 'Cutover' }], rows: x.neverManaged.map((r) => ({ ...r })), csvFile: 'never-managed.csv' },
      { id: 'dsrm', title: 'Domain controllers without a DSRM backup', columns: [{ key: 'computer', label: 'Domain controller' }, { key: 'known', label: 'Known absent' }], rows: x.dcsWithoutDsrm.map((r) => ({ ...r })), csvFile: 'dcs-without-dsrm.csv' },
      {
        id: 'delegations',
        title: 'Legacy delegations per OU',
        columns: [{ key: 'path', label: 'OU' }, { key: 'delegations', label: 'Legacy ACEs' }, { key: 'action', label: 'This plan' }, { key: 'why', label: 'Why' }],
        rows: d.ous.map((o) => ({ path: o.path, delegations: o.delegations.join(', '), action: o.remove ? 'removed' : 'kept', why: o.why })),
        csvFile: 'delegations.csv',
      },
      {
        id: 'gpos',
        title: 'Legacy LAPS GPOs',
        columns: [{ key: 'name', label: 'GPO' }, { key: 'legacyOnly', label: 'Only legacy LAPS settings' }, { key: 'action', label: 'This plan' }, { key: 'kept', label: 'Links kept' }],
        rows: d.gpos.map((g) => ({ name: g.name, legacyOnly: g.legacyOnly, action: [...g.unlink.map((u) => `unlink from ${friendlyPath(u, base)}`), ...(g.removeValues ? ['remove its AdmPwd values'] : [])].join('; ') || 'nothing', kept: g.kept.map((k) => `${friendlyPath(k.at, base)}: ${k.why}`).join('; ') })),
        csvFile: 'legacy-gpos.csv',
      },
    ],
    findings: result.findings,
    notes: [
      `What this page is: the passwords of local administrator accounts that are still stored readable ("clear text") in Active Directory after the migration to Windows LAPS, where they are, why they are still there, and who can read them. Encrypted Windows LAPS passwords (msLAPS-EncryptedPassword) are readable only by the group they are encrypted to and are not counted as clear text.`,
      'Presence is tested with LDAP filters only: no password was read into this report. A confidential attribute\'s filter matches only what the bound account may read.',
      'Legacy LAPS delegations and GPO links are removed only where no computer below still depends on legacy LAPS; GPOs are never deleted. Every removal is journaled and can be rolled back; clearing a password cannot.',
    ],
    json: result,
  };
}
