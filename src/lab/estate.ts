/**
 * The baseline legacy-LAPS estate the lab seeds: OUs, groups, users, computers (OS builds,
 * legacy passwords rotating or expired, disabled, stale, joiner-owned), GPOs and delegations,
 * including the risky ones the permissions step must find. Data only; seed.ts writes it.
 */

export interface EstateOu {
  key: string;
  /** RDN path below the domain, leaf first: "OU=Finance,OU=Workstations". */
  rdn: string;
  description: string;
  blockInheritance?: boolean;
}

export interface EstateUser {
  key: string;
  sam: string;
  ouKey: string;
  description: string;
  memberOf: string[];
}

export interface EstateComputer {
  name: string;
  ouKey: string;
  os?: string;
  osVersion?: string;
  legacy: 'rotating' | 'expired' | 'none';
  disabled?: boolean;
  stale?: boolean;
  knownPassword?: boolean;
  joinedBy?: string;
}

export interface EstateGpo {
  key: string;
  displayName: string;
  machineExtensions: string;
  links: Array<{ ouKey: string | null; enforced?: boolean; disabled?: boolean }>;
  /** Registry.pol settings written to the lab's SYSVOL folder: [key, value, type, data]. */
  legacyPolicy?: { passwordAgeDays: number; passwordLength: number; complexity: number };
}

export const LEGACY_CSE = '{D76B9641-3288-4F75-942D-087DE603E3EA}';
export const ADMIN_TEMPLATES_CSE = '{35378EAC-683F-11D2-A89A-00C04FBBCFA2}';
export const REGISTRY_TOOL = '{D02B1F72-3407-48AE-BA88-E8213C6761F1}';

export const ESTATE_OUS: EstateOu[] = [
  { key: 'workstations', rdn: 'OU=Workstations', description: 'All client computers (legacy LAPS GPO linked here)' },
  { key: 'finance', rdn: 'OU=Finance,OU=Workstations', description: 'Finance clients; deny ACE for one helpdesk user' },
  { key: 'sales', rdn: 'OU=Sales,OU=Workstations', description: 'Sales clients; blocks GPO inheritance', blockInheritance: true },
  { key: 'protected', rdn: 'OU=Protected,OU=Workstations', description: 'DACL protected: no inherited delegations' },
  { key: 'servers', rdn: 'OU=Servers', description: 'Member servers (legacy LAPS GPO, enforced)' },
  { key: 'web', rdn: 'OU=Web,OU=Servers', description: 'Web servers; All Extended Rights granted to Web Operators' },
  { key: 'kiosks', rdn: 'OU=Kiosks', description: 'Never managed by LAPS' },
  { key: 'people', rdn: 'OU=People', description: 'User accounts and groups' },
];

export const ESTATE_GROUPS = [
  { key: 'helpdesk', sam: 'LAPS Helpdesk', description: 'May read and reset workstation LAPS passwords' },
  { key: 'serverteam', sam: 'Server Team', description: 'May read server LAPS passwords' },
  { key: 'webops', sam: 'Web Operators', description: 'Holds All Extended Rights on OU=Web (risky)' },
];

export const ESTATE_USERS: EstateUser[] = [
  { key: 'user', sam: 'alice', ouKey: 'people', description: 'Plain domain user (no LAPS rights)', memberOf: [] },
  { key: 'helpdesk', sam: 'hd-bob', ouKey: 'people', description: 'Helpdesk technician (denied on Finance)', memberOf: ['helpdesk'] },
  { key: 'helpdesk2', sam: 'hd-erin', ouKey: 'people', description: 'Helpdesk technician', memberOf: ['helpdesk'] },
  { key: 'serverop', sam: 'srv-carol', ouKey: 'people', description: 'Server team member', memberOf: ['serverteam'] },
  { key: 'webop', sam: 'web-dave', ouKey: 'people', description: 'Web operator (All Extended Rights on OU=Web)', memberOf: ['webops'] },
  { key: 'joiner', sam: 'joiner-jo', ouKey: 'people', description: 'Joins computers to the domain (owns what it creates)', memberOf: [] },
];

export const ESTATE_COMPUTERS: EstateComputer[] = [
  { name: 'FIN-WS01', ouKey: 'finance', os: 'Windows 11 Enterprise', osVersion: '10.0 (22631)', legacy: 'rotating', knownPassword: true },
  { name: 'FIN-WS02', ouKey: 'finance', os: 'Windows 10 Enterprise', osVersion: '10.0 (19045)', legacy: 'expired' },
  { name: 'FIN-WS03', ouKey: 'finance', os: 'Windows 10 Enterprise', osVersion: '10.0 (17134)', legacy: 'rotating' },
  { name: 'SAL-WS01', ouKey: 'sales', os: 'Windows 11 Pro', osVersion: '10.0 (22621)', legacy: 'none' },
  { name: 'SAL-WS02', ouKey: 'sales', os: 'Windows 10 Pro', osVersion: '10.0 (19044)', legacy: 'rotating', disabled: true },
  { name: 'WS-GEN01', ouKey: 'workstations', os: 'Windows 11 Enterprise', osVersion: '10.0 (26100)', legacy: 'rotating', knownPassword: true },
  { name: 'WS-STALE01', ouKey: 'workstations', os: 'Windows 10 Enterprise', osVersion: '10.0 (19045)', legacy: 'expired', stale: true },
  { name: 'WS-JOINED01', ouKey: 'workstations', os: 'Windows 11 Enterprise', osVersion: '10.0 (22631)', legacy: 'none', joinedBy: 'joiner' },
  { name: 'PRT-WS01', ouKey: 'protected', os: 'Windows 11 Enterprise', osVersion: '10.0 (22631)', legacy: 'rotating' },
  { name: 'SRV-APP01', ouKey: 'servers', os: 'Windows Server 2016 Standard', osVersion: '10.0 (14393)', legacy: 'rotating' },
  { name: 'SRV-WEB01', ouKey: 'web', os: 'Windows Server 2022 Standard', osVersion: '10.0 (20348)', legacy: 'rotating', knownPassword: true },
  { name: 'SRV-WEB02', ouKey: 'web', os: 'Windows Server 2019 Standard', osVersion: '10.0 (17763)', legacy: 'expired' },
  { name: 'KIOSK01', ouKey: 'kiosks', os: 'Windows 10 Enterprise LTSC', osVersion: '10.0 (19044)', legacy: 'none', knownPassword: true },
  { name: 'LNX-01', ouKey: 'kiosks', os: 'Ubuntu', osVersion: '22.04', legacy: 'none' },
  { name: 'UNK-01', ouKey: 'kiosks', legacy: 'none' },
];

export const ESTATE_GPOS: EstateGpo[] = [
  {
    key: 'legacyWorkstations',
    displayName: 'LAPS Legacy - Workstations',
    machineExtensions: `[${LEGACY_CSE}${REGISTRY_TOOL}]`,
    links: [{ ouKey: 'workstations' }],
    legacyPolicy: { passwordAgeDays: 30, passwordLength: 14, complexity: 4 },
  },
  {
    key: 'legacyServers',
    displayName: 'LAPS Legacy - Servers',
    machineExtensions: `[${LEGACY_CSE}${REGISTRY_TOOL}]`,
    links: [{ ouKey: 'servers', enforced: true }],
    legacyPolicy: { passwordAgeDays: 14, passwordLength: 20, complexity: 4 },
  },
  {
    key: 'baseline',
    displayName: 'Baseline Security',
    machineExtensions: `[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}]`,
    links: [{ ouKey: null }],
  },
];
