/**
 * How the cutover shows where the migration stands: one block per wave (counts per state, the
 * gate, when it started), the plan, the JSON document and the report model. Computer names and
 * reasons only: never a password (verify.ts never sees one).
 */
import { renderPlan, type Plan } from '../../journal/index.js';
import type { ReportModel } from '../../report/model.js';
import type { Finding, StepResult } from '../../model/step-result.js';
import type { WaveGpoState } from './read-state.js';
import { cutoverReportModel, sidLabel } from './report.js';
import { COMPUTER_STATES, type ComputerVerdict, type GateVerdict, type StateCounts } from './verify.js';
import type { ResolvedWave } from './waves.js';

export interface WaveStatus {
  wave: ResolvedWave;
  gpo: WaveGpoState;
  counts: StateCounts;
  gate: GateVerdict;
  verdicts: ComputerVerdict[];
}

export interface WaveJson {
  name: string;
  gpo: string;
  gpoGuid: string | null;
  ous: string[];
  startedAt: string | null;
  counts: StateCounts;
  gate: { met: boolean; verifiedPercent: number; expected: number; failures: number; soakEndsAt: string | null; unmet: string[]; minVerifiedPercent: number; maxFailures: number; soakDays: number };
  computers: Array<{ name: string; dn: string; state: string; reasons: string[]; leftBehind: string | null; payload: ComputerVerdict['payload'] | null }>;
  drift: ComputerVerdict['drift'];
}

export interface CutoverData {
  waves: WaveJson[];
  /** What this run does next: start a wave, blocked, waiting for a gate, or nothing. */
  next: { wave: string; action: 'start' | 'blocked' | 'waiting' | 'none'; why: string[] };
  principalSid: string | null;
  /** Names of the SIDs the drift and the policy name (from the directory), for the report and findings. */
  sidNames?: Record<string, string>;
}

export function waveJson(s: WaveStatus): WaveJson {
  return {
    name: s.wave.name,
    gpo: s.wave.gpo,
    gpoGuid: s.gpo.gpo?.guid ?? null,
    ous: s.wave.ous,
    startedAt: s.gpo.startedAt?.toISOString() ?? null,
    counts: s.counts,
    gate: { ...s.gate, soakEndsAt: s.gate.soakEndsAt?.toISOString() ?? null, ...s.wave.gates },
    computers: s.verdicts.map((v) => ({ name: v.name, dn: v.dn, state: v.state, reasons: v.reasons, leftBehind: v.leftBehind ?? null, payload: v.payload ?? null })),
    drift: s.verdicts.flatMap((v) => v.drift),
  };
}

/** The `--status` block: every wave, its counts per state, the gate, its start. */
export function statusLines(statuses: readonly WaveStatus[]): string[] {
  const out: string[] = [];
  for (const s of statuses) {
    const started = s.gpo.startedAt ? `started ${s.gpo.startedAt.toISOString()}` : s.gpo.gpo ? 'not started' : `not started (no GPO "${s.wave.gpo}")`;
    out.push(`Wave ${s.wave.name} (GPO "${s.wave.gpo}"): ${started}`);
    out.push(`  ${COMPUTER_STATES.map((k) => `${k} ${s.counts[k]}`).join(', ')}`);
    const g = s.wave.gates;
    out.push(`  gate (${g.minVerifiedPercent}% verified, at most ${g.maxFailures} failed/stuck, ${g.soakDays} soak days): ${s.gate.met ? 'met' : `not met: ${s.gate.unmet.join('; ')}`}`);
    const payloads = s.verdicts.filter((v) => v.payload);
    if (payloads.length) out.push(`  payload check: ${(['ok', 'failed', 'not-checked'] as const).map((k) => `${k} ${payloads.filter((v) => v.payload === k).length}`).join(', ')}`);
    for (const v of s.verdicts.filter((x) => x.state === 'failed' || x.state === 'stuck').slice(0, 20)) out.push(`  ${v.state} ${v.name}: ${v.reasons.join('; ')}`);
  }
  return out;
}

