/**
 * One policy cycle of one simulated device: decide the implementation by Windows' rules
 * (effective-policy), rotate when Windows would, write what that client writes while bound as
 * the device's own computer account, and log the Windows LAPS event IDs (LAPS-FACTS 8). The DC
 * decides every write; a refused device keeps its old local password.
 */
import { hasWindowsLaps, effectivePolicy, type EffectivePolicy } from '../laps/effective-policy.js';
import type { WindowsLapsSettings } from '../laps/laps-policy.js';
import { generateLapsPassword } from '../laps/generate-password.js';
import { encryptLapsValue } from '../laps/encrypt-laps-value.js';
import { parseEncryptedPasswordValue } from '../laps/encrypted-password-value.js';
import { serializeLapsPasswordJson } from '../laps/password-payload.js';
import { integer8TimeString } from '../dtyp/filetime.js';
import { parseInteger8Time } from '../directory/ad-time.js';
import type { LdapDirectory } from '../directory/ldap-directory.js';
import type { Modification } from '../directory/types.js';
import type { SeedKeyCache } from '../dpapi-ng/seed-key-cache.js';
import { isUserError } from '../errors.js';
import type { DeviceEvent, DeviceMode, DeviceState } from './device-state.js';
import { somChain, type CycleWorld } from './simulate-world.js';
import { gposFor } from './simulate-filtering.js';

const DAY = 86_400_000;

export interface DeviceCycleContext {
  world: CycleWorld;
  conn: LdapDirectory;
  admin: { upn: string; password: string };
  dnsDomain: string;
  forceRotate: boolean;
  /** Only work out the mode (lab up): no bind, no write, no event. */
  evaluateOnly?: boolean;
  cache: SeedKeyCache;
}

export interface DeviceCycleOutcome {
  rotated: boolean;
  refused: boolean;
}

function modeOf(p: EffectivePolicy): DeviceMode {
  if (p.implementation === 'windows-laps') {
    if (p.windows!.backupDirectory !== 'ad') return 'unmanaged';
    return p.windows!.encryptionEnabled ? 'windows-laps-encrypted' : 'windows-laps-clear';
  }
  return p.implementation;
}

function deniedOf(e: unknown): boolean {
  return isUserError(e) && e.reason === 'INSUFFICIENT_RIGHTS';
}

