/**
 * A made-up, inventory-like report model for the report tests: an estate of computers spread
 * over OUs, some on legacy LAPS, some on Windows LAPS, some on neither; a few names are hostile
 * (markup, formulas) the way anyone who can name an object in AD could make them.
 */
import type { Cell, ReportModel, TableSpec } from '../../../src/report/model.js';
import type { Finding } from '../../../src/model/step-result.js';

export const HOSTILE_OU = 'OU=<script>alert(1)</script>,OU="Sales" & <b>Co</b>,DC=corp,DC=example,DC=com';

/** Deterministic pseudo-random numbers (mulberry32), so the estate is the same every run. */
import { seededRandom } from '../../../src/lab/seeded-random.js';

export const seeded = seededRandom;

export const OUS = [
  'OU=Workstations,OU=Paris,DC=corp,DC=example,DC=com',
  'OU=Workstations,OU=London,DC=corp,DC=example,DC=com',
  'OU=Laptops,OU=Berlin,DC=corp,DC=example,DC=com',
  'OU=Servers,OU=Datacenter,DC=corp,DC=example,DC=com',
  'OU=Kiosks,OU=Stores,DC=corp,DC=example,DC=com',
  'OU=Lab,OU=Engineering,DC=corp,DC=example,DC=com',
  HOSTILE_OU,
];
const OS = ['Windows 11 Enterprise', 'Windows 10 Enterprise', 'Windows Server 2022 Standard', 'Windows Server 2019 Standard', 'Windows Server 2016 Standard', 'Windows Server 2012 R2 Standard'];
const STATES = ['Windows LAPS', 'Legacy LAPS', 'Both', 'None'] as const;

export interface Computer extends Record<string, Cell> {
  name: string;
  ou: string;
  os: string;
  state: string;
  expiresInDays: number | null;
  passwordAgeDays: number | null;
  enabled: boolean;
}

export function makeComputers(count: number, seed = 7): Computer[] {
  const rnd = seeded(seed);
  const out: Computer[] = [];
  for (let i = 0; i < count; i += 1) {
    const ou = OUS[Math.floor(rnd() * rnd() * OUS.length)] as string;
    const state = STATES[Math.floor(rnd() * STATES.length)] as string;
    const managed = state !== 'None';
    let name = `PC-${String(i + 1).padStart(5, '0')}`;
    if (i === 3) name = '=HYPERLINK("http://evil.example","click")';
    if (i === 4) name = '<img src=x onerror=alert(1)>';
    out.push({
      name,
      ou,
      os: OS[Math.floor(rnd() * OS.length)] as string,
      state,
      expiresInDays: managed ? Math.round(rnd() * 60 - 15) : null,
      passwordAgeDays: managed ? Math.round(rnd() * 120) : null,
      enabled: rnd() > 0.08,
    });
  }
  return out;
}

export const COMPUTER_COLUMNS: TableSpec['columns'] = [
  { key: 'name', label: 'Computer' },
  { key: 'ou', label: 'OU' },
  { key: 'os', label: 'Operating system' },
  { key: 'state', label: 'LAPS state' },
  { key: 'expiresInDays', label: 'Expires in (days)', numeric: true },
  { key: 'passwordAgeDays', label: 'Password age (days)', numeric: true },
  { key: 'enabled', label: 'Enabled' },
];

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

export const FINDINGS: Finding[] = [
  {
    code: 'LEGACY_READ_DELEGATION',
    severity: 'blocker',
    object: 'OU=Workstations,OU=Paris,DC=corp,DC=example,DC=com',
    message: 'Helpdesk-Paris can read ms-Mcs-AdmPwd but has no read right on msLAPS-Password.',
    evidence: 'ACE: allow CORP\\Helpdesk-Paris ReadProperty ms-Mcs-AdmPwd (inherited to computer objects)',
    advice: 'Grant the same group read on msLAPS-Password and msLAPS-EncryptedPassword before the cut-over (the permissions step can do it).',
    count: 412,
  },
  {
    code: 'ALL_EXTENDED_RIGHTS',
    severity: 'warning',
    object: HOSTILE_OU,
    message: 'Everyone holds All Extended Rights on computer objects <here>, which includes reading LAPS passwords.',
    advice: 'Remove the All Extended Rights grant; give only the rights the group needs.',
    count: 37,
  },
  {
    code: 'SELF_WRITE_MISSING_WINDOWS_LAPS',
    severity: 'warning',
    object: 'OU=Kiosks,OU=Stores,DC=corp,DC=example,DC=com',
    message: 'Computers cannot write their own Windows LAPS attributes.',
    advice: 'Run the permissions step with --apply to grant SELF write on msLAPS-* attributes.',
  },
  {
    code: 'DFL_BELOW_2016',
    severity: 'info',
    object: 'domain',
    message: 'Domain functional level is 2012 R2: encrypted password history is not available.',
    advice: 'Raise the domain functional level to 2016 to use encrypted passwords with history.',
  },
];