/** The principal SIDs a wave's drift names (current password or history to another principal). */
export function driftSids(verdicts: readonly ComputerVerdict[]): string[] {
  return [...new Set(verdicts.flatMap((v) => v.drift.filter((d) => d.kind === 'history-principal' || d.kind === 'current-principal').flatMap((d) => d.detail.split(' '))))].sort();
}

export function cutoverText(result: StepResult<CutoverData>, statuses: readonly WaveStatus[], plan: Plan): string[] {
  const lines = [...statusLines(statuses)];
  const n = result.data.next;
  if (n.action === 'start') lines.push(`Next: start wave ${n.wave}`, ...n.why.map((w) => `  ${w}`));
  if (n.action === 'waiting') lines.push(`Next: wave ${n.wave} waits for the previous wave's gate`);
  if (n.action === 'blocked') lines.push(`Next: wave ${n.wave} is blocked (${n.why.join(', ')})`);
  for (const f of result.findings) lines.push(`[${f.severity}] ${f.code}: ${f.message}${f.evidence ? ` (${f.evidence})` : ''}\n    -> ${f.advice}`);
  if (plan.changes.length) lines.push(renderPlan(plan));
  return lines;
}

/** The report model (report.ts). */
export function cutoverReport(result: StepResult<CutoverData>, statuses: readonly WaveStatus[]): ReportModel {
  return cutoverReportModel(result, statuses);
}

/** The most frequent reasons of some verdicts, "N computers: reason", for a finding's evidence. */
function topReasons(verdicts: readonly ComputerVerdict[], n = 3): string {
  const counts = new Map<string, number>();
  for (const v of verdicts) for (const r of v.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([r, c]) => `${c} computer${c === 1 ? '' : 's'}: ${r}`).join('; ');
}

/** Findings for what the verdicts of one wave show: failed and stuck computers (warnings), drift (info). */
export function verdictFindings(wave: string, verdicts: readonly ComputerVerdict[], sidNames: Readonly<Record<string, string>> = {}): Finding[] {
  const out: Finding[] = [];
  const failed = verdicts.filter((v) => v.state === 'failed');
  const stuck = verdicts.filter((v) => v.state === 'stuck');
  const names = (vs: readonly ComputerVerdict[]) => `${vs.slice(0, 5).map((v) => v.name).join(', ')}${vs.length > 5 ? ', ...' : ''}`;
  if (failed.length) out.push({ code: 'CUTOVER_COMPUTERS_FAILED', severity: 'warning', object: wave, message: `wave ${wave}: ${failed.length} computer(s) failed (${names(failed)}).`, evidence: topReasons(failed), advice: 'See "Why computers failed or are stuck" in the report; fix the cause (e.g. the SELF permission with the permissions step) and rerun. Failed computers count against the gate\'s maxFailures.' });
  if (stuck.length) out.push({ code: 'CUTOVER_COMPUTERS_STUCK', severity: 'warning', object: wave, message: `wave ${wave}: ${stuck.length} computer(s) wrote nothing past their expiry plus the grace (${names(stuck)}).`, evidence: topReasons(stuck), advice: 'Check that they are online and get the GPO (gpresult /r; events 10003-10005 in the LAPS log); stuck computers count against maxFailures.' });
  const drift = verdicts.filter((v) => v.drift.some((d) => d.kind === 'history-principal' || d.kind === 'current-principal'));
  if (drift.length) {
    const sids = driftSids(drift);
    out.push({ code: 'CUTOVER_PRINCIPAL_DRIFT', severity: 'info', object: wave, message: `wave ${wave}: ${drift.length} computer(s) hold passwords encrypted to another principal (${names(drift)}).`, evidence: `encrypted to ${sids.map((sid) => sidLabel(sid, sidNames)).join(', ')}`, advice: 'Members of the new principal cannot read those passwords; the history entries age out as the devices rotate. Keep the old principal\'s members until then if they may need them.' });
  }
  return out;
}
