/**
 * `journal export`: one CSV row per change of a run (or of every run, plus every password read)
 * for auditors. csv-stringify with formula escaping (a DN or reason starting with "=" cannot
 * become a spreadsheet formula) and a UTF-8 BOM so Excel reads accents and non-Latin names.
 * Secret values are not in the journal, so they cannot be in the export either.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { describeJournalValues, type JournalValues } from './attribute-values.js';
import { changeTarget } from './change.js';
import type { JournalChange, ReadEventRecord } from './journal-records.js';
import type { RunRecord } from './run-record.js';

export const EXPORT_COLUMNS = [
  'record',
  'run_id',
  'run_kind',
  'run_step',
  'rollback_of',
  'run_started',
  'run_ended',
  'run_status',
  'who',
  'os_user',
  'server',
  'tool_version',
  'change_id',
  'change_kind',
  'dn',
  'attribute',
  'operation',
  'reason',
  'irreversible',
  'secret',
  'state',
  'state_at',
  'error',
  'before',
  'after',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string>;

function descriptorSummary(b64: string): string {
  const buf = Buffer.from(b64, 'base64');
  return `descriptor ${buf.length} bytes sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

function side(jc: JournalChange, which: 'before' | 'after'): string {
  switch (jc.kind) {
    case 'replace-dacl':
      return descriptorSummary(jc[which]);
    case 'replace-file': {
      const b64 = jc[which];
      return b64 === null ? '(absent)' : `file ${jc.path}: ${descriptorSummary(b64).replace(/^descriptor /, '')}`;
    }
    case 'modify-attribute':
      return describeJournalValues(jc[which]).join(' | ');
    case 'add-entry':
    case 'delete-entry': {
      const present = (jc.kind === 'add-entry') === (which === 'after');
      if (!present) return '(absent)';
      return Object.entries(jc.attributes)
        .map(([name, jv]: [string, JournalValues]) => `${name}: ${describeJournalValues(jv).join(', ')}`)
        .join(' | ');
    }
  }
}

function blank(): ExportRow {
  return Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, ''])) as ExportRow;
}

export function runRows(run: RunRecord): ExportRow[] {
  return run.changes.map((rc) => {
    const jc = rc.change;
    const last = rc.history[rc.history.length - 1];
    return {
      ...blank(),
      record: 'change',
      run_id: run.runId,
      run_kind: run.kind,
      run_step: run.step,
      rollback_of: run.rollbackOf ?? '',
      run_started: run.startedAt,
      run_ended: run.endedAt ?? '',
      run_status: run.status,
      who: run.who.dn,
      os_user: run.who.osUser ?? '',
      server: run.server,
      tool_version: run.toolVersion,
      change_id: jc.id,
      change_kind: jc.kind,
      dn: jc.dn,
      attribute: changeTarget(jc),
      operation: jc.kind === 'modify-attribute' ? jc.operation : '',
      reason: jc.reason,
      irreversible: jc.irreversible ? 'yes' : 'no',
      secret: jc.secret ? 'yes' : 'no',
      state: rc.state,
      state_at: last?.at ?? '',
      error: rc.error ? `${rc.error.name}${rc.error.ldapCode !== undefined ? ` (LDAP ${rc.error.ldapCode})` : ''}: ${rc.error.message}` : (last?.note ?? ''),
      before: side(jc, 'before'),
      after: side(jc, 'after'),
    };
  });
}

export function readEventRows(events: ReadEventRecord[]): ExportRow[] {
  return events.map((e) => ({
    ...blank(),
    record: 'secret-read',
    who: e.who,
    os_user: e.osUser ?? '',
    tool_version: e.toolVersion,
    dn: e.object,
    attribute: e.source,
    reason: e.reason ?? '',
    state: 'revealed',
    state_at: e.at,
  }));
}

/** CSV text with a UTF-8 BOM, a header row and formula escaping. */
export function toCsv(rows: ExportRow[]): string {
  return stringify(rows, { header: true, columns: [...EXPORT_COLUMNS], bom: true, escape_formulas: true, record_delimiter: 'windows' });
}
