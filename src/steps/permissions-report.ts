/**
 * The permissions step's report: SELF coverage and non-admin access at a glance, the OU x
 * capability grid, every access route, computers, the apply plan (SELF grants, mirrored
 * delegations, remediation, the changes) and findings. Built from the StepResult (and the plan's
 * change list) only; no password or secret is in it.
 */
import type { ReportModel, Slice, TableSpec } from '../report/model.js';
import { CAPABILITIES, CAPABILITY_LABELS, isDelegated, type Capability, type ContainerRecord, type HolderBrief, type Route } from './permissions-analysis.js';
import type { PermissionsResult } from './permissions.js';

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function holderText(h: HolderBrief): string {
  const via = h.route ? ` (${h.route}${h.origin === 'inherited' && h.definedAt ? ` at ${h.definedAt}` : ''})` : '';
  return `${h.name}${via}`;
}

/** Non-admin holders, or "-" (admins, DCs, SELF and CREATOR OWNER are left out of the grid). */
function nonAdmin(c: ContainerRecord, cap: Capability): string {
  const list = c.holders[cap].filter((h) => isDelegated(h.tier));
  return list.length ? list.map(holderText).join('; ') : '-';
}

export function containerRow(c: ContainerRecord): Record<string, string | number | null> {
  const denied = new Set(CAPABILITIES.flatMap((cap) => c.denied[cap].map((h) => h.name)));
  return {
    ou: c.path,
    computers: c.computers,
    legacyManaged: c.legacyManaged,
    protected: yesNo(c.protected),
    selfLegacy: c.readable ? yesNo(c.self.legacy) : 'unknown',
    selfWindows: c.readable ? yesNo(c.self.windows) : 'unknown',
    selfReadEncrypted: c.readable ? yesNo(c.self.readEncrypted) : 'unknown',
    readLegacy: nonAdmin(c, 'readLegacy'),
    readWindowsClear: nonAdmin(c, 'readWindowsClear'),
    readWindowsEncrypted: nonAdmin(c, 'readWindowsEncrypted'),
    resetLegacy: nonAdmin(c, 'resetLegacy'),
    resetWindows: nonAdmin(c, 'resetWindows'),
    denied: [...denied].join('; ') || '-',
    canGrantThemselves: c.canGrantThemselves.map((h) => `${h.name} (${h.routes.join(', ')})`).join('; ') || '-',
    encryptedFor: c.encryptedFor.map((e) => `${e.name} (${e.computers})`).join('; ') || '-',
    dn: c.dn,
  };
}

const GRID_COLUMNS: TableSpec['columns'] = [
  { key: 'ou', label: 'OU / container' },
  { key: 'computers', label: 'Computers', numeric: true },
  { key: 'legacyManaged', label: 'Legacy-managed', numeric: true },
  { key: 'protected', label: 'DACL protected' },
  { key: 'selfLegacy', label: 'SELF legacy write' },
  { key: 'selfWindows', label: 'SELF Windows LAPS write' },
  { key: 'selfReadEncrypted', label: 'SELF reads own encrypted' },
  { key: 'readLegacy', label: 'Read legacy (non-admin)' },
  { key: 'readWindowsClear', label: 'Read msLAPS-Password (non-admin)' },
  { key: 'readWindowsEncrypted', label: 'Read encrypted (non-admin)' },
  { key: 'resetLegacy', label: 'Reset legacy (non-admin)' },
  { key: 'resetWindows', label: 'Reset Windows LAPS (non-admin)' },
  { key: 'denied', label: 'Denied' },
  { key: 'canGrantThemselves', label: 'Can grant themselves' },
  { key: 'encryptedFor', label: 'Encrypted to' },
  { key: 'dn', label: 'DN' },
];

const ROUTE_LABELS: Record<Route, string> = {
  'full-control': 'Full control',
  'all-extended-rights': 'All Extended Rights',
  delegation: 'Delegation',
  'creator-owner': 'Creator / owner',
  'all-properties': 'All properties',
  other: 'Other',
  owner: 'Owner (implicit)',
  'write-dac': 'Write DACL',
  'write-owner': 'Write owner',
};

/**
 * The result as written to permissions.json: computers refer to the access profile they share
 * (what SELF may do and who reads or resets, per distinct descriptor) instead of repeating it,
 * which keeps the file (and the time to write it) small at 100k computers.
 */
