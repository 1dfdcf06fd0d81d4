/** How the permissions step reads in a terminal: summary, findings, predictions and the plan tables. */
import type { Plan } from '../../journal/index.js';
import { renderPlan } from '../../journal/index.js';
import { describeDescriptor } from '../../security/descriptor-sddl-text.js';
import type { PermissionsResult } from '../permissions.js';

function table(rows: string[][]): string[] {
  if (!rows.length) return [];
  const widths = rows[0]!.map((_, i) => Math.min(60, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

export function permissionsText(result: PermissionsResult, plan: Plan): string[] {
  const d = result.data;
  const s = d.summary;
  const lines = [
    `Permissions in ${result.target.domain}: ${s.computers} computers in ${s.containers} containers${s.perComputer ? ' (every computer descriptor read)' : ''}`,
    s.windowsLapsSchema
      ? `  SELF: ${s.self.windowsMissingComputers} computer(s) in ${s.self.windowsMissingContainers} container(s) cannot write Windows LAPS; ${s.self.legacyMissingComputers} legacy-managed computer(s) cannot write legacy LAPS`
      : `  SELF: Windows LAPS schema not extended; ${s.self.legacyMissingComputers} legacy-managed computer(s) cannot write legacy LAPS`,
    `  non-admin readers: ${s.nonAdminLegacyReaders} legacy, ${s.nonAdminWindowsReaders} Windows LAPS; gaps: ${s.readGaps} read, ${s.resetGaps} reset`,
    `  risky: ${s.risky.allExtendedRights} All Extended Rights, ${s.risky.fullControl} full control, ${s.risky.ownerCanRead} computer(s) owned by non-admins, ${s.risky.dirSync} DirSync reader(s)`,
    '',
    'Findings:',
    ...result.findings.map((f) => `  [${f.severity}] ${f.code}: ${f.message}`),
    '',
  ];
  for (const p of d.predictions) {
    lines.push(`What ${p.account} can do (${s.perComputer ? "each computer's own descriptor" : "from each computer's OU; --per-computer reads the computers' own descriptors"}):`);
    for (const cap of ['readLegacy', 'readWindowsClear', 'readWindowsEncrypted', 'resetLegacy', 'resetWindows'] as const) {
      const names = p.computers.filter((c) => c[cap]).map((c) => c.name);
      lines.push(`  ${cap.padEnd(21)} ${names.length} computer(s)${names.length ? `: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : ''}`);
    }
    lines.push('');
  }
  if (d.plan.self.length) {
    lines.push('SELF permissions (containers holding computers):');
    lines.push(...table([['OU', 'computers', 'Windows now', 'legacy now', 'action', 'after (Windows / legacy)'], ...d.plan.self.map((r) => [r.container, String(r.computers), r.windowsNow && r.readEncryptedNow ? 'yes' : 'no', r.legacyNow ? 'yes' : 'no', r.action === 'grant' ? `grant ${r.grants.join(' + ')}` : r.action, `${r.windowsAfter && r.readEncryptedAfter ? 'yes' : 'no'} / ${r.legacyAfter ? 'yes' : 'no'}`])]));
    lines.push('');
  }
  if (d.plan.mirror.length) {
    lines.push('Legacy delegations mirrored onto Windows LAPS (same OU):');
    lines.push(...table([['OU', 'principal', 'kind', 'status', 'Windows LAPS ACEs'], ...d.plan.mirror.map((m) => [m.container, m.principal, m.kinds.join('/'), m.status, m.windowsAces.join(' ')])]));
    lines.push('');
  }
  if (d.plan.remediation.length) {
    lines.push('Remediation (opt-in):');
    lines.push(...table(d.plan.remediation.map((x) => [x.kind, x.object, x.principal, x.detail])));
    lines.push('');
  }
  lines.push(renderPlan(plan, { describeDescriptor }).trimEnd());
  return lines;
}
