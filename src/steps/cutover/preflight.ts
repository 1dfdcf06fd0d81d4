/**
 * Preflight of one cutover wave (issue 17, "Preflight per wave"): what must hold before the
 * wave's GPO may carry the Windows LAPS policy. Pure: the step reads the directory, SYSVOL and
 * the previous wave's gate and passes plain facts. Blockers stop the wave; each finding says
 * what to do. Codes CUTOVER_* are listed in the README.
 */
import type { Finding } from '../../model/step-result.js';
import { FIRST_INBOX_BUILD } from '../../laps/os-readiness.js';
import type { PolicyOptions } from './options.js';

/** DFL 2016 (msDS-Behavior-Version 7): what Windows LAPS encryption needs (LAPS-FACTS, event 10006). */
export const DFL_2016 = 7;

export interface OuSelf {
  ou: string;
  /** SELF may write the Windows LAPS attributes on computers under this OU. */
  write: boolean;
  /** SELF may read the ms-LAPS-Encrypted-Password-Attributes property set (a device reads its own blob to keep history). */
  propertySetRead: boolean;
}

/** Another GPO with Windows LAPS settings that reaches computers of the wave. */
export interface OtherLapsGpo {
  name: string;
  guid: string;
  /** Settings where it disagrees with the playbook's policy (empty: same settings). */
  differs: string[];
  /** How many of the wave's computers it reaches. */
  computers: number;
  /** Where the links that reach them are (the domain head or OUs). */
  linkedAt: string[];
}

export interface WavePreflightInput {
  wave: { name: string; index: number; gpo: string };
  policy: PolicyOptions;
  /** The msLAPS-* attributes are in the schema. */
  windowsLapsSchema: boolean;
  /** SELF on each of the wave's OUs (empty for group / computer-list waves: checked per computer's OU by the caller). */
  self: OuSelf[];
  domainFunctionalLevel: number;
  kds: { state: 'usable' | 'not-yet-effective' | 'missing' | 'unreadable'; usableFrom: string | null };
  /** The encryption principal as resolved (undefined: none configured, Domain Admins). */
  principal?: { name: string; sids: string[]; isolated?: boolean };
  /** Builds of the wave's computers expected to migrate (one entry per computer; undefined = unknown). */
  builds: Array<number | undefined>;
  gpoExists: boolean;
  otherLapsGpos: OtherLapsGpo[];
  /** GPOs reaching the wave whose settings could not be read ("name {GUID}: why"). */
  unreadGpos?: string[];
  /** The previous wave and its gate; undefined for the first wave. */
  previous?: { name: string; met: boolean; unmet: string[] };
  /** The central store (Policies/PolicyDefinitions): undefined = SYSVOL not given. */
  centralStore?: { exists: boolean; hasLapsAdmx: boolean };
}

export interface WavePreflight {
  findings: Finding[];
  blocked: boolean;
}

function encrypted(p: PolicyOptions): boolean {
  return p.backupDirectory === 'ad' && p.encryption.enabled;
}

/** Settings that need build 26100+ (LAPS-FACTS 3), as "name=value". */
export function modernOnlySettings(p: PolicyOptions): string[] {
  const out: string[] = [];
  if (p.passwordComplexity >= 5) out.push(`passwordComplexity=${p.passwordComplexity}`);
  if (p.passphraseLength !== undefined) out.push(`passphraseLength=${p.passphraseLength}`);
  if (p.postAuthentication.actions === 11) out.push('postAuthentication.actions=11');
  return out;
}