/** The model; `computers` defaults to 1,500 made-up rows given as a plain array. */
export function sampleModel(options: { computers?: TableSpec['rows']; total?: number; list?: Computer[] } = {}): ReportModel {
  const list = options.list ?? makeComputers(1500);
  const byState = countBy(list, (c) => c.state);
  const byOs = countBy(list, (c) => c.os);
  const expired = list.filter((c) => c.expiresInDays !== null && c.expiresInDays < 0).length;
  const ageBins = [
    ['0–14', 0, 14],
    ['15–30', 15, 30],
    ['31–60', 31, 60],
    ['61–90', 61, 90],
    ['91–120', 91, 120],
  ] as const;
  const ouRows = OUS.map((ou) => {
    const inOu = list.filter((c) => c.ou === ou);
    const n = (s: string): number => inOu.filter((c) => c.state === s).length;
    return { ou, total: inOu.length, windows: n('Windows LAPS'), legacy: n('Legacy LAPS'), both: n('Both'), none: n('None') };
  });
  return {
    step: 'inventory',
    title: 'LAPS inventory',
    generatedAt: '2025-03-14T09:26:53.000Z',
    toolVersion: '0.1.0',
    target: {
      server: 'ldaps://dc01.corp.example.com',
      domain: 'corp.example.com',
      baseDn: 'DC=corp,DC=example,DC=com',
      boundAs: 'CORP\\laps-auditor',
    },
    headline: [
      { label: 'Computers', value: list.length, detail: 'enabled and disabled' },
      { label: 'On Windows LAPS', value: (byState.get('Windows LAPS') ?? 0) + (byState.get('Both') ?? 0), tone: 'good', detail: `of ${list.length.toLocaleString('en-US')} computers` },
      { label: 'Legacy LAPS only', value: byState.get('Legacy LAPS') ?? 0, tone: 'warn' },
      { label: 'No LAPS', value: byState.get('None') ?? 0, tone: 'bad', detail: 'no managed password' },
      { label: 'Expired passwords', value: expired, tone: expired > 0 ? 'bad' : 'good' },
    ],
    charts: [
      {
        kind: 'donut',
        id: 'laps-state',
        title: 'LAPS state of computers',
        slices: [
          { label: 'Windows LAPS', value: byState.get('Windows LAPS') ?? 0, tone: 'good' },
          { label: 'Both (migrating)', value: byState.get('Both') ?? 0, tone: 'neutral' },
          { label: 'Legacy LAPS', value: byState.get('Legacy LAPS') ?? 0, tone: 'warn' },
          { label: 'None', value: byState.get('None') ?? 0, tone: 'bad' },
        ],
      },
      {
        kind: 'bar',
        id: 'os',
        title: 'Operating systems',
        bars: [...byOs.entries()].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value, ...(label.includes('2012') ? { tone: 'bad' as const } : {}) })),
        xLabel: 'Operating system',
        yLabel: 'computers',
      },
      {
        kind: 'histogram',
        id: 'password-age',
        title: 'Age of the current LAPS password',
        bins: ageBins.map(([label, lo, hi]) => ({
          label,
          value: list.filter((c) => c.passwordAgeDays !== null && c.passwordAgeDays >= lo && c.passwordAgeDays <= hi).length,
          ...(lo > 60 ? { tone: 'warn' as const } : {}),
        })),
        xLabel: 'days since the password was set',
        yLabel: 'computers',
      },
      {
        kind: 'stacked-bar',
        id: 'state-by-ou',
        title: 'LAPS state per OU',
        series: [
          { label: 'Windows LAPS', tone: 'good' },
          { label: 'Both (migrating)', tone: 'neutral' },
          { label: 'Legacy LAPS', tone: 'warn' },
          { label: 'None', tone: 'bad' },
        ],
        bars: ouRows.map((r) => ({ label: r.ou, values: [r.windows, r.both, r.legacy, r.none] })),
        limit: 6,
      },
    ],
    tables: [
      {
        id: 'computers',
        title: 'Computers',
        description: 'Every computer object under the base DN with its LAPS state.',
        columns: COMPUTER_COLUMNS,
        rows: options.computers ?? list,
        ...(options.total !== undefined ? { total: options.total } : {}),
        csvFile: 'computers.csv',
        htmlLimit: 50,
      },
      {
        id: 'ous',
        title: 'Organizational units',
        columns: [
          { key: 'ou', label: 'OU' },
          { key: 'total', label: 'Computers', numeric: true },
          { key: 'windows', label: 'Windows LAPS', numeric: true },
          { key: 'legacy', label: 'Legacy LAPS', numeric: true },
          { key: 'none', label: 'None', numeric: true },
        ],
        rows: ouRows,
        csvFile: 'ous.csv',
      },
    ],
    findings: FINDINGS,
    notes: [
      'AD cannot tell whether a device actually applied its LAPS policy; the expiry time is the best evidence.',
      'Computers that never reported a password have no expiry time.',
    ],
    json: { schemaVersion: 1, step: 'inventory', computers: list.length, ous: ouRows },
  };
}
