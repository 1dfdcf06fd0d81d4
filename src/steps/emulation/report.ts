/**
 * The emulation step's report: the per-OU readiness grid, the GPO settings table, the monitoring
 * table, every computer's readiness (CSV) and the planned legacy SELF grants; the deployable
 * artifacts are attached (artifacts/). Built from the StepResult only; no password in it.
 */
import type { Plan } from '../../journal/index.js';
import type { ReportAttachment, ReportModel, TableSpec } from '../../report/model.js';
import type { StepResult } from '../../model/step-result.js';
import type { EmulationData } from './analyze.js';
import { VERDICTS, type Verdict } from './readiness.js';

const VERDICT_LABEL: Record<Verdict, string> = {
  ready: 'Ready',
  'needs-self': 'Needs legacy SELF',
  'no-schema': 'No legacy schema',
  'stays-legacy': 'Stays on CSE',
  'windows-laps': 'Windows LAPS policy',
  'pinned-off': 'Pinned off',
  'no-legacy-policy': 'No legacy policy',
  'domain-controller': 'DC',
  'not-windows': 'Not Windows',
  unknown: 'Unknown',
};

const TONE: Partial<Record<Verdict, 'good' | 'warn' | 'bad' | 'neutral'>> = { ready: 'good', 'needs-self': 'warn', 'no-schema': 'bad', 'stays-legacy': 'neutral', unknown: 'warn' };

function gridTable(d: EmulationData): TableSpec {
  return {
    id: 'readiness',
    title: 'Readiness per OU',
    description: 'Computers directly in each container, by what happens once their legacy CSE is removed.',
    csvFile: 'readiness-ous.csv',
    columns: [{ key: 'ou', label: 'OU / container' }, { key: 'computers', label: 'Computers', numeric: true }, ...VERDICTS.map((v) => ({ key: v, label: VERDICT_LABEL[v], numeric: true })), { key: 'grant', label: '--apply grants legacy SELF' }, { key: 'dn', label: 'DN' }],
    rows: d.ous.map((o) => ({ ou: o.path, computers: o.computers, ...o.counts, grant: o.grant ? 'yes' : '-', dn: o.container })),
  };
}

function gpoTable(d: EmulationData): TableSpec {
  return {
    id: 'gpos',
    title: 'LAPS GPO settings',
    description: d.sysvol.given ? `Machine/Registry.pol read from ${d.sysvol.policiesDir}.` : 'Settings unknown: no --sysvol was given (only the client-side extensions listed in AD are known).',
    csvFile: 'gpos.csv',
    columns: [
      { key: 'name', label: 'GPO' },
      { key: 'links', label: 'Linked at' },
      { key: 'kinds', label: 'Extensions' },
      { key: 'legacy', label: 'Legacy (AdmPwd)' },
      { key: 'windows', label: 'Windows LAPS' },
      { key: 'file', label: 'Registry.pol' },
      { key: 'problems', label: 'Ignored values' },
      { key: 'guid', label: 'GUID' },
    ],
    rows: d.gpos.map((g) => ({ ...g })),
  };
}

function monitorTable(d: EmulationData): TableSpec {
  const m = d.monitor;
  return {
    id: 'monitoring',
    title: 'Monitoring: is the legacy password still rotating?',
    description: m.start
      ? `Since ${m.start.at} (${m.start.source === 'since' ? '--since' : `journal run ${m.start.runId}`}); stuck = expired more than ${m.graceDays} day(s) ago. From replPropertyMetaData of the legacy password (write time and version) and its expiration time.`
      : 'No start date yet (no --since, no emulation --apply in the journal): "overdue" = expired more than the grace ago.',
    csvFile: 'monitoring.csv',
    columns: [
      { key: 'status', label: 'Status' },
      { key: 'name', label: 'Computer' },
      { key: 'containerPath', label: 'OU' },
      { key: 'verdict', label: 'Readiness' },
      { key: 'lastWrite', label: 'Last legacy write' },
      { key: 'writes', label: 'Writes (version)', numeric: true },
      { key: 'expires', label: 'Expires' },
      { key: 'stuckAfter', label: 'Stuck after' },
      { key: 'causes', label: 'Likely causes' },
    ],
    rows: [...m.rows].sort((a, b) => Number(b.status === 'stuck') - Number(a.status === 'stuck') || a.containerPath.localeCompare(b.containerPath) || a.name.localeCompare(b.name)).map((r) => ({ ...r, causes: r.causes.join('; ') || '-' })),
  };
}

