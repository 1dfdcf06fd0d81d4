/**
 * The schema step's report: headline (Windows LAPS schema, legacy schema, functional level, KDS
 * root key, schema master, planned changes), the attribute table of both families, domain
 * controllers, KDS root keys (never their key data), the plan and, after an apply, its runs.
 * Built from the SchemaResult only.
 */
import type { ReportModel, Slice, TableSpec } from '../report/model.js';
import type { AttributeStatus, DsrmBackup, KdsState } from './schema-analysis.js';
import type { SchemaResult } from './schema.js';

const ATTRIBUTE_STATUS_LABEL: Record<AttributeStatus['status'], string> = {
  ok: 'as Microsoft defines it',
  mismatch: 'differs',
  missing: 'missing',
  'name-conflict': 'name taken by another attribute',
};

const KDS_LABEL: Record<KdsState, string> = {
  usable: 'usable',
  'not-yet-effective': 'not yet usable',
  missing: 'none',
  unreadable: 'unknown',
};

const DSRM_LABEL: Record<DsrmBackup, string> = {
  possible: 'possible',
  'if-patched': 'possible if patched (Apr 2023+)',
  'not-possible': 'not possible',
  unknown: 'unknown',
};

function attributeRow(a: AttributeStatus): Record<string, string | number | null> {
  return {
    family: a.family === 'legacy' ? 'legacy LAPS' : 'Windows LAPS',
    expected: a.expectedName,
    name: a.name ?? '',
    status: ATTRIBUTE_STATUS_LABEL[a.status],
    inComputerClass: a.status === 'missing' || a.status === 'name-conflict' ? '' : a.inComputerMayContain ? 'yes' : 'no',
    searchFlags: a.searchFlags,
    differences: [
      ...a.differences.map((d) => `${d.property}: expected ${d.expected}, found ${d.found}`),
      ...(a.conflict ? [`${a.conflict.name} (${a.conflict.attributeId}) holds the name`] : []),
    ].join('; '),
    attributeId: a.attributeId,
    schemaIdGuid: a.schemaIdGuid ?? '',
    dn: a.dn ?? a.conflict?.dn ?? '',
  };
}

