/**
 * Seeds the baseline legacy-LAPS estate over LDAPS as Administrator: the legacy schema as
 * Update-AdmPwdADSchema creates it, OUs, groups, users, computers with ms-Mcs-AdmPwd and
 * expiry, GPOs and their links, delegations (through Samba's own ACL code), and accounts
 * with known passwords for later tests.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Directory } from '../directory/types.js';
import { sidToString } from '../dtyp/sid.js';
import { guidFromBytes } from '../dtyp/guid.js';
import { LdapDirectory } from '../directory/ldap-directory.js';
import { applyAclOps, type AclOp } from './acl-tool.js';
import { ESTATE_COMPUTERS, ESTATE_GPOS, ESTATE_GROUPS, ESTATE_OUS, ESTATE_USERS } from './estate.js';
import type { LabComputer } from './manifest.js';
import { integer8TimeString } from '../dtyp/filetime.js';
import type { DeviceSeed } from './device-state.js';

export const COMPUTER_CLASS_GUID = 'bf967a86-0de6-11d0-a285-00aa003049e2';
export const LEGACY_PWD_OID = '1.2.840.113556.1.8000.2554.50051.45980.28112.18903.35903.6685103.1224907.2.1';
export const LEGACY_EXP_OID = '1.2.840.113556.1.8000.2554.50051.45980.28112.18903.35903.6685103.1224907.2.2';

/** Date -> Integer8 FILETIME decimal string. */
export const fileTimeString = integer8TimeString;

/** A password that satisfies AD complexity; never printed. */
export function labPassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  let out = '';
  const bytes = randomBytes(length);
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return `${out}!a1Z`;
}

export function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

export interface SeedContext {
  dir: Directory;
  baseDn: string;
  schemaDn: string;
  configDn: string;
  domainSid: string;
  realm: string;
  netbios: string;
  ldapsUrl: string;
  caFile: string;
  smbConf: string;
  adminPassword: string;
  legacySchema: 'standard' | 'renamed' | 'none';
  /** Stores a generated password for an account key and returns the file path. */
  storePassword: (key: string, password: string) => string;
}

export interface SeedResult {
  accounts: Record<string, { dn: string; sAMAccountName: string; userPrincipalName: string; sid: string; kind: 'user' | 'computer'; passwordFile: string }>;
  groups: Record<string, { dn: string; sid: string }>;
  ous: Record<string, string>;
  computers: LabComputer[];
  gpos: Record<string, { dn: string; guid: string; displayName: string }>;
  legacyAttributeNames: { password: string; expiration: string } | undefined;
  /** Every computer as a simulated device starts (secrets; never in the manifest). */
  devices?: DeviceSeed[];
}

export async function readSid(dir: Directory, dn: string): Promise<string> {
  const e = await dir.read(dn, ['objectSid'], { binaryAttributes: ['objectSid'] });
  const b = e?.attributes['objectsid']?.[0];
  if (!Buffer.isBuffer(b)) throw new Error(`no objectSid on ${dn}`);
  return sidToString(b);
}