export function emulationReportModel(r: StepResult<EmulationData>, plan: Plan, attachments: ReportAttachment[], monitorOnly: boolean): ReportModel {
  const d = r.data;
  const v = d.summary.verdicts;
  const m = d.monitor;
  const tables: TableSpec[] = monitorOnly ? [monitorTable(d)] : [gridTable(d), gpoTable(d), monitorTable(d)];
  if (!monitorOnly) {
    tables.push({
      id: 'computers',
      title: 'Readiness per computer',
      csvFile: 'readiness-computers.csv',
      htmlLimit: 100,
      columns: [{ key: 'name', label: 'Computer' }, { key: 'ou', label: 'OU' }, { key: 'verdict', label: 'Readiness' }, ...(['schema', 'self', 'build', 'legacyPolicy', 'noWindowsPolicy', 'notDc'] as const).map((k) => ({ key: k, label: k })), { key: 'reasons', label: 'Reasons' }],
      rows: d.computers.map((c) => ({ name: c.name, ou: c.containerPath, verdict: c.verdict, ...c.conditions, reasons: c.reasons.join('; ') || '-' })),
    });
    if (plan.changes.length) {
      tables.push({ id: 'changes', title: 'Planned changes (written only with --apply)', columns: [{ key: 'id', label: 'Change' }, { key: 'dn', label: 'Object' }, { key: 'reason', label: 'Why' }], rows: plan.changes.map((c) => ({ id: c.id, dn: c.dn, reason: c.reason })) });
    }
  }
  const notes = [
    'AD does not show whether the legacy CSE is installed on a device, its patch level, or values under the CSP and local Config roots: readiness says what happens once the CSE is gone, and "unknown" where SYSVOL or a descriptor could not be read.',
    ...(attachments.length ? [`Deployable artifacts are in artifacts/ (start with artifacts/README.md): ${attachments.map((a) => a.file).join(', ')}.`] : []),
  ];
  return {
    step: 'emulation',
    title: monitorOnly ? 'Legacy emulation: monitoring' : 'Legacy emulation readiness',
    generatedAt: r.generatedAt,
    toolVersion: r.tool.version,
    target: r.target,
    headline: [
      { label: 'Computers', value: d.summary.computers },
      { label: 'Ready', value: v.ready, tone: 'good', detail: 'emulate once the CSE is removed' },
      { label: 'Need legacy SELF', value: v['needs-self'], tone: v['needs-self'] ? 'warn' : 'good', detail: `${d.summary.grantContainers} container(s) to grant` },
      { label: 'Stay on the CSE', value: v['stays-legacy'], detail: 'builds without Windows LAPS' },
      { label: 'Stuck', value: m.active ? m.counts.stuck : '-', tone: m.counts.stuck ? 'bad' : 'good', detail: m.active ? `since ${m.start!.at.slice(0, 10)}` : 'monitoring not started' },
    ],
    charts: monitorOnly
      ? [{ kind: 'donut', id: 'monitor', title: 'Rotation since the start', slices: [{ label: 'Rotating', value: m.counts.rotating, tone: 'good' }, { label: 'Not due yet', value: m.counts.waiting, tone: 'neutral' }, { label: 'Stuck', value: m.counts.stuck, tone: 'bad' }] }]
      : [
          { kind: 'donut', id: 'verdicts', title: 'Once the CSE is removed', slices: VERDICTS.filter((x) => v[x] > 0).map((x) => ({ label: VERDICT_LABEL[x], value: v[x], ...(TONE[x] ? { tone: TONE[x] } : {}) })) },
          { kind: 'stacked-bar', id: 'per-ou', title: 'Readiness per OU', series: [{ label: 'Ready', tone: 'good' }, { label: 'Needs legacy SELF', tone: 'warn' }, { label: 'Other', tone: 'neutral' }], bars: d.ous.map((o) => ({ label: o.path, values: [o.counts.ready, o.counts['needs-self'], o.computers - o.counts.ready - o.counts['needs-self']] })), limit: 25 },
        ],
    tables,
    findings: r.findings,
    notes,
    json: { ...r, plan: plan.changes.map((c) => ({ id: c.id, dn: c.dn, reason: c.reason })) },
    ...(attachments.length ? { attachments } : {}),
  };
}
