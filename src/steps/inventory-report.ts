/**
 * The inventory's report: headline numbers, charts (state, OS readiness, password age,
 * per-OU stacked bars), tables (computers, OUs, GPOs) and findings. Built from the
 * StepResult only; no password or secret is in it (the result holds none).
 */
import type { ReportModel, Slice, TableSpec } from '../report/model.js';
import { HEALTHS, READINESS, STATES, type ComputerRecord, type LapsState, type Health } from './inventory-analysis.js';
import type { OsReadiness } from '../laps/os-readiness.js';
import { settlePresence, type InventoryResult } from './inventory.js';

export const STATE_LABELS: Record<LapsState, string> = {
  legacy: 'Legacy LAPS',
  'windows-clear': 'Windows LAPS (clear text)',
  'windows-encrypted': 'Windows LAPS (encrypted)',
  both: 'Both',
  none: 'No LAPS',
};
const STATE_TONES: Record<LapsState, Slice['tone']> = { legacy: 'warn', 'windows-clear': 'neutral', 'windows-encrypted': 'good', both: 'neutral', none: 'bad' };

export const HEALTH_LABELS: Record<Health, string> = {
  rotating: 'Rotating',
  due: 'Due (within grace)',
  overdue: 'Expired, not rotating',
  'never-managed': 'Never managed',
  unknown: 'Unknown',
};

export const READINESS_LABELS: Record<OsReadiness, string> = {
  supported: 'Supported (in-box)',
  'supported-if-patched': 'Supported if patched (Apr 2023+)',
  unsupported: 'Unsupported',
  'not-windows': 'Not Windows',
  unknown: 'Unknown OS',
};
const READINESS_TONES: Record<OsReadiness, Slice['tone']> = { supported: 'good', 'supported-if-patched': 'neutral', unsupported: 'bad', 'not-windows': 'neutral', unknown: 'warn' };

const yesNo = (b: boolean | null) => (b === null ? 'unknown' : b ? 'yes' : 'no');

export function computerRow(c: ComputerRecord): Record<string, string | number | null> {
  return {
    name: c.name,
    ou: c.ouPath,
    state: STATE_LABELS[c.state],
    health: HEALTH_LABELS[c.health],
    expires: c.expires,
    passwordAgeDays: c.passwordAgeDays,
    os: c.operatingSystem,
    osVersion: c.operatingSystemVersion,
    readiness: READINESS_LABELS[c.osReadiness],
    enabled: c.enabled ? 'yes' : 'no',
    stale: c.stale ? 'yes' : 'no',
    daysSinceLogon: c.daysSinceLogon,
    dc: c.domainController ? 'yes' : 'no',
    legacyPassword: yesNo(c.legacyPasswordPresent),
    windowsClear: yesNo(c.windowsClearPresent),
    windowsEncrypted: yesNo(c.windowsEncryptedPresent),
    historyEntries: c.historyCount,
    legacyGpos: c.legacyGpos.join('; '),
    dnsHostName: c.dnsHostName,
    dn: c.dn,
  };
}

const COMPUTER_COLUMNS: TableSpec['columns'] = [
  { key: 'name', label: 'Computer' },
  { key: 'ou', label: 'OU' },
  { key: 'state', label: 'LAPS state' },
  { key: 'health', label: 'Health' },
  { key: 'expires', label: 'Expires (UTC)' },
  { key: 'passwordAgeDays', label: 'Password age (d)', numeric: true },
  { key: 'os', label: 'Operating system' },
  { key: 'osVersion', label: 'Version' },
  { key: 'readiness', label: 'Windows LAPS readiness' },
  { key: 'enabled', label: 'Enabled' },
  { key: 'stale', label: 'Stale' },
  { key: 'daysSinceLogon', label: 'Days since logon', numeric: true },
  { key: 'dc', label: 'DC' },
  { key: 'legacyPassword', label: 'Legacy pwd present' },
  { key: 'windowsClear', label: 'msLAPS-Password present' },
  { key: 'windowsEncrypted', label: 'Encrypted present' },
  { key: 'historyEntries', label: 'History entries', numeric: true },
  { key: 'legacyGpos', label: 'Legacy LAPS GPOs reaching it' },
  { key: 'dnsHostName', label: 'DNS name' },
  { key: 'dn', label: 'DN' },
];