/** Adds the legacy LAPS schema (two attributes + computer mayContain), returns their schemaIDGUIDs. */
export async function addLegacySchema(ctx: SeedContext, variant: 'standard' | 'renamed'): Promise<{ pwdName: string; expName: string; pwdGuid: string; expGuid: string }> {
  const pwdName = variant === 'standard' ? 'ms-Mcs-AdmPwd' : 'ms-Contoso-AdmPwd';
  const expName = variant === 'standard' ? 'ms-Mcs-AdmPwdExpirationTime' : 'ms-Contoso-AdmPwdExpirationTime';
  const defs = [
    { cn: pwdName, oid: LEGACY_PWD_OID, syntax: '2.5.5.5', om: '19', flags: '904', desc: 'Stores password of local Administrator account on workstation' },
    { cn: expName, oid: LEGACY_EXP_OID, syntax: '2.5.5.16', om: '65', flags: '0', desc: 'Stores timestamp of last password change' },
  ];
  for (const d of defs) {
    await ctx.dir.add(`CN=${d.cn},${ctx.schemaDn}`, {
      objectClass: ['top', 'attributeSchema'],
      cn: [d.cn],
      lDAPDisplayName: [d.cn],
      adminDisplayName: [d.cn],
      adminDescription: [d.desc],
      attributeID: [d.oid],
      attributeSyntax: [d.syntax],
      oMSyntax: [d.om],
      isSingleValued: ['TRUE'],
      searchFlags: [d.flags],
      systemOnly: ['FALSE'],
      isMemberOfPartialAttributeSet: ['FALSE'],
    });
  }
  await ctx.dir.modify(`CN=Computer,${ctx.schemaDn}`, [{ operation: 'add', attribute: 'mayContain', values: [pwdName, expName] }]);
  await ctx.dir.modify('', [{ operation: 'add', attribute: 'schemaUpdateNow', values: ['1'] }]);
  const guidOf = async (cn: string) => {
    const e = await ctx.dir.read(`CN=${cn},${ctx.schemaDn}`, ['schemaIDGUID'], { binaryAttributes: ['schemaIDGUID'] });
    const b = e?.attributes['schemaidguid']?.[0];
    if (!Buffer.isBuffer(b)) throw new Error(`no schemaIDGUID on ${cn}`);
    return guidFromBytes(b);
  };
  return { pwdName, expName, pwdGuid: await guidOf(pwdName), expGuid: await guidOf(expName) };
}

