/**
 * The cutover's report (`<out>/<time>-cutover/`): per wave a headline and the state of its
 * computers per OU (stacked bars), the failure reasons (reason, count, example computers), what
 * is left behind and why, the history / principal drift rolled up by SID, and every computer
 * (computers.csv) and every drift entry (drift.csv). Computer names, reasons and SIDs only: a
 * password or a decrypted payload never reaches this file (verify.ts never sees one).
 */
import { friendlyPath, parentDn } from '../../directory/dn.js';
import type { StepResult } from '../../model/step-result.js';
import { formatNumber as n } from '../../report/format.js';
import type { ChartSpec, Headline, ReportModel, TableSpec, Tone } from '../../report/model.js';
import type { CutoverData, WaveStatus } from './text.js';
import { COMPUTER_STATES, type ComputerState, type ComputerVerdict, type Drift } from './verify.js';

const STATE_LABEL: Record<ComputerState, string> = { verified: 'Verified', pending: 'Pending', failed: 'Failed', stuck: 'Stuck', 'left-behind': 'Left behind' };
const STATE_TONE: Partial<Record<ComputerState, Tone>> = { verified: 'good', pending: 'neutral', failed: 'bad', stuck: 'warn' };
const DRIFT_LABEL: Record<Drift['kind'], string> = {
  'history-principal': 'History encrypted to another principal',
  'current-principal': 'Current password encrypted to another principal',
  'history-size': 'History longer than configured',
  'unreadable-blob': 'Stored value does not parse',
};
/** The computers table lists what needs attention first. */
const TABLE_ORDER: readonly ComputerState[] = ['failed', 'stuck', 'pending', 'left-behind', 'verified'];
/** Example computers listed per reason. */
const EXAMPLES = 5;

const series = () => COMPUTER_STATES.map((k) => ({ label: STATE_LABEL[k], ...(STATE_TONE[k] ? { tone: STATE_TONE[k] } : {}) }));

/** The OU path of a computer ("Workstations/Pilot"), each container's path worked out once (10,000 computers share a few). */
function ouNamer(baseDn: string): (v: ComputerVerdict) => string {
  const paths = new Map<string, string>();
  return (v) => {
    const parent = parentDn(v.dn);
    let path = paths.get(parent);
    if (path === undefined) {
      path = friendlyPath(parent, baseDn);
      paths.set(parent, path);
    }
    return path;
  };
}