/** Rows needing attention first: overdue, never managed, unsupported, then the rest (0-4). */
export function attentionRank(c: ComputerRecord): number {
  if (c.health === 'overdue' && c.enabled && !c.stale) return 0;
  if (c.state === 'none' && c.enabled && !c.stale) return 1;
  if (c.osReadiness === 'unsupported') return 2;
  if (c.health === 'overdue') return 3;
  return 4;
}

/**
 * The report model. With `spooled`, computers come from a stream (the CLI spools them to disk
 * at scale), already in report order: the spool's segments are the attention ranks, so the
 * HTML shows the computers needing attention first while the CSV still gets every one, in one
 * pass over the spool.
 */
export function inventoryReportModel(r: InventoryResult, spooled?: { read: () => AsyncIterable<ComputerRecord>; count: number }): ReportModel {
  const d = r.data;
  const s = d.summary;
  const managed = s.computers - s.states.none;
  const pct = (n: number) => (s.computers ? `${Math.round((100 * n) / s.computers)}%` : '0%');
  const total = spooled ? spooled.count : d.computers.length;
  const computerRows: TableSpec['rows'] = spooled
    ? (async function* () {
        for await (const c of spooled.read()) yield computerRow(settlePresence(c, s.presenceReadable));
      })()
    : [...d.computers].sort((a, b) => attentionRank(a) - attentionRank(b) || a.name.localeCompare(b.name)).map(computerRow);
  const ouRows = d.ous.map((o) => ({
    ou: o.path,
    computers: o.computers,
    legacy: o.states.legacy,
    windowsClear: o.states['windows-clear'],
    windowsEncrypted: o.states['windows-encrypted'],
    both: o.states.both,
    none: o.states.none,
    rotating: o.health.rotating,
    overdue: o.health.overdue,
    unsupported: o.readiness.unsupported,
    ifPatched: o.readiness['supported-if-patched'],
    stale: o.stale,
    disabled: o.disabled,
    blocksInheritance: o.blocksInheritance ? 'yes' : 'no',
    legacyGpos: o.legacyGpos.join('; '),
    dn: o.dn,
  }));
  const gpoRows = d.gpos.map((g) => ({
    name: g.displayName,
    guid: g.guid,
    kind: g.kinds.join(', '),
    computerSettings: g.computerSettingsDisabled ? 'disabled' : 'enabled',
    links: g.links.map((l) => `${l.atPath}${l.enforced ? ' (enforced)' : ''}${l.disabled ? ' (link disabled)' : ''}`).join('; ') || '(not linked)',
    computersReached: g.computersReached,
    legacyComputersReached: g.legacyComputersReached,
    dn: g.dn,
  }));
  return {
    step: 'inventory',
    title: 'LAPS inventory',
    generatedAt: r.generatedAt,
    toolVersion: r.tool.version,
    target: r.target,
    headline: [
      { label: 'Computers', value: s.computers, detail: `${s.enabled} enabled, ${s.stale} stale, ${s.domainControllers} DCs` },
      { label: 'Legacy LAPS', value: s.states.legacy + s.states.both, tone: 'warn', detail: `${pct(s.states.legacy + s.states.both)} of computers` },
      { label: 'Windows LAPS', value: s.states['windows-clear'] + s.states['windows-encrypted'] + s.states.both, tone: 'good', detail: `${s.states['windows-encrypted']} encrypted` },
      { label: 'No LAPS', value: s.states.none, tone: s.states.none ? 'bad' : 'good', detail: `${managed} managed` },
      { label: 'Not rotating', value: s.health.overdue, tone: s.health.overdue ? 'bad' : 'good', detail: `expired > ${d.options.graceDays} days` },
      { label: 'Unsupported OS', value: s.readiness.unsupported, tone: s.readiness.unsupported ? 'warn' : 'good', detail: `${s.readiness['supported-if-patched']} need the Apr 2023 update` },
    ],
    charts: [
      { kind: 'donut', id: 'state', title: 'LAPS state', slices: STATES.map((k) => ({ label: STATE_LABELS[k], value: s.states[k], tone: STATE_TONES[k] })) },
      { kind: 'bar', id: 'readiness', title: 'Windows LAPS OS readiness', bars: READINESS.map((k) => ({ label: READINESS_LABELS[k], value: s.readiness[k], tone: READINESS_TONES[k] })) },
      { kind: 'histogram', id: 'age', title: 'Managed password age (days since last written)', bins: s.passwordAgeHistogram.map((b) => ({ label: b.label, value: b.count })), xLabel: 'days since the password was written', yLabel: 'computers' },
      {
        kind: 'stacked-bar',
        id: 'ous',
        title: 'LAPS state per OU',
        series: STATES.map((k) => ({ label: STATE_LABELS[k], tone: STATE_TONES[k] })),
        bars: d.ous.map((o) => ({ label: o.path, values: STATES.map((k) => o.states[k]) })),
        limit: 25,
      },
      { kind: 'bar', id: 'health', title: 'Password health', bars: HEALTHS.map((k) => ({ label: HEALTH_LABELS[k], value: s.health[k], tone: k === 'rotating' ? 'good' : k === 'overdue' || k === 'never-managed' ? 'bad' : 'neutral' })) },
    ],
    tables: [
      {
        id: 'computers',
        title: 'Computers',
        description: 'Those needing attention first (active and not rotating, never managed, unsupported OS).',
        columns: COMPUTER_COLUMNS,
        rows: computerRows,
        total,
        csvFile: 'computers.csv',
        htmlLimit: 200,
      },
      {
        id: 'ous',
        title: 'Per-OU rollup',
        columns: [
          { key: 'ou', label: 'OU' },
          { key: 'computers', label: 'Computers', numeric: true },
          { key: 'legacy', label: 'Legacy', numeric: true },
          { key: 'windowsClear', label: 'WinLAPS clear', numeric: true },
          { key: 'windowsEncrypted', label: 'WinLAPS encrypted', numeric: true },
          { key: 'both', label: 'Both', numeric: true },
          { key: 'none', label: 'None', numeric: true },
          { key: 'rotating', label: 'Rotating', numeric: true },
          { key: 'overdue', label: 'Not rotating', numeric: true },
          { key: 'unsupported', label: 'Unsupported OS', numeric: true },
          { key: 'ifPatched', label: 'If patched', numeric: true },
          { key: 'stale', label: 'Stale', numeric: true },
          { key: 'disabled', label: 'Disabled', numeric: true },
          { key: 'blocksInheritance', label: 'Blocks inheritance' },
          { key: 'legacyGpos', label: 'Legacy LAPS GPOs' },
          { key: 'dn', label: 'DN' },
        ],
        rows: ouRows,
        total: ouRows.length,
        csvFile: 'ous.csv',
        htmlLimit: 100,
      },
      {
        id: 'gpos',
        title: 'Group Policy objects',
        description: 'LAPS kind from the machine extensions only; the emulation step reads the policy files.',
        columns: [
          { key: 'name', label: 'GPO' },
          { key: 'kind', label: 'LAPS kind' },
          { key: 'computerSettings', label: 'Computer settings' },
          { key: 'links', label: 'Linked at' },
          { key: 'computersReached', label: 'Computers reached', numeric: true },
          { key: 'legacyComputersReached', label: 'of which legacy', numeric: true },
          { key: 'guid', label: 'GUID' },
          { key: 'dn', label: 'DN' },
        ],
        rows: gpoRows,
        total: gpoRows.length,
        csvFile: 'gpos.csv',
        htmlLimit: 100,
      },
    ],
    findings: r.findings,
    notes: [
      'AD does not record patch levels: "supported if patched" builds need the April 2023 cumulative update or later for Windows LAPS.',
      `Password presence is shown only where the bound account may see it; states otherwise come from expiration times and replication metadata. Password values are never read.`,
      'GPO reach follows links, enforcement and blocked inheritance; security filtering and WMI filters are not evaluated.',
      `Stale = no logon for more than ${d.options.staleDays} days; "not rotating" = expired more than ${d.options.graceDays} days ago.`,
    ],
    json: spooled ? { ...r, data: { ...d, computers: undefined, computersFile: 'computers.csv' } } : r,
  };
}
