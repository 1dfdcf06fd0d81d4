/**
 * Builds a scenario's estate over LDAPS as the lab admin: schemas, OUs, users, groups,
 * computers (each with a known account password, so its simulated device can bind as it),
 * GPOs (groupPolicyContainer + gPLink/gPOptions + the SYSVOL folder), delegations through
 * Samba's own ACL code, KDS root keys. The functional level is raised offline by lab.ts
 * afterwards. Deterministic for a seed (names, builds, CSE, expiry, GPO GUIDs); passwords are random.
 */
import { newRootKey } from '../dpapi-ng/new-root-key.js';
import { LAPS_PROPERTY_SET_GUID } from '../laps/attributes.js';
import { lapsExtendedRightEntry, windowsLapsAttributeEntries, windowsLapsMayContain } from '../laps/schema-entries.js';
import { readLapsSchema } from '../directory/laps-schema.js';
import { kdsMasterRootKeysDn, kdsRootKeyAttributes, kdsServiceDn } from '../directory/kds.js';

import { applyAclOps, type AclOp } from './acl-tool.js';
import { ADMIN_TEMPLATES_CSE, LEGACY_CSE, REGISTRY_TOOL } from './estate.js';
import { scenarioPolicyEntries, writeGpoFolder } from './gpo-folder.js';
import type { Scenario, ScenarioComputer } from './scenario-schema.js';
import { addLegacySchema, COMPUTER_CLASS_GUID, fileTimeString, labPassword, readSid, unicodePwd, type SeedContext, type SeedResult } from './seed.js';
import type { DeviceSeed } from './device-state.js';
import { seededRandom } from './seeded-random.js';

export { seededRandom };

export interface ScenarioSeedResult extends SeedResult {
  devices: DeviceSeed[];
}

export function ouDn(path: string, baseDn: string): string {
  if (!path) return baseDn;
  return `${path.split('/').reverse().map((p) => `OU=${p}`).join(',')},${baseDn}`;
}

const OS_BY_BUILD: Record<number, string> = {
  14393: 'Windows Server 2016 Standard', 17763: 'Windows 10 Enterprise LTSC 2019', 20348: 'Windows Server 2022 Standard', 25398: 'Windows Server Datacenter',
  22000: 'Windows 11 Enterprise', 22621: 'Windows 11 Enterprise', 22631: 'Windows 11 Enterprise', 26100: 'Windows 11 Enterprise',
};
export function osName(build: number): string {
  return OS_BY_BUILD[build] ?? 'Windows 10 Enterprise';
}

/** Expands `count` entries: NAME01, NAME02... with builds cycled and the CSE ratio applied. */
export type ExpandedComputer = Omit<ScenarioComputer, 'build' | 'count'> & { build?: number; cseInstalled: boolean };

export function expandComputers(list: ScenarioComputer[], computersFlag: number, rnd: () => number): ExpandedComputer[] {
  const out: ExpandedComputer[] = [];
  for (const c of list) {
    const count = c.count === '$computers' ? computersFlag : c.count;
    const builds = c.build === undefined ? [] : Array.isArray(c.build) ? c.build : [c.build];
    const n = count ?? 1;
    const width = Math.max(2, String(n).length);
    for (let i = 0; i < n; i++) {
      const name = count === undefined ? c.name : `${c.name}${String(i + 1).padStart(width, '0')}`;
      const build = builds.length ? builds[i % builds.length] : undefined;
      const cseInstalled = typeof c.cse === 'number' ? rnd() < c.cse : c.cse;
      const { build: _b, count: _c, ...rest } = c;
      out.push({ ...rest, name, ...(build !== undefined ? { build } : {}), cseInstalled });
    }
  }
  return out;
}