/** Computers of one wave per OU (the container that holds them), one bar per OU. */
function waveChart(s: WaveStatus, ouOf: (v: ComputerVerdict) => string): ChartSpec {
  const byOu = new Map<string, number[]>();
  for (const v of s.verdicts) {
    const ou = ouOf(v);
    const row = byOu.get(ou) ?? COMPUTER_STATES.map(() => 0);
    row[COMPUTER_STATES.indexOf(v.state)]!++;
    byOu.set(ou, row);
  }
  const started = s.gpo.startedAt ? `started ${s.gpo.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not started';
  return { kind: 'stacked-bar', id: `wave-${s.wave.name}`, title: `Wave ${s.wave.name} (${started}): computers per state, by OU`, series: series(), bars: [...byOu].map(([label, values]) => ({ label, values })), limit: 25 };
}

type ReasonRow = {
  wave: string;
  state: string;
  reason: string;
  count: number;
  examples: string;
};

/** Well-known domain RIDs an admin recognises without a lookup (the default principal is Domain Admins). */
const WELL_KNOWN_RIDS: Record<string, string> = { '500': 'Administrator', '512': 'Domain Admins', '519': 'Enterprise Admins', '544': 'Administrators' };

/**
 * "S-1-5-21-...-1106" -> "LAB\\LAPS Admins (S-1-5-21-...-1106)" with the names the directory gave
 * (`names`), else the well-known RIDs ("Domain Admins (S-1-5-21-...-512)"); other SIDs as they are.
 */
export function sidLabel(sid: string, names: Readonly<Record<string, string>> = {}): string {
  const known = names[sid];
  if (known && known !== sid) return `${known} (${sid})`;
  const m = /^S-1-5-(?:21-\d+-\d+-\d+|32)-(\d+)$/i.exec(sid);
  const name = m ? WELL_KNOWN_RIDS[m[1]!] : undefined;
  return name ? `${name} (${sid})` : sid;
}

/** Verdicts of the given states grouped by reason (one row per wave, state and reason), largest first. */
function reasonRows(statuses: readonly WaveStatus[], states: readonly ComputerState[]): ReasonRow[] {
  const rows = new Map<string, ReasonRow & { names: string[] }>();
  for (const s of statuses) {
    for (const v of s.verdicts) {
      if (!states.includes(v.state)) continue;
      for (const reason of v.reasons.length ? v.reasons : ['(no reason recorded)']) {
        const key = `${s.wave.name}\u0000${v.state}\u0000${reason}`;
        const row = rows.get(key) ?? { wave: s.wave.name, state: STATE_LABEL[v.state], reason, count: 0, examples: '', names: [] };
        row.count++;
        if (row.names.length < EXAMPLES) row.names.push(v.name);
        rows.set(key, row);
      }
    }
  }
  return [...rows.values()]
    .sort((a, b) => a.state.localeCompare(b.state) || b.count - a.count || a.reason.localeCompare(b.reason))
    .map(({ names, ...r }) => ({ ...r, examples: `${names.join(', ')}${r.count > names.length ? `, ... (${r.count - names.length} more)` : ''}` }));
}

/** Drift rolled up per wave, kind and SID (or detail): the SIDs whose readers lose access. */
function driftRollup(statuses: readonly WaveStatus[], expectedSid: string | null, sidNames: Readonly<Record<string, string>>): Array<Record<string, string | number>> {
  const rows = new Map<string, { wave: string; kind: string; detail: string; count: number; names: string[] }>();
  for (const s of statuses) {
    for (const d of s.verdicts.flatMap((v) => v.drift)) {
      const details = d.kind === 'history-principal' ? d.detail.split(' ') : [d.kind === 'history-size' ? 'over the limit' : d.detail];
      for (const detail of details) {
        const key = `${s.wave.name}\u0000${d.kind}\u0000${detail}`;
        const row = rows.get(key) ?? { wave: s.wave.name, kind: DRIFT_LABEL[d.kind], detail, count: 0, names: [] };
        row.count++;
        if (row.names.length < EXAMPLES) row.names.push(d.computer);
        rows.set(key, row);
      }
    }
  }
  return [...rows.values()]
    .sort((a, b) => b.count - a.count)
    .map(({ names, ...r }) => ({ ...r, detail: r.detail.startsWith('S-1-') ? sidLabel(r.detail, sidNames) : r.detail, expected: expectedSid ? sidLabel(expectedSid, sidNames) : '-', examples: `${names.join(', ')}${r.count > names.length ? `, ... (${r.count - names.length} more)` : ''}` }));
}

function waveHeadline(s: WaveStatus): Headline {
  const g = s.gate;
  const pct = `${Math.floor(g.verifiedPercent * 10) / 10}%`;
  if (!s.gpo.startedAt) return { label: `Wave ${s.wave.name}`, value: 'not started', tone: 'neutral', detail: `${n(s.verdicts.length)} computers; GPO "${s.wave.gpo}"${s.gpo.gpo ? '' : ' does not exist'}` };
  return {
    label: `Wave ${s.wave.name}`,
    value: `${n(s.counts.verified)} / ${n(g.expected)} verified`,
    tone: g.met ? 'good' : s.counts.failed + s.counts.stuck > 0 ? 'bad' : 'warn',
    detail: `${pct}; gate ${g.met ? 'met' : `not met (${g.unmet.length} condition${g.unmet.length === 1 ? '' : 's'} open)`}; ${n(s.counts['left-behind'])} left behind`,
  };
}

function payloadHeadline(statuses: readonly WaveStatus[]): Headline {
  const all = statuses.flatMap((s) => s.verdicts).filter((v) => v.payload);
  const ok = all.filter((v) => v.payload === 'ok').length;
  const failed = all.filter((v) => v.payload === 'failed').length;
  const notChecked = all.filter((v) => v.payload === 'not-checked').length;
  if (all.length === 0) return { label: 'Payloads decrypted', value: '-', tone: 'neutral', detail: 'no encrypted password written since a wave started' };
  if (notChecked === all.length) return { label: 'Payloads decrypted', value: 'not checked', tone: 'neutral', detail: 'the bound account cannot read the KDS root key' };
  return { label: 'Payloads decrypted', value: `${n(ok)} / ${n(all.length)} ok`, tone: failed ? 'bad' : 'good', detail: `${n(failed)} failed${notChecked ? `, ${n(notChecked)} not checked` : ''}` };
}

export function cutoverReportModel(result: StepResult<CutoverData>, statuses: readonly WaveStatus[]): ReportModel {
  const ouOf = ouNamer(result.target.baseDn);
  const computers = statuses.flatMap((s) => s.verdicts.map((v) => ({ wave: s.wave.name, computer: v.name, ou: ouOf(v), state: v.state, reasons: v.reasons.join('; '), payload: v.payload ?? '', leftBehind: v.leftBehind ?? '', dn: v.dn })));
  const drift = statuses.flatMap((s) => s.verdicts.flatMap((v) => v.drift.map((d) => ({ wave: s.wave.name, computer: d.computer, kind: d.kind, detail: d.detail }))));
  const driftCount = new Set(drift.map((d) => `${d.wave}|${d.computer}`)).size;
  const failures = reasonRows(statuses, ['failed', 'stuck']);
  const leftBehind = reasonRows(statuses, ['left-behind']);
  const reasonColumns = [{ key: 'wave', label: 'Wave' }, { key: 'state', label: 'State' }, { key: 'reason', label: 'Reason' }, { key: 'count', label: 'Computers', numeric: true }, { key: 'examples', label: 'Examples' }];
  const tables: TableSpec[] = [
    { id: 'failures', title: 'Why computers failed or are stuck', description: failures.length ? 'One row per reason; every computer is in computers.csv.' : 'No computer has failed or is stuck.', columns: reasonColumns, rows: failures, csvFile: 'failure-reasons.csv' },
    { id: 'left-behind', title: 'Left behind (not counted in the gates)', description: 'These computers keep their legacy LAPS (or none): no Windows LAPS on that build, not Windows, disabled or stale.', columns: reasonColumns.filter((c) => c.key !== 'state'), rows: leftBehind },
    {
      id: 'drift-rollup',
      title: 'History / principal drift',
      description: 'Passwords encrypted to a principal other than the policy\'s: readable now by that principal\'s members, not by the new readers. History entries age out as the device rotates (historySize rotations).',
      columns: [{ key: 'wave', label: 'Wave' }, { key: 'kind', label: 'Drift' }, { key: 'detail', label: 'Found (SID)' }, { key: 'expected', label: 'Policy principal (SID)' }, { key: 'count', label: 'Computers', numeric: true }, { key: 'examples', label: 'Examples' }],
      rows: driftRollup(statuses, result.data.principalSid, result.data.sidNames ?? {}),
    },
    { id: 'computers', title: 'Computers by wave and state', columns: [{ key: 'wave', label: 'Wave' }, { key: 'computer', label: 'Computer' }, { key: 'ou', label: 'OU' }, { key: 'state', label: 'State' }, { key: 'reasons', label: 'Why' }, { key: 'payload', label: 'Payload check' }, { key: 'dn', label: 'DN' }], rows: [...computers].sort((a, b) => TABLE_ORDER.indexOf(a.state) - TABLE_ORDER.indexOf(b.state)), csvFile: 'computers.csv', htmlLimit: 100 },
    { id: 'drift', title: 'Drift per computer', columns: [{ key: 'wave', label: 'Wave' }, { key: 'computer', label: 'Computer' }, { key: 'kind', label: 'Kind' }, { key: 'detail', label: 'Detail' }], rows: drift, csvFile: 'drift.csv', htmlLimit: 50 },
  ];
  const charts: ChartSpec[] = statuses.map((s) => waveChart(s, ouOf));
  if (statuses.length > 1) charts.unshift({ kind: 'stacked-bar', id: 'wave-states', title: 'Computers per state, by wave', series: series(), bars: statuses.map((s) => ({ label: s.wave.name, values: COMPUTER_STATES.map((k) => s.counts[k]) })) });
  const n = result.data.next;
  return {
    step: 'cutover',
    title: 'Cutover to Windows LAPS',
    generatedAt: result.generatedAt,
    toolVersion: result.tool.version,
    target: result.target,
    headline: [
      ...statuses.map(waveHeadline),
      payloadHeadline(statuses),
      { label: 'Drift', value: driftCount, tone: driftCount ? 'warn' : 'good', detail: 'computers with data for another principal' },
    ],
    charts,
    tables,
    findings: result.findings,
    notes: [
      ...(n.action === 'none' ? [] : [`Next: ${n.action === 'start' ? `start wave ${n.wave} (with --apply)` : n.action === 'waiting' ? `wave ${n.wave} waits for the previous wave's gate` : `wave ${n.wave} is blocked (${n.why.join(', ')})`}.`]),
      'Verified = a Windows LAPS password written after the wave started and after the last legacy write, encrypted to the policy\'s principal, history within the configured size and, where this account can read the KDS root key, a current password that decrypts and names the managed account. The gate counts verified against computers expected to migrate (left behind excluded); failed and stuck count against maxFailures.',
      "A wave starts when its GPO is linked (enabled) on all its OUs; its start is the GPO's last settings write (replication metadata), which the cutover makes just before linking; later link edits on the same OUs (cleanup unlinking the legacy GPO) do not move it.",
    ],
    json: result,
  };
}
