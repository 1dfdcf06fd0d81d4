/**
 * Monitoring the switch to emulation (pure). After the CSE removal starts (the first emulation
 * --apply in the journal, or --since DATE), is each computer's legacy password still rotating?
 * The facts are what any domain account can read: the legacy expiration time and, from
 * replPropertyMetaData, when ms-Mcs-AdmPwd was last written and how many times (its version).
 * A computer is stuck when its password expired (or, without an expiry, its policy's age has
 * passed since the last write) more than `graceDays` ago: a device that still rotates, with the
 * CSE or in emulation, moves its expiry forward and is never stuck.
 */
import type { OsReadinessResult } from '../../laps/os-readiness.js';
import type { Finding } from '../../model/step-result.js';
import type { Tri } from './policy.js';
import type { Verdict } from './readiness.js';

export interface MonitorComputer {
  dn: string;
  name: string;
  container: string;
  containerPath: string;
  verdict: Verdict;
  legacySelf: Tri;
  os: OsReadinessResult;
  /** replPropertyMetaData of ms-Mcs-AdmPwd: last originating write and its version. */
  legacyWrite?: { at: Date; version: number };
  legacyExpires?: Date;
  /** The legacy policy's PasswordAgeDays (30 when unknown). */
  ageDays: number;
  lastLogon?: Date;
}

export interface MonitorStart {
  at: Date;
  /** Where the start came from: --since, or the journal run of the first emulation --apply. */
  source: 'since' | 'journal';
  runId?: string;
}

export interface MonitorInput {
  now: Date;
  start: MonitorStart | undefined;
  graceDays: number;
  computers: MonitorComputer[];
}

export type MonitorStatus = 'rotating' | 'waiting' | 'stuck' | 'current' | 'overdue';

export interface MonitorRow {
  dn: string;
  name: string;
  containerPath: string;
  verdict: Verdict;
  lastWrite: string | null;
  writes: number | null;
  expires: string | null;
  /** When it counts as stuck (deadline + grace). */
  stuckAfter: string;
  rotatedSinceStart: boolean | null;
  status: MonitorStatus;
  causes: string[];
}

export interface MonitorResult {
  active: boolean;
  start: { at: string; source: MonitorStart['source']; runId?: string } | null;
  graceDays: number;
  rows: MonitorRow[];
  counts: Record<MonitorStatus, number>;
  findings: Finding[];
}

/** Verdicts whose computers write (or should write) the legacy attribute. */
const MONITORED = new Set<Verdict>(['ready', 'needs-self', 'stays-legacy', 'pinned-off', 'unknown', 'no-schema']);

const DAY = 86_400_000;

export function likelyCauses(c: MonitorComputer, deadline: Date): string[] {
  const out: string[] = [];
  if (c.legacySelf === 'no') out.push('the legacy SELF permission is missing: the device is refused (event 10065)');
  if (c.verdict === 'stays-legacy') out.push('its build has no Windows LAPS: only the legacy CSE can manage it (was the CSE removed?)');
  if (c.os.readiness === 'supported-if-patched') out.push('the April 2023 update may be missing: without it there is no Windows LAPS to take over from the CSE');
  if (c.verdict === 'ready' || c.verdict === 'unknown') out.push('the legacy CSE may still be installed but failing: Windows LAPS defers to an installed CSE (event 10033)');
  if (c.verdict === 'pinned-off') out.push('BackupDirectory=0 turns Windows LAPS off: only an installed CSE manages it');
  if (c.lastLogon && c.lastLogon < deadline) out.push(`no logon since ${c.lastLogon.toISOString().slice(0, 10)}: the device may be offline or retired`);
  return out;
}

export function monitor(input: MonitorInput): MonitorResult {
  const rows: MonitorRow[] = [];
  const counts: Record<MonitorStatus, number> = { rotating: 0, waiting: 0, stuck: 0, current: 0, overdue: 0 };
  const start = input.start;
  const grace = input.graceDays * DAY;
  const stuckByOu = new Map<string, MonitorRow[]>();
  for (const c of input.computers) {
    if (!MONITORED.has(c.verdict)) continue;
    const base = c.legacyWrite?.at ?? start?.at ?? input.now;
    const deadline = c.legacyExpires ?? new Date(base.getTime() + c.ageDays * DAY);
    const late = input.now.getTime() > deadline.getTime() + grace;
    const rotatedSinceStart = start ? !!c.legacyWrite && c.legacyWrite.at.getTime() >= start.at.getTime() : null;
    let status: MonitorStatus;
    if (!start) status = late ? 'overdue' : 'current';
    else status = late ? 'stuck' : rotatedSinceStart ? 'rotating' : 'waiting';
    counts[status]++;
    const row: MonitorRow = {
      dn: c.dn,
      name: c.name,
      containerPath: c.containerPath,
      verdict: c.verdict,
      lastWrite: c.legacyWrite?.at.toISOString() ?? null,
      writes: c.legacyWrite?.version ?? null,
      expires: c.legacyExpires?.toISOString() ?? null,
      stuckAfter: new Date(deadline.getTime() + grace).toISOString(),
      rotatedSinceStart,
      status,
      causes: late ? likelyCauses(c, deadline) : [],
    };
    rows.push(row);
    if (status === 'stuck') {
      const list = stuckByOu.get(c.container) ?? [];
      list.push(row);
      stuckByOu.set(c.container, list);
    }
  }
  const findings: Finding[] = [];
  for (const [container, list] of stuckByOu) {
    const causes = [...new Set(list.flatMap((r) => r.causes))];
    findings.push({
      code: 'EMULATION_STUCK',
      severity: 'warning',
      object: container,
      message: `${list[0]!.containerPath}: ${list.length} computer(s) have not rotated their legacy password within their policy's age plus ${input.graceDays} day(s) of grace since ${start!.at.toISOString().slice(0, 10)}.`,
      evidence: `e.g. ${list
        .slice(0, 5)
        .map((r) => `${r.name} (expired ${r.expires?.slice(0, 10) ?? '?'}, last write ${r.lastWrite?.slice(0, 10) ?? 'never'})`)
        .join(', ')}`,
      advice: `Likely causes: ${causes.join('; ') || 'unknown'}. On a device: Get-WinEvent -LogName Microsoft-Windows-LAPS/Operational (10065 access denied, 10033 deferring to the CSE, 10023 emulation active).`,
      count: list.length,
    });
  }
  return {
    active: !!start,
    start: start ? { at: start.at.toISOString(), source: start.source, ...(start.runId ? { runId: start.runId } : {}) } : null,
    graceDays: input.graceDays,
    rows,
    counts,
    findings,
  };
}