export async function seedEstate(ctx: SeedContext): Promise<SeedResult> {
  const { dir, baseDn } = ctx;
  const dnsDomain = ctx.realm.toLowerCase();
  const result: SeedResult = { accounts: {}, groups: {}, ous: {}, computers: [], gpos: {}, legacyAttributeNames: undefined };

  let legacy: Awaited<ReturnType<typeof addLegacySchema>> | undefined;
  if (ctx.legacySchema !== 'none') {
    legacy = await addLegacySchema(ctx, ctx.legacySchema);
    result.legacyAttributeNames = { password: legacy.pwdName, expiration: legacy.expName };
  }

  for (const ou of ESTATE_OUS) {
    const dn = `${ou.rdn},${baseDn}`;
    await dir.add(dn, { objectClass: ['top', 'organizationalUnit'], description: [ou.description] });
    result.ous[ou.key] = dn;
  }
  const peopleDn = result.ous.people!;
  for (const g of ESTATE_GROUPS) {
    const dn = `CN=${g.sam},${peopleDn}`;
    await dir.add(dn, { objectClass: ['top', 'group'], sAMAccountName: [g.sam], description: [g.description], groupType: ['-2147483646'] });
    result.groups[g.key] = { dn, sid: await readSid(dir, dn) };
  }

  const admin = await dir.whoAmI();
  const adminPw = ctx.storePassword('admin', ctx.adminPassword);
  result.accounts.admin = { dn: admin.dn, sAMAccountName: 'Administrator', userPrincipalName: `Administrator@${dnsDomain}`, sid: admin.sid, kind: 'user', passwordFile: adminPw };

  for (const u of ESTATE_USERS) {
    const dn = `CN=${u.sam},${result.ous[u.ouKey]}`;
    const pw = labPassword();
    const upn = `${u.sam}@${dnsDomain}`;
    await dir.add(dn, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: [u.sam],
      userPrincipalName: [upn],
      description: [u.description],
      unicodePwd: [unicodePwd(pw)],
      userAccountControl: ['512'],
    });
    for (const g of u.memberOf) await dir.modify(result.groups[g]!.dn, [{ operation: 'add', attribute: 'member', values: [dn] }]);
    result.accounts[u.key] = { dn, sAMAccountName: u.sam, userPrincipalName: upn, sid: await readSid(dir, dn), kind: 'user', passwordFile: ctx.storePassword(u.key, pw) };
  }

  const aclOps: AclOp[] = [];
  const ws = result.ous.workstations!;
  // the joiner may create computer objects in OU=Workstations (as a delegated join account would)
  aclOps.push({ dn: ws, add: [`(OA;CI;CCDC;${COMPUTER_CLASS_GUID};;${result.accounts.joiner!.sid})`] });
  applyAclOps({ smbConf: ctx.smbConf, url: ctx.ldapsUrl.replace('ldaps://', 'ldap://'), user: 'Administrator', domain: ctx.netbios, password: ctx.adminPassword }, aclOps.splice(0));

  const now = Date.now();
  const day = 86_400_000;
  for (const c of ESTATE_COMPUTERS) {
    const ouDn = result.ous[c.ouKey]!;
    const dn = `CN=${c.name},${ouDn}`;
    const attrs: Record<string, Array<string | Buffer>> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
      sAMAccountName: [`${c.name}$`],
      userAccountControl: [String(4096 | (c.disabled ? 2 : 0))],
      dNSHostName: [`${c.name.toLowerCase()}.${dnsDomain}`],
    };
    if (c.os) attrs.operatingSystem = [c.os];
    if (c.osVersion) attrs.operatingSystemVersion = [c.osVersion];
    // every computer account gets a known password, so its simulated device can bind as it
    const pw = labPassword();
    attrs.unicodePwd = [unicodePwd(pw)];
    let creator: Directory = dir;
    let joinerDir: LdapDirectory | undefined;
    if (c.joinedBy) {
      const acct = result.accounts[c.joinedBy]!;
      const { readFileSync } = await import('node:fs');
      joinerDir = await LdapDirectory.connect({ server: ctx.ldapsUrl, caFile: ctx.caFile, user: acct.userPrincipalName, password: readFileSync(acct.passwordFile, 'utf8') });
      creator = joinerDir;
    }
    try {
      await creator.add(dn, attrs);
    } finally {
      await joinerDir?.close();
    }
    const mods = [];
    const localPassword = labPassword(14);
    if (legacy && c.legacy !== 'none') {
      const expiry = c.legacy === 'rotating' ? new Date(now + randomInt(3, 25) * day) : new Date(now - randomInt(35, 90) * day);
      mods.push({ operation: 'replace' as const, attribute: legacy.pwdName, values: [localPassword] });
      mods.push({ operation: 'replace' as const, attribute: legacy.expName, values: [fileTimeString(expiry)] });
    }
    const lastLogon = c.stale ? new Date(now - 200 * day) : new Date(now - randomInt(0, 7) * day);
    if (c.os) mods.push({ operation: 'replace' as const, attribute: 'lastLogonTimestamp', values: [fileTimeString(lastLogon)] });
    if (mods.length) await dir.modify(dn, mods);
    const sid = await readSid(dir, dn);
    let account: string | undefined;
    const build = /\((\d+)\)/.exec(c.osVersion ?? '')?.[1];
    (result.devices ??= []).push({
      name: c.name,
      dn,
      build: build ? Number(build) : null,
      os: c.os ?? null,
      dc: false,
      cseInstalled: c.legacy !== 'none' && /windows/i.test(c.os ?? ''),
      machinePassword: pw,
      localPassword,
    });
    if (c.knownPassword) {
      account = `computer:${c.name}`;
      result.accounts[account] = {
        dn,
        sAMAccountName: `${c.name}$`,
        userPrincipalName: `${c.name}$@${dnsDomain}`,
        sid,
        kind: 'computer',
        passwordFile: ctx.storePassword(`computer-${c.name}`, pw),
      };
    }
    result.computers.push({
      name: c.name,
      dn,
      ou: c.ouKey,
      seed: {
        legacyPassword: !!legacy && c.legacy !== 'none',
        legacyExpired: !!legacy && c.legacy === 'expired',
        ...(c.os ? { operatingSystem: c.os } : {}),
        ...(c.osVersion ? { operatingSystemVersion: c.osVersion } : {}),
        disabled: !!c.disabled,
        stale: !!c.stale,
        ...(account ? { account } : {}),
        ...(c.joinedBy ? { joinedBy: c.joinedBy } : {}),
      },
    });
  }

  // GPOs: the groupPolicyContainer side (the SYSVOL side is written by lab.ts into a local folder)
  const policiesDn = `CN=Policies,CN=System,${baseDn}`;
  const links = new Map<string, string[]>();
  for (const g of ESTATE_GPOS) {
    const guid = `{${randomUUID().toUpperCase()}}`;
    const dn = `CN=${guid},${policiesDn}`;
    await dir.add(dn, {
      objectClass: ['top', 'container', 'groupPolicyContainer'],
      displayName: [g.displayName],
      gPCFileSysPath: [`\\\\${dnsDomain}\\SysVol\\${dnsDomain}\\Policies\\${guid}`],
      gPCMachineExtensionNames: [g.machineExtensions],
      gPCFunctionalityVersion: ['2'],
      versionNumber: ['1'],
      flags: ['0'],
    });
    await dir.add(`CN=Machine,${dn}`, { objectClass: ['top', 'container'] });
    await dir.add(`CN=User,${dn}`, { objectClass: ['top', 'container'] });
    result.gpos[g.key] = { dn, guid, displayName: g.displayName };
    for (const l of g.links) {
      const target = l.ouKey ? result.ous[l.ouKey]! : baseDn;
      const opt = (l.disabled ? 1 : 0) | (l.enforced ? 2 : 0);
      const list = links.get(target) ?? [];
      list.push(`[LDAP://${dn};${opt}]`);
      links.set(target, list);
    }
  }
  for (const [target, list] of links) {
    const existing = await dir.read(target, ['gPLink']);
    const prior = existing?.attributes['gplink']?.[0];
    await dir.modify(target, [{ operation: 'replace', attribute: 'gPLink', values: [`${prior ? String(prior) : ''}${list.join('')}`] }]);
  }
  for (const ou of ESTATE_OUS) {
    if (ou.blockInheritance) await dir.modify(result.ous[ou.key]!, [{ operation: 'replace', attribute: 'gPOptions', values: ['1'] }]);
  }

  // delegations, written by Samba's own ACL code
  if (legacy) {
    const C = COMPUTER_CLASS_GUID;
    const hd = result.groups.helpdesk!.sid;
    const st = result.groups.serverteam!.sid;
    const wo = result.groups.webops!.sid;
    const selfAces = [`(OA;CIIO;WP;${legacy.pwdGuid};${C};PS)`, `(OA;CIIO;RPWP;${legacy.expGuid};${C};PS)`];
    aclOps.push(
      { dn: ws, add: [...selfAces, `(OA;CIIO;RPCR;${legacy.pwdGuid};${C};${hd})`, `(OA;CIIO;RP;${legacy.expGuid};${C};${hd})`, `(OA;CIIO;RPWP;${legacy.expGuid};${C};${hd})`] },
      { dn: result.ous.finance!, add: [`(OD;CIIO;CR;${legacy.pwdGuid};${C};${result.accounts.helpdesk!.sid})`] },
      { dn: result.ous.servers!, add: [...selfAces, `(OA;CIIO;RPCR;${legacy.pwdGuid};${C};${st})`, `(OA;CIIO;RP;${legacy.expGuid};${C};${st})`] },
      { dn: result.ous.web!, add: [`(OA;CIIO;CR;;${C};${wo})`] },
    );
  }
  aclOps.push({ dn: result.ous.protected!, protect: true });
  applyAclOps({ smbConf: ctx.smbConf, url: ctx.ldapsUrl.replace('ldaps://', 'ldap://'), user: 'Administrator', domain: ctx.netbios, password: ctx.adminPassword }, aclOps);
  return result;
}
