/**
 * Text for `journal list` and `journal show`: which runs happened, and for one run which changes
 * were applied, already done, in conflict, failed, in doubt or still pending.
 */
import { describeJournalValues } from './attribute-values.js';
import { changeTarget } from './change.js';
import { fromJournalChange, type JournalChange } from './journal-records.js';
import type { RunSummary } from './journal-store.js';
import { renderChangeBody, type RenderPlanOptions } from './render-plan.js';
import { describeState, isInDoubt, type RunRecord } from './run-record.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function countsText(c: RunSummary['counts']): string {
  if (!c) return '';
  const parts = [`${c.planned} planned`, `${c.applied} applied`];
  if (c.alreadyDone) parts.push(`${c.alreadyDone} already done`);
  if (c.conflicts) parts.push(`${c.conflicts} conflict${c.conflicts === 1 ? '' : 's'}`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.inDoubt) parts.push(`${c.inDoubt} in doubt`);
  if (c.pending) parts.push(`${c.pending} pending`);
  return parts.join(', ');
}

export function renderRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'No runs in the journal.\n';
  const rows = runs.map((r) => [
    r.runId,
    r.kind === 'rollback' ? `rollback of ${r.rollbackOf ?? '?'}` : r.step,
    r.status + (r.exitCode !== undefined && r.exitCode !== 0 ? ` (exit ${r.exitCode})` : ''),
    countsText(r.counts),
  ]);
  const head = ['RUN', 'STEP', 'STATUS', 'CHANGES'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!))).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

/** Diff lines of a journaled change (secret ones as presence + length). */
export function journalChangeBody(jc: JournalChange, options: RenderPlanOptions = {}): string[] {
  const c = fromJournalChange(jc);
  if (c) return renderChangeBody(c, options);
  if (jc.kind === 'modify-attribute') {
    return [`- ${jc.attribute}: ${describeJournalValues(jc.before).join(', ')}`, `+ ${jc.attribute}: ${describeJournalValues(jc.after).join(', ')}`];
  }
  if (jc.kind === 'add-entry' || jc.kind === 'delete-entry') {
    const sign = jc.kind === 'add-entry' ? '+' : '-';
    return Object.entries(jc.attributes).flatMap(([name, jv]) => describeJournalValues(jv).map((l) => `${sign} ${name}: ${l}`));
  }
  return [];
}

export function renderRun(run: RunRecord, options: RenderPlanOptions & { details?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`Run ${run.runId}`);
  out.push(`  ${run.kind === 'rollback' ? `rollback of run ${run.rollbackOf ?? '?'}` : `step ${run.step}`}, laps-migrate ${run.toolVersion}`);
  out.push(`  bound as  ${run.who.dn}${run.who.sid ? ` (${run.who.sid})` : ''}${run.who.osUser ? `, OS user ${run.who.osUser}@${run.who.host ?? '?'}` : ''}`);
  out.push(`  server    ${run.server}${run.tls ? ` (${run.tls})` : ''}`);
  out.push(`  started   ${run.startedAt}`);
  out.push(`  ended     ${run.endedAt ?? '(no end record: the process was stopped, crashed, or is still running)'}`);
  out.push(`  status    ${run.status}${run.exitCode !== undefined ? ` (exit ${run.exitCode})` : ''}${run.stoppedAt ? `, stopped at ${run.stoppedAt}` : ''}${run.interrupted?.signal ? ` by ${run.interrupted.signal}` : ''}`);
  const opts = Object.entries(run.options);
  if (opts.length) out.push(`  options   ${opts.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  out.push(`  changes   ${countsText(run.counts)}`);
  for (const rc of run.changes) {
    const c = rc.change;
    out.push('');
    out.push(`[${c.id}] ${describeState(rc)}: ${c.kind} ${changeTarget(c)} on ${c.dn}${c.irreversible ? '  IRREVERSIBLE' : ''}`);
    out.push(`    why: ${c.reason}`);
    const last = rc.history[rc.history.length - 1];
    if (last && last.state !== 'planned') out.push(`    at:  ${last.at}`);
    if (last?.note) out.push(`    note: ${last.note}`);
    if (rc.error) out.push(`    error: ${rc.error.name}${rc.error.ldapCode !== undefined ? ` (LDAP ${rc.error.ldapCode})` : ''}: ${rc.error.message}`);
    if (options.details) {
      for (const l of journalChangeBody(c, options)) out.push(`    ${l}`);
      for (const h of rc.history) out.push(`    ${h.at}  ${h.state}${h.phase ? ` (${h.phase})` : ''}`);
    }
  }
  const ids = (pred: (s: string) => boolean): string[] => run.changes.filter((rc) => pred(rc.state)).map((rc) => rc.change.id);
  const applied = ids((s) => s === 'applied' || s === 'verified');
  const doubt = run.changes.filter((rc) => isInDoubt(rc)).map((rc) => rc.change.id);
  const pending = ids((s) => s === 'planned');
  out.push('');
  out.push(`Applied: ${applied.length ? applied.join(', ') : 'none'}`);
  if (doubt.length) out.push(`In doubt (write sent, outcome unknown: it may have reached the server; a rerun or rollback re-reads it): ${doubt.join(', ')}`);
  out.push(`Pending: ${pending.length ? pending.join(', ') : 'none'}`);
  for (const w of run.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