function guidFrom(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('').toUpperCase();
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-A${hex.slice(17, 20)}-${hex.slice(20)}}`;
}

async function extendWindowsLapsSchema(ctx: SeedContext): Promise<void> {
  for (const e of windowsLapsAttributeEntries(ctx.schemaDn)) await ctx.dir.add(e.dn, e.attributes);
  const right = lapsExtendedRightEntry(ctx.configDn);
  await ctx.dir.add(right.dn, right.attributes);
  await ctx.dir.modify('', [{ operation: 'add', attribute: 'schemaUpdateNow', values: ['1'] }]);
  await ctx.dir.modify(`CN=Computer,${ctx.schemaDn}`, [{ operation: 'add', attribute: 'mayContain', values: windowsLapsMayContain() }]);
  await ctx.dir.modify('', [{ operation: 'add', attribute: 'schemaUpdateNow', values: ['1'] }]);
}

async function addKdsRootKeys(ctx: SeedContext, count: number, dcDn: string): Promise<void> {
  if (count === 0) return;
  for (const dn of [kdsServiceDn(ctx.configDn), kdsMasterRootKeysDn(ctx.configDn)]) {
    if (!(await ctx.dir.read(dn, ['cn']))) await ctx.dir.add(dn, { objectClass: ['top', 'container'] });
  }
  const now = new Date();
  for (let i = 0; i < count; i++) {
    // effective 10 hours ago: as after Add-KdsRootKey and the replication wait
    const key = newRootKey({ useStartTime: new Date(now.getTime() - 10 * 3_600_000) });
    await ctx.dir.add(`CN=${key.id},${kdsMasterRootKeysDn(ctx.configDn)}`, kdsRootKeyAttributes(key, dcDn, now));
  }
}

export async function buildScenario(ctx: SeedContext, s: Scenario, options: { seed: number; computers: number; sysvolDir: string; dcDn: string }): Promise<ScenarioSeedResult> {
  const { dir, baseDn } = ctx;
  const rnd = seededRandom(options.seed);
  const dnsDomain = ctx.realm.toLowerCase();
  const result: ScenarioSeedResult = { accounts: {}, groups: {}, ous: {}, computers: [], gpos: {}, legacyAttributeNames: undefined, devices: [] };
  const legacy = s.legacySchema === 'none' ? undefined : await addLegacySchema(ctx, s.legacySchema);
  if (legacy) result.legacyAttributeNames = { password: legacy.pwdName, expiration: legacy.expName };
  if (s.windowsLapsSchema) await extendWindowsLapsSchema(ctx);

  // OUs, parents first (a path's parents are created even when not listed)
  const paths = new Set<string>();
  for (const p of [...s.ous.map((o) => o.path), ...s.computers.map((c) => c.ou), ...s.users.map((u) => u.ou), ...s.groups.map((g) => g.ou)]) {
    const parts = p ? p.split('/') : [];
    for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join('/'));
  }
  for (const p of [...paths].sort((a, b) => a.split('/').length - b.split('/').length)) {
    const spec = s.ous.find((o) => o.path === p);
    const dn = ouDn(p, baseDn);
    await dir.add(dn, { objectClass: ['top', 'organizationalUnit'], ...(spec?.description ? { description: [spec.description] } : {}) });
    if (spec?.blockInheritance) await dir.modify(dn, [{ operation: 'replace', attribute: 'gPOptions', values: ['1'] }]);
    result.ous[p] = dn;
  }

  const admin = await dir.whoAmI();
  result.accounts.admin = { dn: admin.dn, sAMAccountName: 'Administrator', userPrincipalName: `Administrator@${dnsDomain}`, sid: admin.sid, kind: 'user', passwordFile: ctx.storePassword('admin', ctx.adminPassword) };
  const principals = new Map<string, { dn: string; sid: string }>();
  for (const u of s.users) {
    const dn = `CN=${u.name},${ouDn(u.ou, baseDn)}`;
    const pw = labPassword();
    const upn = `${u.name}@${dnsDomain}`;
    await dir.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: [u.name], userPrincipalName: [upn], unicodePwd: [unicodePwd(pw)], userAccountControl: ['512'], ...(u.description ? { description: [u.description] } : {}) });
    const sid = await readSid(dir, dn);
    result.accounts[u.name] = { dn, sAMAccountName: u.name, userPrincipalName: upn, sid, kind: 'user', passwordFile: ctx.storePassword(u.name, pw) };
    principals.set(u.name.toLowerCase(), { dn, sid });
  }
  for (const g of s.groups) {
    const dn = `CN=${g.name},${ouDn(g.ou, baseDn)}`;
    await dir.add(dn, { objectClass: ['top', 'group'], sAMAccountName: [g.name], groupType: ['-2147483646'], ...(g.description ? { description: [g.description] } : {}) });
    const sid = await readSid(dir, dn);
    result.groups[g.name] = { dn, sid };
    principals.set(g.name.toLowerCase(), { dn, sid });
  }
  for (const g of s.groups) {
    const members = g.members.map((m) => principals.get(m.toLowerCase())!.dn);
    if (members.length) await dir.modify(result.groups[g.name]!.dn, [{ operation: 'add', attribute: 'member', values: members }]);
  }

  const now = Date.now();
  const day = 86_400_000;
  for (const c of expandComputers(s.computers, options.computers, rnd)) {
    const dn = `CN=${c.name},${ouDn(c.ou, baseDn)}`;
    const machinePassword = labPassword();
    const os = c.os ?? (c.build ? osName(c.build) : undefined);
    const osVersion = c.build ? `10.0 (${c.build})` : c.osVersion;
    const attrs: Record<string, Array<string | Buffer>> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
      sAMAccountName: [`${c.name}$`],
      userAccountControl: [String(4096 | (c.disabled ? 2 : 0))],
      dNSHostName: [`${c.name.toLowerCase()}.${dnsDomain}`],
      unicodePwd: [unicodePwd(machinePassword)],
      lastLogonTimestamp: [fileTimeString(new Date(now - Math.floor(rnd() * 7) * day))],
      ...(os ? { operatingSystem: [os] } : {}),
      ...(osVersion ? { operatingSystemVersion: [osVersion] } : {}),
    };
    let localPassword = labPassword(14);
    const expiryOffset = c.legacy === 'rotating' ? (3 + Math.floor(rnd() * 22)) * day : -(35 + Math.floor(rnd() * 55)) * day;
    if (legacy && c.legacy !== 'none') {
      attrs[legacy.pwdName] = [localPassword];
      attrs[legacy.expName] = [fileTimeString(new Date(now + expiryOffset))];
    } else {
      localPassword = labPassword(14);
    }
    await dir.add(dn, attrs);
    result.computers.push({
      name: c.name,
      dn,
      ou: c.ou,
      seed: {
        legacyPassword: !!legacy && c.legacy !== 'none',
        legacyExpired: !!legacy && c.legacy === 'expired',
        ...(os ? { operatingSystem: os } : {}),
        ...(osVersion ? { operatingSystemVersion: osVersion } : {}),
        disabled: c.disabled,
        stale: false,
      },
    });
    result.devices.push({ name: c.name, dn, build: c.build ?? null, os: os ?? null, dc: false, cseInstalled: c.cseInstalled, machinePassword, localPassword });
  }
  result.devices.push({ name: 'DC1', dn: options.dcDn, build: s.domainController.build, os: osName(s.domainController.build), dc: true, cseInstalled: false, machinePassword: null, localPassword: labPassword(14) });

  // GPOs: container, SYSVOL folder, links (gPLink lists the lowest precedence first)
  const policiesDn = `CN=Policies,CN=System,${baseDn}`;
  const links = new Map<string, string[]>();
  for (const g of s.gpos) {
    const guid = guidFrom(rnd);
    const dn = `CN=${guid},${policiesDn}`;
    const cses = [...(g.windowsLaps ? [`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}]`] : []), ...(g.legacy ? [`[${LEGACY_CSE}${REGISTRY_TOOL}]`] : [])];
    await dir.add(dn, {
      objectClass: ['top', 'container', 'groupPolicyContainer'],
      displayName: [g.name],
      gPCFileSysPath: [`\\\\${dnsDomain}\\SysVol\\${dnsDomain}\\Policies\\${guid}`],
      ...(cses.length ? { gPCMachineExtensionNames: [cses.join('')] } : {}),
      gPCFunctionalityVersion: ['2'],
      versionNumber: ['1'],
      flags: [g.computerSettingsDisabled ? '2' : '0'],
    });
    await dir.add(`CN=Machine,${dn}`, { objectClass: ['top', 'container'] });
    await dir.add(`CN=User,${dn}`, { objectClass: ['top', 'container'] });
    writeGpoFolder(options.sysvolDir, dnsDomain, guid, g.name, scenarioPolicyEntries(g));
    result.gpos[g.name] = { dn, guid, displayName: g.name };
    for (const l of g.links) {
      const target = ouDn(l.ou, baseDn);
      links.set(target, [...(links.get(target) ?? []), `[LDAP://${dn};${(l.disabled ? 1 : 0) | (l.enforced ? 2 : 0)}]`]);
    }
  }
  for (const [target, list] of links) await dir.modify(target, [{ operation: 'replace', attribute: 'gPLink', values: [list.join('')] }]);

  await addKdsRootKeys(ctx, s.kdsRootKeys, options.dcDn);
  applyAclOps({ smbConf: ctx.smbConf, url: ctx.ldapsUrl.replace('ldaps://', 'ldap://'), user: 'Administrator', domain: ctx.netbios, password: ctx.adminPassword }, await delegationOps(ctx, s, principals, legacy));
  return result;
}