export function schemaReportModel(r: SchemaResult): ReportModel {
  const d = r.data;
  const win = d.windowsLaps.attributes;
  const winOk = win.filter((a) => a.status === 'ok' && a.inComputerMayContain).length;
  const count = (s: AttributeStatus['status']) => win.filter((a) => a.status === s).length;
  const dfl = d.functionalLevels;
  const pending = d.plan.changes.length;
  const attributeRows = [...d.legacy.attributes, ...win].map(attributeRow);
  const dcRows = d.domainControllers.map((dc) => ({
    name: dc.name,
    dnsHostName: dc.dnsHostName,
    os: dc.operatingSystem,
    osVersion: dc.operatingSystemVersion,
    level: dc.functionalLevel?.name ?? '',
    readOnly: dc.readOnly ? 'yes' : 'no',
    gc: dc.globalCatalog === null ? '' : dc.globalCatalog ? 'yes' : 'no',
    schemaMaster: dc.schemaMaster ? 'yes' : 'no',
    boundDc: dc.boundDc ? 'yes' : 'no',
    dsrm: DSRM_LABEL[dc.dsrmBackup],
    reason: dc.dsrmReason,
    dn: dc.dn,
  }));
  const keyRows = d.kds.rootKeys.map((k) => ({
    id: k.id,
    usableFrom: k.usableFrom ?? '',
    usableNow: k.usableNow ? 'yes' : 'no',
    created: k.createdAt ?? '',
    kdf: `${k.kdfAlgorithm ?? '?'} / ${k.kdfHash ?? '?'}`,
    agreement: `${k.secretAgreement ?? '?'}${k.publicKeyLength ? ` (${k.publicKeyLength}-bit)` : ''}`,
    dn: k.dn,
  }));
  const changeRows = d.plan.changes.map((c) => ({
    id: c.id,
    phase: c.phase,
    kind: c.kind,
    dn: c.dn,
    attribute: c.kind === 'modify-attribute' ? c.attribute : '',
    irreversible: c.irreversible ? 'yes' : 'no',
    reason: c.reason,
  }));
  const tables: TableSpec[] = [
    {
      id: 'attributes',
      title: 'LAPS attributes in the schema',
      description: 'Found by attributeID; Windows LAPS attributes are compared with Microsoft\'s definitions (syntax, single/multi-valued, searchFlags, property set, ranges).',
      columns: [
        { key: 'family', label: 'Family' },
        { key: 'expected', label: 'Attribute' },
        { key: 'name', label: 'Name in this forest' },
        { key: 'status', label: 'Status' },
        { key: 'inComputerClass', label: 'In computer class' },
        { key: 'searchFlags', label: 'searchFlags', numeric: true },
        { key: 'differences', label: 'Differences' },
        { key: 'attributeId', label: 'attributeID' },
        { key: 'schemaIdGuid', label: 'schemaIDGUID' },
        { key: 'dn', label: 'DN' },
      ],
      rows: attributeRows,
      total: attributeRows.length,
      csvFile: 'attributes.csv',
    },
    {
      id: 'domain-controllers',
      title: 'Domain controllers',
      description: 'Where DSRM password backup can run, and which DC holds the schema master role (schema changes are written there).',
      columns: [
        { key: 'name', label: 'DC' },
        { key: 'dnsHostName', label: 'DNS name' },
        { key: 'os', label: 'Operating system' },
        { key: 'osVersion', label: 'Version' },
        { key: 'level', label: 'DC functional level' },
        { key: 'readOnly', label: 'Read-only' },
        { key: 'gc', label: 'Global catalog' },
        { key: 'schemaMaster', label: 'Schema master' },
        { key: 'boundDc', label: 'This run\'s DC' },
        { key: 'dsrm', label: 'DSRM backup' },
        { key: 'reason', label: 'Why' },
        { key: 'dn', label: 'DN' },
      ],
      rows: dcRows,
      total: dcRows.length,
      csvFile: 'domain-controllers.csv',
    },
    {
      id: 'kds-root-keys',
      title: 'KDS root keys',
      description: d.kds.readableByAccount ? 'Key parameters only; root key data is never read into a report.' : 'Not readable by the bound account: the list may be incomplete.',
      columns: [
        { key: 'id', label: 'Root key id' },
        { key: 'usableFrom', label: 'Usable from (UTC)' },
        { key: 'usableNow', label: 'Usable now' },
        { key: 'created', label: 'Created (UTC)' },
        { key: 'kdf', label: 'KDF' },
        { key: 'agreement', label: 'Secret agreement' },
        { key: 'dn', label: 'DN' },
      ],
      rows: keyRows,
      total: keyRows.length,
      csvFile: 'kds-root-keys.csv',
    },
    {
      id: 'plan',
      title: d.apply ? 'Changes planned for this apply' : 'Changes an apply would make',
      description: 'Every schema change is irreversible: schema objects can be made defunct but never deleted.',
      columns: [
        { key: 'id', label: 'Id' },
        { key: 'phase', label: 'Phase' },
        { key: 'kind', label: 'Kind' },
        { key: 'dn', label: 'Object' },
        { key: 'attribute', label: 'Attribute' },
        { key: 'irreversible', label: 'Irreversible' },
        { key: 'reason', label: 'Why' },
      ],
      rows: changeRows,
      total: changeRows.length,
      csvFile: 'planned-changes.csv',
    },
  ];
  if (d.apply) {
    const runRows = d.apply.runs.map((x) => ({
      phase: x.phase,
      runId: x.runId,
      status: x.status,
      applied: x.counts.applied,
      alreadyDone: x.counts.alreadyDone,
      conflicts: x.counts.conflicts,
      failed: x.counts.failed,
      stoppedAt: x.stoppedAt ? `${x.stoppedAt.changeId}: ${x.stoppedAt.message}` : '',
    }));
    tables.push({
      id: 'apply-runs',
      title: 'Apply runs (journal)',
      columns: [
        { key: 'phase', label: 'Phase' },
        { key: 'runId', label: 'Journal run' },
        { key: 'status', label: 'Status' },
        { key: 'applied', label: 'Applied', numeric: true },
        { key: 'alreadyDone', label: 'Already done', numeric: true },
        { key: 'conflicts', label: 'Conflicts', numeric: true },
        { key: 'failed', label: 'Failed', numeric: true },
        { key: 'stoppedAt', label: 'Stopped at' },
      ],
      rows: runRows,
      total: runRows.length,
    });
  }
  const attributeSlices: Slice[] = [
    { label: 'As defined', value: winOk, tone: 'good' },
    { label: 'Not in computer class', value: win.filter((a) => (a.status === 'ok' || a.status === 'mismatch') && !a.inComputerMayContain).length, tone: 'warn' },
    { label: 'Differs', value: count('mismatch'), tone: 'bad' },
    { label: 'Missing', value: count('missing'), tone: 'bad' },
    { label: 'Name taken', value: count('name-conflict'), tone: 'bad' },
  ];
  const dsrmBars: Slice[] = (['possible', 'if-patched', 'not-possible', 'unknown'] as DsrmBackup[]).map((k) => ({
    label: DSRM_LABEL[k],
    value: d.domainControllers.filter((dc) => dc.dsrmBackup === k).length,
    tone: k === 'possible' ? 'good' : k === 'if-patched' ? 'neutral' : k === 'not-possible' ? 'bad' : 'warn',
  }));
  return {
    step: 'schema',
    title: 'Schema and prerequisites',
    generatedAt: r.generatedAt,
    toolVersion: r.tool.version,
    target: r.target,
    headline: [
      {
        label: 'Windows LAPS attributes ready',
        value: `${winOk} of ${win.length}`,
        tone: winOk === win.length && d.windowsLaps.extendedRight.status === 'ok' ? 'good' : 'bad',
        detail: `extended right ${d.windowsLaps.extendedRight.status === 'ok' ? 'present' : d.windowsLaps.extendedRight.status}`,
      },
      {
        label: 'Legacy LAPS schema',
        value: d.legacy.status,
        tone: 'neutral',
        detail: d.legacy.renamed ? 'renamed (found by attributeID)' : d.legacy.attributes.map((a) => a.name).filter(Boolean).join(', ') || 'not in this forest',
      },
      {
        label: 'Domain functional level',
        value: dfl.domain.name,
        tone: dfl.encryptionSupported ? 'good' : d.options.encryption ? 'bad' : 'warn',
        detail: dfl.encryptionSupported ? `forest ${dfl.forest.name}; encryption possible` : `forest ${dfl.forest.name}; encryption needs 2016`,
      },
      {
        label: 'KDS root key',
        value: KDS_LABEL[d.kds.status],
        tone: d.kds.status === 'usable' ? 'good' : d.kds.status === 'missing' ? 'bad' : 'warn',
        detail: d.kds.status === 'not-yet-effective' ? `usable from ${d.kds.usableFrom}` : d.kds.status === 'unreadable' ? 'not readable by this account' : `${d.kds.rootKeys.length} key(s)`,
      },
      {
        label: 'Schema master',
        value: d.schemaMaster.dnsHostName?.split('.')[0] ?? 'unknown',
        tone: 'neutral',
        detail: `${d.schemaMaster.dnsHostName ?? ''}${d.schemaMaster.boundDcIsMaster ? ' (this run\'s DC)' : ' (not this run\'s DC)'}; schema version ${d.schemaVersion.objectVersion ?? '?'}${d.schemaVersion.name ? ` (${d.schemaVersion.name})` : ''}`,
      },
      {
        label: d.apply ? 'Changes applied' : 'Changes planned',
        value: d.apply ? d.apply.runs.reduce((n, x) => n + x.counts.applied, 0) : pending,
        tone: d.apply ? (d.apply.exitCode === 0 ? 'good' : 'bad') : pending ? 'warn' : 'good',
        detail: d.apply ? `${d.apply.runs.length} journal run(s)` : pending ? `${d.plan.irreversible} irreversible` : 'nothing to change',
      },
    ],
    charts: [
      { kind: 'donut', id: 'windows-attributes', title: 'Windows LAPS attributes', slices: attributeSlices },
      { kind: 'bar', id: 'dsrm', title: 'Domain controllers: DSRM password backup', bars: dsrmBars },
    ],
    tables,
    findings: r.findings,
    notes: [
      `Checked as ${d.boundAs.dn} (Schema Admin: ${d.boundAs.schemaAdmin ? 'yes' : 'no'}, Domain Admin: ${d.boundAs.domainAdmin ? 'yes' : 'no'}, Enterprise Admin: ${d.boundAs.enterpriseAdmin ? 'yes' : 'no'}) on ${d.readAt}${d.source === 'snapshot' ? ' (from a saved snapshot)' : ''}.`,
      'Windows LAPS attributes are compared with Microsoft\'s published definitions (Windows LAPS schema extensions reference); legacy attributes are found by attributeID, whatever their name.',
      ...(d.options.encryption ? [] : ['Run with --no-encryption: functional level and KDS root key problems are warnings, not blockers.']),
      ...d.plan.notes,
    ],
    json: r,
  };
}