export function wavePreflight(i: WavePreflightInput): WavePreflight {
  const f: Finding[] = [];
  const w = `wave ${i.wave.name}`;
  const block = (code: string, object: string, message: string, advice: string, evidence?: string) =>
    f.push({ code, severity: 'blocker', object, message: `${w}: ${message}`, advice, ...(evidence ? { evidence } : {}) });

  if (!i.windowsLapsSchema) {
    block('CUTOVER_SCHEMA_MISSING', 'schema', 'the Windows LAPS attributes (msLAPS-*) are not in the schema: devices log 10012 and write nothing.', 'Run `laps-migrate schema --apply` (step 2) first.');
  }
  if (i.policy.backupDirectory === 'ad') selfFindings(i, block);
  if (encrypted(i.policy)) encryptionFindings(i, block);
  const modern = modernOnlySettings(i.policy);
  const old = i.builds.filter((b) => b === undefined || b < FIRST_INBOX_BUILD).length;
  if (modern.length && old) {
    block('CUTOVER_SETTING_NEEDS_26100', 'policy', `${modern.join(', ')} need build ${FIRST_INBOX_BUILD}+, but ${old} of ${i.builds.length} computers run an older (or unknown) build: they would ignore the value and use the default.`, `Lower the setting, or move the older computers to a later wave with its own policy.`);
  }
  if (!i.gpoExists) {
    block('CUTOVER_GPO_MISSING', i.wave.gpo, `the GPO "${i.wave.gpo}" does not exist.`, `Create it (New-GPO -Name '${i.wave.gpo}', or an empty GPO in GPMC), unlinked; the cutover writes its settings and links it.`);
  }
  for (const g of i.otherLapsGpos) {
    const where = g.linkedAt.join('; ');
    if (g.differs.length) {
      block('CUTOVER_CONFLICTING_GPO', `${g.name} ${g.guid}`, `another Windows LAPS GPO "${g.name}", linked on ${where}, already reaches ${g.computers} of its computers with different settings (${g.differs.join(', ')}): Windows merges the GPOs' values value by value and the GPO applied last wins each, so what these computers get depends on link order and enforcement, and changes whenever links do.`, `Unlink "${g.name}" from ${where} (or filter it away from these computers), or make its values equal to the playbook's policy.`, g.differs.join('; '));
    } else {
      f.push({ code: 'CUTOVER_OTHER_GPO_SAME', severity: 'info', object: `${g.name} ${g.guid}`, message: `${w}: the Windows LAPS GPO "${g.name}", linked on ${where}, already reaches ${g.computers} of its computers with the same values as the playbook.`, advice: 'Nothing to do; once every wave is verified, one of the two GPOs can go.' });
    }
  }
  for (const u of i.unreadGpos ?? []) {
    f.push({ code: 'CUTOVER_GPO_REACH_UNKNOWN', severity: 'warning', object: u.split(':')[0]!, message: `${w}: whether the GPO ${u.split(':')[0]} sets Windows LAPS values for these computers is unknown (${u.slice(u.indexOf(':') + 1).trim()}).`, advice: 'Give --sysvol (or the profile\'s sysvol) so the cutover reads its Registry.pol, or check the GPO in GPMC.' });
  }
  if (i.previous && !i.previous.met) {
    block('CUTOVER_PREVIOUS_GATE', i.previous.name, `the gate of the previous wave ${i.previous.name} is not met.`, 'Wait for its computers to rotate, or fix its failed ones; rerun `cutover --status` to follow it.', i.previous.unmet.join('; '));
  }
  if (i.centralStore?.exists && !i.centralStore.hasLapsAdmx) {
    f.push({ code: 'CUTOVER_CENTRAL_STORE_NO_ADMX', severity: 'warning', object: 'Policies/PolicyDefinitions', message: `${w}: the central store has no LAPS.admx: admins editing the GPO in GPMC will not see the Windows LAPS settings (they are there all the same).`, advice: 'Copy LAPS.admx and its en-US/LAPS.adml from a patched Windows (C:\\Windows\\PolicyDefinitions) into the central store.' });
  }
  return { findings: f, blocked: f.some((x) => x.severity === 'blocker') };
}

type Block = (code: string, object: string, message: string, advice: string, evidence?: string) => void;

function selfFindings(i: WavePreflightInput, block: Block): void {
  const noWrite = i.self.filter((s) => !s.write);
  for (const s of noWrite) {
    block('CUTOVER_SELF_MISSING', s.ou, 'computers here may not write their Windows LAPS attributes (no SELF permission): devices log 10017 and keep their old password.', 'Run `laps-migrate permissions --apply` (Set-LapsADComputerSelfPermission on this OU).');
  }
  if (!(encrypted(i.policy) && i.policy.historySize > 0)) return;
  for (const s of i.self.filter((x) => x.write && !x.propertySetRead)) {
    block('CUTOVER_SELF_READ_MISSING', s.ou, `SELF may not read the ms-LAPS-Encrypted-Password-Attributes property set: devices cannot read their current password to keep a history of ${i.policy.historySize}.`, 'Run `laps-migrate permissions --apply` (it grants SELF read of the property set with the write).');
  }
}

function encryptionFindings(i: WavePreflightInput, block: Block): void {
  if (i.domainFunctionalLevel < DFL_2016) {
    block('CUTOVER_DFL_TOO_LOW', 'domain', `encryption needs domain functional level 2016, the domain is at level ${i.domainFunctionalLevel}: devices log 10006 and write nothing.`, 'Raise the domain functional level to 2016 (every DC on Windows Server 2016 or later), or set policy.encryption.enabled: false.');
  }
  if (i.kds.state === 'missing') {
    block('CUTOVER_KDS_MISSING', 'KDS', 'there is no KDS root key: DCs cannot hand out the group keys passwords are encrypted to.', 'Run Add-KdsRootKey on a DC (usable after 10 hours; see the schema step).');
  } else if (i.kds.state === 'not-yet-effective') {
    block('CUTOVER_KDS_NOT_YET_USABLE', 'KDS', `the KDS root key is not usable before ${i.kds.usableFrom ?? 'an unknown time'}.`, 'Wait until then (do not create another key to hurry it); rerun the cutover afterwards.');
  } else if (i.kds.state === 'unreadable') {
    block('CUTOVER_KDS_UNKNOWN', 'KDS', 'whether a usable KDS root key exists is unknown: this account cannot read root keys.', 'Rerun as a Domain Admin, or check Get-KdsRootKey on a DC and run the schema step.');
  }
  const p = i.principal;
  if (p?.isolated) {
    block('CUTOVER_PRINCIPAL_AMBIGUOUS', p.name, `the encryption principal "${p.name}" is an isolated name: Windows refuses it as ambiguous (event 10034).`, 'Qualify it as DOMAIN\\name or name@domain, or give its SID.', p.sids.join(' ') || undefined);
  } else if (p && p.sids.length === 0) {
    block('CUTOVER_PRINCIPAL_UNRESOLVED', p.name, `the encryption principal "${p.name}" resolves to no SID: devices log 10035 and write nothing.`, 'Give a SID, DOMAIN\\name or name@domain that exists (policy.encryption.principal).');
  } else if (p && p.sids.length > 1) {
    block('CUTOVER_PRINCIPAL_AMBIGUOUS', p.name, `the encryption principal "${p.name}" resolves to ${p.sids.length} SIDs: Windows refuses an ambiguous name (event 10034).`, 'Qualify it as DOMAIN\\name or give its SID.', p.sids.join(' '));
  }
}