async function delegationOps(ctx: SeedContext, s: Scenario, principals: Map<string, { sid: string }>, legacy: { pwdGuid: string; expGuid: string } | undefined): Promise<AclOp[]> {
  const C = COMPUTER_CLASS_GUID;
  const win = s.windowsLapsSchema ? await readLapsSchema(ctx.dir, ctx.schemaDn) : {};
  const sidOf = (n: string) => principals.get(n.toLowerCase())!.sid;
  const ops: AclOp[] = [];
  for (const d of s.delegations) {
    const add: string[] = [];
    if (legacy) {
      if (d.legacySelf) add.push(`(OA;CIIO;WP;${legacy.pwdGuid};${C};PS)`, `(OA;CIIO;RPWP;${legacy.expGuid};${C};PS)`);
      for (const p of d.legacyRead) add.push(`(OA;CIIO;RPCR;${legacy.pwdGuid};${C};${sidOf(p)})`, `(OA;CIIO;RP;${legacy.expGuid};${C};${sidOf(p)})`);
      for (const p of d.legacyReset) add.push(`(OA;CIIO;RPWP;${legacy.expGuid};${C};${sidOf(p)})`);
    }
    const pwd = win.password?.schemaIdGuid;
    const exp = win.expiration?.schemaIdGuid;
    if (d.windowsSelf && pwd && exp) {
      add.push(`(OA;CIIO;RPWP;${LAPS_PROPERTY_SET_GUID};${C};PS)`, `(OA;CIIO;CR;${LAPS_PROPERTY_SET_GUID};${C};PS)`, `(OA;CIIO;WP;${pwd};${C};PS)`, `(OA;CIIO;RPWP;${exp};${C};PS)`);
    }
    for (const p of pwd && exp ? d.windowsRead : []) {
      add.push(`(OA;CIIO;RPCR;${pwd};${C};${sidOf(p)})`, `(OA;CIIO;RPCR;${LAPS_PROPERTY_SET_GUID};${C};${sidOf(p)})`, `(OA;CIIO;RP;${exp};${C};${sidOf(p)})`);
    }
    for (const a of d.aces) {
      add.push(
        a
          .replace(/\{computer\}/g, C)
          .replace(/\{legacyPwd\}/g, legacy?.pwdGuid ?? '')
          .replace(/\{legacyExp\}/g, legacy?.expGuid ?? '')
          .replace(/\{lapsSet\}/g, LAPS_PROPERTY_SET_GUID)
          .replace(/\{sid:([^}]+)\}/g, (_, n: string) => sidOf(n)),
      );
    }
    const protect = s.ous.find((o) => o.path === d.ou)?.protect;
    if (add.length || protect) ops.push({ dn: ouDn(d.ou, ctx.baseDn), ...(add.length ? { add } : {}), ...(protect ? { protect: true } : {}) });
  }
  for (const o of s.ous.filter((x) => x.protect && !s.delegations.some((d) => d.ou === x.path))) ops.push({ dn: ouDn(o.path, ctx.baseDn), protect: true });
  return ops;
}