function short(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

export async function runDeviceCycle(d: DeviceState, ctx: DeviceCycleContext): Promise<DeviceCycleOutcome> {
  const { world } = ctx;
  d.dn = world.computerDns.get(`${d.name.toUpperCase()}$`) ?? d.dn;
  // security filtering: only the GPOs this device's token may read and apply
  const policy = effectivePolicy({ chain: somChain(world, d.dn), gpos: gposFor(world, `${d.name}$`), build: d.build ?? undefined, windows: d.build !== null, dc: d.dc, cseInstalled: d.cseInstalled });
  const mode = modeOf(policy);
  if (ctx.evaluateOnly) {
    d.mode = mode;
    return { rotated: false, refused: false };
  }
  const ev = (id: number, message: string, source: DeviceEvent['source'] = 'LAPS') => d.events.push({ id, time: new Date().toISOString(), message, source });
  const refuse = (): DeviceCycleOutcome => {
    d.mode = 'refused';
    return { rotated: false, refused: true };
  };
  if (mode === 'unmanaged') {
    d.mode = 'unmanaged';
    if (policy.implementation === 'windows-laps') ev(10022, 'Policy: backup to Microsoft Entra ID; the lab has no Entra ID, nothing is written');
    return { rotated: false, refused: false };
  }
  if (d.dc && policy.implementation === 'windows-laps' && !policy.windows!.backupDsrm) {
    d.mode = 'unmanaged';
    ev(10008, 'The policy is not supported on a domain controller: it needs ADPasswordEncryptionEnabled=1 and ADBackupDSRMPassword=1');
    return { rotated: false, refused: false };
  }
  try {
    if (d.bind.kind === 'computer') await ctx.conn.rebind(d.bind.upn, d.bind.password);
    else await ctx.conn.rebind(ctx.admin.upn, ctx.admin.password);
  } catch (e) {
    ev(10057, `LDAP bind failed: ${short(e)}`);
    return refuse();
  }
  return policy.implementation === 'windows-laps' ? windowsCycle(d, ctx, policy.windows!, mode) : legacyCycle(d, ctx, policy, mode);
}

async function legacyCycle(d: DeviceState, ctx: DeviceCycleContext, policy: EffectivePolicy, mode: DeviceMode): Promise<DeviceCycleOutcome> {
  const { world } = ctx;
  const ev = (id: number, message: string, source: DeviceEvent['source'] = 'LAPS') => d.events.push({ id, time: new Date().toISOString(), message, source });
  const emulation = mode === 'emulation';
  const s = policy.legacy!;
  if (emulation) ev(10023, `Policy source: Legacy LAPS (emulation); PasswordAgeDays=${s.passwordAgeDays} PasswordLength=${s.passwordLength} PasswordComplexity=${s.passwordComplexity}`);
  else if (hasWindowsLaps(d.build ?? undefined)) ev(10033, 'The legacy LAPS CSE is installed and only a legacy policy applies: Windows LAPS defers to it');
  const pwdAttr = world.schema.legacyPassword?.name;
  const expAttr = world.schema.legacyExpiration?.name;
  if (!pwdAttr || !expAttr) {
    if (emulation) ev(10012, 'The legacy LAPS schema (ms-Mcs-AdmPwd) is missing from Active Directory');
    else ev(6, 'AdmPwd: could not reset the password: the legacy schema is missing', 'AdmPwd');
    d.mode = 'refused';
    return { rotated: false, refused: true };
  }
  const now = new Date();
  const own = await ctx.conn.read(d.dn, [expAttr]).catch(() => undefined);
  const exp = parseInteger8Time(own?.attributes[expAttr.toLowerCase()]?.[0]?.toString());
  const tooFar = s.expirationProtection && exp && exp.getTime() > now.getTime() + s.passwordAgeDays * DAY;
  if (!(ctx.forceRotate || !exp || exp.getTime() <= now.getTime() || tooFar)) {
    d.mode = mode;
    if (emulation) ev(10016, 'No password update is needed');
    return { rotated: false, refused: false };
  }
  const password = generateLapsPassword(s.passwordLength, s.passwordComplexity);
  const expiry = new Date(now.getTime() + s.passwordAgeDays * DAY);
  try {
    await ctx.conn.modify(d.dn, [
      { operation: 'replace', attribute: pwdAttr, values: [password] },
      { operation: 'replace', attribute: expAttr, values: [integer8TimeString(expiry)] },
    ]);
  } catch (e) {
    if (emulation) ev(deniedOf(e) ? 10065 : 10017, deniedOf(e) ? `Access denied writing ${pwdAttr}: the legacy SELF permission (Set-AdmPwdComputerSelfPermission) is missing` : `Active Directory update failed: ${short(e)}`);
    else ev(6, `AdmPwd: could not write the new password to AD: ${short(e)}`, 'AdmPwd');
    d.mode = 'refused';
    return { rotated: false, refused: true };
  }
  setLocal(d, password, now, s.adminAccountName ?? 'Administrator');
  if (emulation) {
    ev(10018, `Active Directory updated (${pwdAttr}), expires ${expiry.toISOString()}`);
    ev(10020, `Local password of ${d.account} updated`);
  } else {
    ev(0, `AdmPwd: password of ${d.account} changed, expires ${expiry.toISOString()} (the legacy CSE logs success only verbosely; id 0 is the lab's note)`, 'AdmPwd');
  }
  d.mode = mode;
  return { rotated: true, refused: false };
}

function setLocal(d: DeviceState, password: string, at: Date, account: string): void {
  d.localPassword = password;
  d.passwordUpdatedAt = at.toISOString();
  d.account = account;
}

function headerTime(v: Buffer): number {
  try {
    return parseEncryptedPasswordValue(v).header.updateTime.getTime();
  } catch {
    return 0;
  }
}

async function windowsCycle(d: DeviceState, ctx: DeviceCycleContext, s: WindowsLapsSettings, mode: DeviceMode): Promise<DeviceCycleOutcome> {
  const { world } = ctx;
  const ev = (id: number, message: string) => d.events.push({ id, time: new Date().toISOString(), message, source: 'LAPS' });
  const refused = (): DeviceCycleOutcome => {
    d.mode = 'refused';
    return { rotated: false, refused: true };
  };
  const encrypted = s.encryptionEnabled;
  const dsrm = d.dc && s.backupDsrm;
  ev(10021, `Policy: backup to Active Directory, encryption ${encrypted ? 'on' : 'off'}${encrypted ? `, principal ${s.encryptionPrincipal ?? 'Domain Admins'}, history ${s.historySize}` : ''}${dsrm ? ', DSRM' : ''}, PasswordAgeDays=${s.passwordAgeDays}`);
  const sch = world.schema;
  const curAttr = (dsrm ? sch.encryptedDsrmPassword : encrypted ? sch.encryptedPassword : sch.password)?.name;
  const histAttr = (dsrm ? sch.encryptedDsrmPasswordHistory : sch.encryptedPasswordHistory)?.name;
  const expAttr = sch.expiration?.name;
  if (!curAttr || !expAttr || (encrypted && !histAttr)) {
    ev(10012, 'The Windows LAPS schema (msLAPS-*) is missing from Active Directory');
    return refused();
  }
  if (encrypted && world.domainFunctionality < 7) {
    ev(10006, 'Password encryption needs the domain functional level 2016; nothing was stored');
    return refused();
  }
  let sid = '';
  if (encrypted) {
    const r = await world.resolvePrincipal(s.encryptionPrincipal);
    if ('problem' in r) {
      ev(r.problem === 'ambiguous' ? 10034 : 10035, r.message);
      return refused();
    }
    sid = r.sid;
  }
  const fingerprint = JSON.stringify(['ad', encrypted, sid, dsrm]);
  const now = new Date();
  const binary = encrypted ? [curAttr, histAttr!] : [];
  const own = await ctx.conn.read(d.dn, [expAttr, ...binary], { binaryAttributes: binary }).catch(() => undefined);
  const exp = parseInteger8Time(own?.attributes[expAttr.toLowerCase()]?.[0]?.toString());
  const reasons: string[] = [];
  if (d.lastWindowsPolicy !== fingerprint) reasons.push(d.lastWindowsPolicy ? 'the backup target or encryption changed' : 'a Windows LAPS policy applies for the first time');
  if (!exp) reasons.push('no expiration time in AD');
  else if (exp.getTime() <= now.getTime()) reasons.push('the password expired');
  else if (s.expirationProtection && exp.getTime() > now.getTime() + s.passwordAgeDays * DAY) reasons.push('the expiration time is later than the policy allows');
  if (ctx.forceRotate) reasons.push('rotation requested by the administrator');
  if (reasons.length === 0) {
    ev(10016, 'No password update is needed');
    d.mode = mode;
    return { rotated: false, refused: false };
  }
  ev(10015, `A password update is needed: ${reasons.join('; ')}`);
  const account = dsrm ? 'Administrator (DSRM)' : s.administratorAccountName ?? 'Administrator';
  const password = generateLapsPassword(s.passwordLength, s.passwordComplexity);
  const expiry = new Date(now.getTime() + s.passwordAgeDays * DAY);
  const mods: Modification[] = [{ operation: 'replace', attribute: expAttr, values: [integer8TimeString(expiry)] }];
  if (!encrypted) {
    mods.unshift({ operation: 'replace', attribute: curAttr, values: [serializeLapsPasswordJson({ accountName: account, password, updateTime: now })] });
  } else {
    if (!world.rootKey) {
      ev(10017, 'Active Directory update failed: no usable KDS root key (GKDI could not provide a group key)');
      return refused();
    }
    const blob = encryptLapsValue({ accountName: dsrm ? 'Administrator' : account, password }, { rootKey: world.rootKey, sid, time: now, cache: ctx.cache, domainName: ctx.dnsDomain, forestName: ctx.dnsDomain });
    const current = own?.attributes[curAttr.toLowerCase()]?.filter(Buffer.isBuffer) ?? [];
    const history = (own?.attributes[histAttr!.toLowerCase()] ?? []).filter(Buffer.isBuffer);
    const kept = [...current, ...history].sort((a, b) => headerTime(b) - headerTime(a)).slice(0, s.historySize);
    mods.unshift({ operation: 'replace', attribute: curAttr, values: [blob] });
    if (kept.length > 0 || history.length > 0) mods.push({ operation: 'replace', attribute: histAttr!, values: kept });
  }
  try {
    await ctx.conn.modify(d.dn, mods);
  } catch (e) {
    ev(10017, `Active Directory update failed: ${deniedOf(e) ? `access denied writing ${mods.map((m) => m.attribute).join(', ')} (Set-LapsADComputerSelfPermission missing?)` : short(e)}`);
    return refused();
  }
  ev(10018, `Active Directory updated (${curAttr}), expires ${expiry.toISOString()}`);
  setLocal(d, password, now, account);
  if (dsrm) d.dsrmPassword = password;
  ev(10020, `Local password of ${account} updated`);
  d.lastWindowsPolicy = fingerprint;
  d.mode = mode;
  return { rotated: true, refused: false };
}