export function compactResult(r: PermissionsResult): unknown {
  const profiles: Array<{ source: string; self: unknown; nonAdmin: unknown }> = [];
  const index = new Map<unknown, number>();
  const computers = r.data.computers.map((c) => {
    let i = index.get(c.nonAdmin);
    if (i === undefined || profiles[i]!.self !== c.self || profiles[i]!.source !== c.source) {
      i = profiles.length;
      profiles.push({ source: c.source, self: c.self, nonAdmin: c.nonAdmin });
      index.set(c.nonAdmin, i);
    }
    return { name: c.name, dn: c.dn, ou: c.ouPath, dc: c.domainController, legacyManaged: c.legacyManaged, windowsManaged: c.windowsManaged, owner: c.owner, creator: c.creator, encryptedFor: c.encryptedFor, access: i };
  });
  return { ...r, data: { ...r.data, computers, accessProfiles: profiles } };
}

export function permissionsReportModel(r: PermissionsResult): ReportModel {
  const d = r.data;
  const s = d.summary;
  const members = d.containers.filter((c) => c.computers - c.domainControllers > 0);
  const computersMissing = (k: 'legacy' | 'windows') => (k === 'windows' ? s.self.windowsMissingComputers : s.self.legacyMissingComputers);
  const memberComputers = members.reduce((n, c) => n + c.computers - c.domainControllers, 0);
  const legacyManaged = members.reduce((n, c) => n + c.legacyManaged, 0);
  const selfBars: Slice[] = [];
  if (s.windowsLapsSchema) {
    selfBars.push({ label: 'Windows LAPS: can write', value: memberComputers - computersMissing('windows'), tone: 'good' });
    selfBars.push({ label: 'Windows LAPS: cannot write', value: computersMissing('windows'), tone: 'bad' });
  }
  if (s.legacySchema) {
    selfBars.push({ label: 'Legacy-managed: can write', value: legacyManaged - computersMissing('legacy'), tone: 'good' });
    selfBars.push({ label: 'Legacy-managed: cannot write', value: computersMissing('legacy'), tone: 'warn' });
  }
  const nonAdminRows = d.access.filter((a) => a.effective && isDelegated(a.tier));
  const routeCounts = new Map<Route, number>();
  for (const a of nonAdminRows) if (a.route) routeCounts.set(a.route, (routeCounts.get(a.route) ?? 0) + 1);
  const readersPer = (c: ContainerRecord, caps: Capability[]) => new Set(caps.flatMap((cap) => c.holders[cap].filter((h) => isDelegated(h.tier)).map((h) => h.sid))).size;
  const changes = d.plan.changes;
  const accessRows = d.access.map((a) => ({
    container: a.container,
    principal: a.principal,
    tier: a.tier,
    capability: CAPABILITY_LABELS[a.capability],
    effective: yesNo(a.effective),
    denied: yesNo(a.denied),
    route: a.route ?? '',
    routes: a.routes.join(', '),
    origin: a.origin ?? '',
    definedAt: a.definedAt ?? '',
    sid: a.sid,
    dn: a.dn,
  }));
  const computerRows = d.computers.map((c) => ({
    name: c.name,
    ou: c.ouPath,
    source: c.source,
    dc: yesNo(c.domainController),
    legacyManaged: yesNo(c.legacyManaged),
    owner: c.ownerName ?? '',
    creator: c.creatorName ?? '',
    selfLegacy: yesNo(c.self.legacy),
    selfWindows: yesNo(c.self.windows),
    selfReadEncrypted: yesNo(c.self.readEncrypted),
    readLegacy: c.nonAdmin.readLegacy.join('; '),
    readWindows: [...new Set([...c.nonAdmin.readWindowsClear, ...c.nonAdmin.readWindowsEncrypted])].join('; '),
    encryptedFor: c.encryptedFor ?? '',
    dn: c.dn,
  }));
  const risky = s.risky.allExtendedRights + s.risky.fullControl + s.risky.dirSync + s.risky.canGrantThemselves;
  const tables: TableSpec[] = [
    {
      id: 'grid',
      title: 'OU x capability',
      description: 'For a computer in each OU (its own descriptor is evaluated with --per-computer). Readers and resetters are delegated (non-admin) principals; admins, DCs, built-in operator groups, SELF and the creating account are in the access table only. Route and where it was delegated in brackets.',
      columns: GRID_COLUMNS,
      rows: d.containers.map(containerRow),
      total: d.containers.length,
      csvFile: 'ous.csv',
      htmlLimit: 100,
    },
    {
      id: 'plan-self',
      title: 'Plan: SELF permissions',
      description: 'What each container holding computers has now and after the plan; grants are made from the top, containers below inherit them unless their DACL is protected.',
      columns: [
        { key: 'container', label: 'OU / container' },
        { key: 'computers', label: 'Computers', numeric: true },
        { key: 'windowsNow', label: 'Windows LAPS now' },
        { key: 'readEncryptedNow', label: 'Reads own encrypted now' },
        { key: 'legacyNow', label: 'Legacy now' },
        { key: 'action', label: 'Action' },
        { key: 'grants', label: 'Grants' },
        { key: 'windowsAfter', label: 'Windows LAPS after' },
        { key: 'legacyAfter', label: 'Legacy after' },
      ],
      rows: d.plan.self.map((x) => ({ ...x, windowsNow: yesNo(x.windowsNow), readEncryptedNow: yesNo(x.readEncryptedNow), legacyNow: yesNo(x.legacyNow), grants: x.grants.join(', ') || '-', windowsAfter: yesNo(x.windowsAfter && x.readEncryptedAfter), legacyAfter: yesNo(x.legacyAfter) })),
      total: d.plan.self.length,
      csvFile: 'plan-self.csv',
    },
    {
      id: 'plan-mirror',
      title: 'Plan: legacy delegations mirrored onto Windows LAPS',
      columns: [
        { key: 'container', label: 'OU / container' },
        { key: 'principal', label: 'Principal' },
        { key: 'kinds', label: 'Kind' },
        { key: 'legacyAces', label: 'Legacy ACEs' },
        { key: 'windowsAces', label: 'Windows LAPS ACEs' },
        { key: 'status', label: 'Status' },
      ],
      rows: d.plan.mirror.map((m) => ({ ...m, kinds: m.kinds.join(', '), legacyAces: m.legacyAces.join(' '), windowsAces: m.windowsAces.join(' ') })),
      total: d.plan.mirror.length,
      csvFile: 'plan-mirror.csv',
    },
    {
      id: 'changes',
      title: 'Planned changes',
      description: 'Written only with --apply, through the journal (each DACL re-read, compared, written, read back).',
      columns: [
        { key: 'id', label: 'Change' },
        { key: 'dn', label: 'Object' },
        { key: 'sdFlags', label: 'SD flags', numeric: true },
        { key: 'reason', label: 'Why' },
      ],
      rows: changes.map((c) => ({ ...c })),
      total: changes.length,
      csvFile: 'changes.csv',
    },
    {
      id: 'access',
      title: 'Access routes',
      description: 'Every principal named in a descriptor that has (or is denied) a capability, per container.',
      columns: [
        { key: 'container', label: 'OU / container' },
        { key: 'principal', label: 'Principal' },
        { key: 'tier', label: 'Kind' },
        { key: 'capability', label: 'Capability' },
        { key: 'effective', label: 'Has it' },
        { key: 'denied', label: 'Denied' },
        { key: 'route', label: 'Route' },
        { key: 'routes', label: 'All routes' },
        { key: 'origin', label: 'Origin' },
        { key: 'definedAt', label: 'Delegated at' },
        { key: 'sid', label: 'SID' },
        { key: 'dn', label: 'DN' },
      ],
      rows: accessRows,
      total: accessRows.length,
      csvFile: 'access.csv',
      htmlLimit: 200,
    },
    {
      id: 'computers',
      title: 'Computers',
      description: s.perComputer ? "Each computer's own descriptor." : "Values from the container's descriptor (run with --per-computer to read each computer's own).",
      columns: [
        { key: 'name', label: 'Computer' },
        { key: 'ou', label: 'OU' },
        { key: 'source', label: 'Evaluated on' },
        { key: 'dc', label: 'DC' },
        { key: 'legacyManaged', label: 'Legacy-managed' },
        { key: 'owner', label: 'Owner' },
        { key: 'creator', label: 'Created by' },
        { key: 'selfLegacy', label: 'SELF legacy' },
        { key: 'selfWindows', label: 'SELF Windows LAPS' },
        { key: 'selfReadEncrypted', label: 'SELF reads encrypted' },
        { key: 'readLegacy', label: 'Read legacy (non-admin)' },
        { key: 'readWindows', label: 'Read Windows LAPS (non-admin)' },
        { key: 'encryptedFor', label: 'Encrypted to (SID)' },
        { key: 'dn', label: 'DN' },
      ],
      rows: computerRows,
      total: computerRows.length,
      csvFile: 'computers.csv',
      htmlLimit: 200,
    },
  ];
  if (d.plan.remediation.length) {
    tables.splice(3, 0, {
      id: 'plan-remediation',
      title: 'Plan: remediation (opt-in)',
      columns: [
        { key: 'kind', label: 'Kind' },
        { key: 'object', label: 'Object' },
        { key: 'principal', label: 'Principal' },
        { key: 'detail', label: 'Change' },
      ],
      rows: d.plan.remediation.map((x) => ({ ...x })),
      total: d.plan.remediation.length,
      csvFile: 'plan-remediation.csv',
    });
  }
  if (d.dirSync.length) {
    tables.push({
      id: 'dirsync',
      title: 'Replication rights at the domain root (DirSync), domain controllers left out',
      columns: [
        { key: 'name', label: 'Principal' },
        { key: 'tier', label: 'Kind' },
        { key: 'rights', label: 'Rights' },
        { key: 'sid', label: 'SID' },
      ],
      rows: d.dirSync.map((x) => ({ ...x, rights: x.rights.join(', ') })),
      total: d.dirSync.length,
      csvFile: 'dirsync.csv',
    });
  }
  return {
    step: 'permissions',
    title: 'LAPS permissions',
    generatedAt: r.generatedAt,
    toolVersion: r.tool.version,
    target: r.target,
    headline: [
      { label: 'Computers', value: s.computers, detail: `in ${s.containers} containers${s.perComputer ? ', each descriptor read' : ''}` },
      s.windowsLapsSchema
        ? { label: 'Cannot write Windows LAPS', value: s.self.windowsMissingComputers, tone: s.self.windowsMissingComputers ? 'bad' : 'good', detail: `${s.self.windowsMissingContainers} container(s) lack SELF` }
        : { label: 'Windows LAPS schema', value: 'missing', tone: 'warn', detail: 'run the schema step first' },
      { label: 'Legacy SELF missing', value: s.self.legacyMissingComputers, tone: s.self.legacyMissingComputers ? 'warn' : 'good', detail: `legacy-managed computers in ${s.self.legacyMissingContainers} container(s)` },
      { label: 'Non-admin readers', value: `${s.nonAdminLegacyReaders} / ${s.nonAdminWindowsReaders}`, detail: 'legacy / Windows LAPS' },
      { label: 'Delegation gaps', value: s.readGaps + s.resetGaps, tone: s.readGaps + s.resetGaps ? 'warn' : 'good', detail: `${s.readGaps} read, ${s.resetGaps} reset` },
      { label: 'Risky access', value: risky + s.risky.ownerCanRead, tone: risky + s.risky.ownerCanRead ? 'bad' : 'good', detail: `${s.risky.allExtendedRights} All Extended Rights, ${s.risky.ownerCanRead} owned by non-admins, ${s.risky.dirSync} DirSync` },
      { label: 'Planned changes', value: changes.length, detail: changes.length ? 'written only with --apply' : 'nothing to change' },
    ],
    charts: [
      { kind: 'bar', id: 'self', title: 'Can computers write their own LAPS password? (SELF)', bars: selfBars },
      {
        kind: 'stacked-bar',
        id: 'readers',
        title: 'Non-admin principals that read passwords, per OU',
        series: [{ label: 'Legacy', tone: 'warn' }, { label: 'Windows LAPS', tone: 'good' }],
        bars: d.containers.map((c) => ({ label: c.path, values: [readersPer(c, ['readLegacy']), readersPer(c, ['readWindowsClear', 'readWindowsEncrypted'])] })),
        limit: 25,
      },
      { kind: 'bar', id: 'routes', title: 'Non-admin access by route (principal x OU x capability)', bars: [...routeCounts.entries()].map(([k, v]) => ({ label: ROUTE_LABELS[k], value: v, tone: k === 'delegation' ? 'neutral' : 'bad' })) },
    ],
    tables,
    findings: r.findings,
    notes: [
      "Predictions follow Windows' access check: reading a confidential attribute (the LAPS passwords) needs READ_PROPERTY and CONTROL_ACCESS on it or its property set; a reset is WRITE_PROPERTY on the expiration time. Callback (conditional) ACEs are not evaluated.",
      'Group membership comes from tokenGroups (accounts) and nested group membership (groups); Everyone and Authenticated Users are added to every principal.',
      'An OU\'s answer is the one for a computer created there now: the computer class defaults (CREATOR OWNER = whoever creates it) plus what it inherits. Existing computers can differ (owner, explicit ACEs): --per-computer reads each one.',
      'Readable encrypted values are inspected (DPAPI-NG protection descriptor) to learn whom they are encrypted to; nothing is decrypted.',
      'Samba 4.17 lets a principal holding CONTROL_ACCESS on an attribute (or All Extended Rights) also write it; Windows does not. Reset predictions follow Windows.',
    ],
    json: compactResult(r),
  };
}
