/** How the emulation step reads in a terminal: readiness, GPO settings, monitoring, findings, plan. */
import { renderPlan, type Plan } from '../../journal/index.js';
import { describeDescriptor } from '../../security/descriptor-sddl-text.js';
import type { StepResult } from '../../model/step-result.js';
import type { EmulationData } from './analyze.js';

function table(rows: string[][]): string[] {
  if (!rows.length) return [];
  const widths = rows[0]!.map((_, i) => Math.min(48, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

export function monitorLines(d: EmulationData): string[] {
  const m = d.monitor;
  const head = m.start
    ? `Monitoring since ${m.start.at.slice(0, 10)} (${m.start.source === 'since' ? '--since' : `journal run ${m.start.runId}`}), grace ${m.graceDays} day(s): ${m.counts.rotating} rotating, ${m.counts.waiting} not due yet, ${m.counts.stuck} stuck`
    : `Monitoring not started (no --since, no emulation --apply in the journal): ${m.counts.current} current, ${m.counts.overdue} overdue`;
  const lines = [head];
  const stuck = m.rows.filter((r) => r.status === 'stuck' || r.status === 'overdue');
  if (stuck.length) {
    lines.push(...table([['computer', 'OU', 'readiness', 'expired', 'last write', 'writes'], ...stuck.slice(0, 20).map((r) => [r.name, r.containerPath, r.verdict, r.expires?.slice(0, 10) ?? '-', r.lastWrite?.slice(0, 19) ?? 'never', String(r.writes ?? 0)])]));
    if (stuck.length > 20) lines.push(`  ... and ${stuck.length - 20} more (monitoring.csv)`);
  }
  return lines;
}

export function emulationText(result: StepResult<EmulationData>, plan: Plan, monitorOnly: boolean): string[] {
  const d = result.data;
  const v = d.summary.verdicts;
  const lines: string[] = [];
  if (!monitorOnly) {
    lines.push(
      `Legacy emulation readiness in ${result.target.domain}: ${d.summary.computers} computers${d.options.ou ? ` under ${d.options.ou}` : ''}`,
      `  ready ${v.ready}; ready once the legacy SELF permission is granted ${v['needs-self']}; stay on the legacy CSE ${v['stays-legacy']}; Windows LAPS policy ${v['windows-laps']}; pinned off ${v['pinned-off']}`,
      `  no legacy policy ${v['no-legacy-policy']}; DCs ${v['domain-controller']}; not Windows ${v['not-windows']}; unknown ${v.unknown}${v['no-schema'] ? `; legacy schema missing ${v['no-schema']}` : ''}`,
      `  GPO settings: ${d.sysvol.given ? `read from ${d.sysvol.policiesDir}` : 'not read (no --sysvol): AdmPwdEnabled and Windows LAPS GPO values are unknown'}`,
      '',
      'Per OU (ready / needs SELF / stays legacy / Windows LAPS / other):',
      ...table(d.ous.map((o) => [o.path, `${o.counts.ready} / ${o.counts['needs-self']} / ${o.counts['stays-legacy']} / ${o.counts['windows-laps']} / ${o.computers - o.counts.ready - o.counts['needs-self'] - o.counts['stays-legacy'] - o.counts['windows-laps']}`, o.grant ? 'grant legacy SELF' : ''])),
      '',
    );
    if (d.gpos.length) {
      lines.push('LAPS GPOs:', ...table([['GPO', 'linked at', 'legacy', 'Windows LAPS'], ...d.gpos.map((g) => [g.name, g.links, g.legacy, g.windows])]), '');
    }
  }
  lines.push(...monitorLines(d), '', 'Findings:', ...result.findings.map((f) => `  [${f.severity}] ${f.code}: ${f.message}`), '');
  if (!monitorOnly) {
    if (d.options.enabled && d.options.artifacts) lines.push('Artifacts (written into the report folder, artifacts/): Remove-LegacyLapsCse.ps1, Set-LapsEmulationPin.ps1, the two pin Registry.pol files, README.md.', '');
    lines.push(renderPlan(plan, { describeDescriptor }).trimEnd());
  }
  return lines;
}
