/**
 * The permissions findings, one small function per group of codes (README "Finding codes").
 * About 420 lines because it holds the wording of some thirty codes (message, evidence, advice);
 * each group is a function of its own, so a reader looks for a code's group, not a line.
 */
import { dnKey } from '../../directory/dn.js';
import type { Finding, Severity } from '../../model/step-result.js';
import { type AnalysisContext, CAPABILITIES, CAPABILITY_LABELS, type Capability, type ComputerRecord, type ContainerRecord, type DirSyncHolder, type HolderBrief, type Tier } from './model.js';
import { PrincipalTable, isDelegated, isNonAdmin } from './principals.js';
import { type Evaluation, hasFamily } from './evaluate.js';

interface FindingInput {
  ctx: AnalysisContext;
  principals: PrincipalTable;
  perComputer: boolean;
  containers: ContainerRecord[];
  computers: ComputerRecord[];
  dirSync: DirSyncHolder[];
  containerEval: Map<string, Evaluation>;
  encryptedReadable: boolean;
  /** Whether a principal (with its groups) has a capability on a computer created in the container. */
  capabilityOf: (containerDn: string, sid: string, cap: Capability) => boolean;
}

function list(items: string[], max = 8): string {
  const uniq = [...new Set(items)];
  return uniq.length <= max ? uniq.join(', ') : `${uniq.slice(0, max).join(', ')} and ${uniq.length - max} more`;
}

function severityFor(tier: Tier, base: Severity): Severity {
  return tier === 'broad' ? 'blocker' : tier === 'operator' ? 'info' : base;
}

/** Non-DC computers: what SELF coverage and delegations matter for. */
export function memberComputers(c: ContainerRecord): number {
  return c.computers - c.domainControllers;
}

/** Codes LEGACY_SCHEMA_MISSING, WINDOWS_LAPS_SCHEMA_MISSING: which families can be evaluated at all. */
function schemaFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  const g = i.ctx.laps;
  const legacy = hasFamily(g, 'legacy');
  const windows = hasFamily(g, 'windows');
  if (!legacy) {
    f.push({ code: 'LEGACY_SCHEMA_MISSING', severity: 'info', object: 'schema', message: 'The legacy LAPS schema (ms-Mcs-AdmPwd) is not in this forest: there are no legacy delegations to review or mirror.', advice: 'Nothing to migrate from legacy LAPS.' });
  }
  if (!windows) {
    f.push({
      code: 'WINDOWS_LAPS_SCHEMA_MISSING',
      severity: 'warning',
      object: 'schema',
      message: 'The Windows LAPS schema (msLAPS-*) is not extended: who could read or write the new attributes cannot be evaluated, and nothing can be delegated on them yet.',
      advice: 'Run the schema step first (laps-migrate schema), then this step again.',
    });
  }
  return f;
}

/** DESCRIPTOR_UNREADABLE: containers whose descriptor the account could not read. */
function unreadableFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  const unreadable = i.containers.filter((c) => !c.readable);
  if (unreadable.length) {
    f.push({
      code: 'DESCRIPTOR_UNREADABLE',
      severity: 'warning',
      object: list(unreadable.map((c) => c.path)),
      count: unreadable.length,
      message: `The security descriptor of ${unreadable.length} container(s) holding computers could not be read: ${list(unreadable.map((c) => c.path))}. Nothing is predicted for them.`,
      advice: 'Run as an account with READ_CONTROL on them (any domain user has it by default).',
    });
  }
  return f;
}

/** Whether computers may write their own LAPS attributes (SELF), and inheritance that keeps them from it. */
function selfCoverageFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  const g = i.ctx.laps;
  const legacy = hasFamily(g, 'legacy');
  const windows = hasFamily(g, 'windows');
  for (const c of i.containers) {
    if (!c.readable) continue;
    const members = memberComputers(c);
    if (c.protected) {
      f.push({
        code: 'DACL_PROTECTED',
        severity: 'info',
        object: c.dn,
        count: c.computers,
        message: `${c.path} has a protected DACL (inheritance blocked): delegations and SELF permissions set on the containers above it do not reach its ${c.computers} computer(s).`,
        advice: 'Delegate on this OU itself (the apply plan does, for SELF and mirrored delegations), or remove the protection if it is not intended.',
      });
    }
    if (members === 0) continue;
    const computersMissing = (k: 'legacy' | 'windows' | 'readEncrypted', fallback: number) => (c.computersMissingSelf ? c.computersMissingSelf[k] : fallback);
    if (legacy && !c.self.legacy && c.legacyManaged > 0) {
      const n = computersMissing('legacy', c.legacyManaged);
      f.push({
        code: 'SELF_WRITE_MISSING_LEGACY',
        severity: 'warning',
        object: c.dn,
        count: n,
        message: `Computers in ${c.path} cannot write their own legacy LAPS password (${c.legacyManaged} of them are legacy-managed): the legacy CSE and Windows LAPS in legacy emulation mode fail there (event 10065).`,
        evidence: `SELF lacks: ${c.self.missing.filter((m) => /AdmPwd/i.test(m) || /Mcs/i.test(m)).join(', ') || 'legacy attribute rights'}`,
        advice: 'The apply plan grants the legacy SELF permission here (Set-AdmPwdComputerSelfPermission equivalent).',
      });
    }
    if (windows && !c.self.windows) {
      const n = computersMissing('windows', members);
      f.push({
        code: 'SELF_WRITE_MISSING_WINDOWS_LAPS',
        severity: 'blocker',
        object: c.dn,
        count: n,
        message: `Computers in ${c.path} cannot write their Windows LAPS attributes (${members} computer(s)): a Windows LAPS policy there fails to back up the password.`,
        evidence: `SELF lacks: ${c.self.missing.filter((m) => /msLAPS/i.test(m)).join(', ')}`,
        advice: 'The apply plan grants the Windows LAPS SELF permission here (Set-LapsADComputerSelfPermission equivalent).',
      });
    } else if (windows && !c.self.readEncrypted) {
      f.push({
        code: 'SELF_READ_ENCRYPTED_MISSING',
        severity: 'warning',
        object: c.dn,
        count: computersMissing('readEncrypted', members),
        message: `Computers in ${c.path} can write but not read back their own msLAPS-EncryptedPassword (a confidential attribute needs CONTROL_ACCESS too): encrypted password history cannot be kept.`,
        advice: 'The apply plan adds CONTROL_ACCESS on the ms-LAPS-Encrypted-Password-Attributes property set for SELF here.',
      });
    }
    if (c.computersMissingSelf && windows && c.self.windows && c.computersMissingSelf.windows > 0) {
      f.push({
        code: 'SELF_WRITE_MISSING_ON_COMPUTER',
        severity: 'warning',
        object: c.dn,
        count: c.computersMissingSelf.windows,
        message: `${c.computersMissingSelf.windows} computer(s) in ${c.path} cannot write their Windows LAPS attributes although the OU grants it (their own DACL is protected or denies it).`,
        advice: 'Check those computers\' DACLs (laps-migrate sd) and re-enable inheritance on them.',
      });
    }
  }
  return f;
}

/** Risky routes (all extended rights, full control, DACL writers) and legacy delegations, rolled up per principal. */
function delegationFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  const g = i.ctx.laps;
  const windows = hasFamily(g, 'windows');
  type Acc = { name: string; tier: Tier; where: string[]; computers: number; definedAt: Set<string> };
  const roll = () => new Map<string, Acc>();
  const add = (m: Map<string, Acc>, h: HolderBrief, c: ContainerRecord) => {
    const a = m.get(h.sid) ?? { name: h.name, tier: h.tier, where: [], computers: 0, definedAt: new Set<string>() };
    a.where.push(c.path);
    a.computers += c.computers;
    if (h.definedAt) a.definedAt.add(h.definedAt);
    m.set(h.sid, a);
  };
  const aer = roll();
  const full = roll();
  const legacyDelegation = roll();
  const legacyReset = roll();
  const grantors = roll();
  for (const c of i.containers) {
    const readers = new Map<string, HolderBrief>();
    for (const cap of ['readLegacy', 'readWindowsClear', 'readWindowsEncrypted'] as const) for (const h of c.holders[cap]) readers.set(h.sid, h);
    for (const h of readers.values()) {
      if (!isNonAdmin(h.tier) || !h.direct) continue;
      if (h.route === 'all-extended-rights') add(aer, h, c);
      if (h.route === 'full-control') add(full, h, c);
    }
    for (const h of c.holders.readLegacy) if (h.route === 'delegation' && h.direct && isNonAdmin(h.tier)) add(legacyDelegation, h, c);
    for (const h of c.holders.resetLegacy) if (h.route === 'delegation' && h.direct && isNonAdmin(h.tier)) add(legacyReset, h, c);
    for (const h of c.canGrantThemselves) add(grantors, h, c);
  }
  for (const [sid, a] of aer) {
    f.push({
      code: 'ALL_EXTENDED_RIGHTS',
      severity: severityFor(a.tier, 'warning'),
      object: list(a.where),
      count: a.computers,
      message: `${a.name} holds All Extended Rights on computers in ${list(a.where)} (${a.computers} computer(s)): it reads every confidential attribute there, LAPS passwords of both families included.`,
      evidence: `SID ${sid}${a.definedAt.size ? `; granted at ${[...a.definedAt].join(', ')}` : ''}`,
      advice: 'Replace it with the specific rights it needs; --remove-all-extended-rights removes the CONTROL_ACCESS part of such ACEs on these OUs (journaled, reversible).',
    });
  }
  for (const [sid, a] of full) {
    f.push({
      code: 'FULL_CONTROL',
      severity: severityFor(a.tier, 'warning'),
      object: list(a.where),
      count: a.computers,
      message: `${a.name} has full control (GenericAll) of computers in ${list(a.where)} (${a.computers} computer(s)), so it reads their LAPS passwords.`,
      evidence: `SID ${sid}${a.definedAt.size ? `; granted at ${[...a.definedAt].join(', ')}` : ''}`,
      advice: 'Grant narrower rights; full control of a computer object also allows taking it over.',
    });
  }
  for (const [sid, a] of grantors) {
    f.push({
      code: 'CAN_GRANT_ITSELF',
      severity: severityFor(a.tier, 'warning'),
      object: list(a.where),
      count: a.computers,
      message: `${a.name} may rewrite the DACL or owner of computers in ${list(a.where)}: it can grant itself LAPS password read at any time.`,
      evidence: `SID ${sid}`,
      advice: 'Remove WRITE_DAC / WRITE_OWNER from non-admin principals on computer OUs.',
    });
  }
  const mirrored = (sid: string, caps: Capability[], where: string[]) =>
    where.every((path) => {
      const c = i.containers.find((x) => x.path === path);
      return !!c && caps.every((cap) => c.holders[cap].some((h) => h.sid === sid));
    });
  for (const [sid, a] of legacyDelegation) {
    const done = windows && mirrored(sid, ['readWindowsClear', 'readWindowsEncrypted'], a.where);
    f.push({
      code: 'LEGACY_READ_DELEGATION',
      severity: 'info',
      object: list(a.where),
      count: a.computers,
      message: `${a.name} is delegated to read legacy LAPS passwords in ${list(a.where)}${a.definedAt.size ? ` (delegated at ${[...a.definedAt].join(', ')})` : ''}${done ? '; it reads the Windows LAPS passwords there too' : ''}.`,
      evidence: `SID ${sid}`,
      advice: done ? 'Nothing to do before cutover; the cleanup step removes the legacy delegation later.' : 'The apply plan mirrors it onto the Windows LAPS attributes on the same OU (Set-LapsADReadPasswordPermission equivalent).',
    });
  }
  for (const [sid, a] of legacyReset) {
    const done = windows && mirrored(sid, ['resetWindows'], a.where);
    f.push({
      code: 'LEGACY_RESET_DELEGATION',
      severity: 'info',
      object: list(a.where),
      count: a.computers,
      message: `${a.name} is delegated to reset legacy LAPS passwords in ${list(a.where)}${a.definedAt.size ? ` (delegated at ${[...a.definedAt].join(', ')})` : ''}${done ? '; it resets Windows LAPS passwords there too' : ''}.`,
      evidence: `SID ${sid}`,
      advice: done ? 'Nothing to do before cutover; the cleanup step removes the legacy delegation later.' : 'The apply plan mirrors it onto msLAPS-PasswordExpirationTime on the same OU (Set-LapsADResetPasswordPermission equivalent).',
    });
  }
  return f;
}

/** Deny ACEs on the LAPS attributes. */
function denyFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  for (const c of i.containers) {
    const denied = new Map<string, { name: string; caps: Capability[] }>();
    for (const cap of CAPABILITIES) {
      for (const h of c.denied[cap]) {
        const d = denied.get(h.sid) ?? { name: h.name, caps: [] };
        d.caps.push(cap);
        denied.set(h.sid, d);
      }
    }
    for (const [sid, d] of denied) {
      f.push({
        code: 'LAPS_DENY_ACE',
        severity: 'info',
        object: c.dn,
        message: `${d.name} is denied ${d.caps.map((x) => CAPABILITY_LABELS[x]).join(', ')} in ${c.path}.`,
        evidence: `SID ${sid}`,
        advice: 'Deny ACEs on the legacy attributes are mirrored onto the Windows LAPS attributes by the apply plan, so the denial survives the cutover.',
      });
    }
  }
  return f;
}

/** Gaps between the legacy and the Windows LAPS delegations. */
function familyGapFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  const g = i.ctx.laps;
  const legacy = hasFamily(g, 'legacy');
  const windows = hasFamily(g, 'windows');
  if (legacy && windows) {
    const gap = (code: string, severity: Severity, a: Capability, b: Capability | Capability[], verb: string, advice: string) => {
      const bs = Array.isArray(b) ? b : [b];
      const per = new Map<string, { name: string; tier: Tier; where: string[]; computers: number }>();
      for (const c of i.containers) {
        if (memberComputers(c) === 0) continue;
        const ev = i.containerEval.get(dnKey(c.dn));
        if (!ev) continue;
        const eff = (cap: Capability, sid: string) => ev.holders[cap].some((h) => h.sid === sid && h.effective);
        const holders = ev.holders[a].filter((h) => h.effective && isDelegated(h.tier));
        const withGap = new Set(holders.filter((h) => !bs.every((x) => eff(x, h.sid))).map((h) => h.sid));
        for (const h of holders) {
          if (!withGap.has(h.sid)) continue;
          // a member whose access comes from a group with the same gap is covered by the group's finding
          if (h.via && h.via !== h.sid && withGap.has(h.via)) continue;
          const sid = h.sid;
          const p = per.get(sid) ?? { name: i.principals.name(sid), tier: i.principals.tier(sid), where: [], computers: 0 };
          p.where.push(c.path);
          p.computers += c.computers;
          per.set(sid, p);
        }
      }
      for (const [sid, p] of per) {
        f.push({ code, severity, object: list(p.where), count: p.computers, message: `${p.name} ${verb} in ${list(p.where)} (${p.computers} computer(s)).`, evidence: `SID ${sid}`, advice });
      }
    };
    gap('READ_GAP_LEGACY_ONLY', 'warning', 'readLegacy', ['readWindowsClear', 'readWindowsEncrypted'], 'reads legacy LAPS passwords but will not read the Windows LAPS ones', 'Mirror the delegation (the apply plan does) before computers move to Windows LAPS, or the principal loses access at cutover.');
    gap('READ_GAP_WINDOWS_ONLY', 'warning', 'readWindowsClear', 'readLegacy', 'reads Windows LAPS passwords but not the legacy ones (access the legacy delegation did not give)', 'Check that this is intended; a deny on the legacy attribute may not have been carried over.');
    gap('READ_GAP_WINDOWS_ONLY', 'warning', 'readWindowsEncrypted', 'readLegacy', 'reads Windows LAPS encrypted passwords but not the legacy ones (access the legacy delegation did not give)', 'Check that this is intended; a deny on the legacy attribute may not have been carried over.');
    gap('RESET_GAP_LEGACY_ONLY', 'warning', 'resetLegacy', 'resetWindows', 'can reset legacy LAPS passwords but not Windows LAPS ones', 'Mirror the reset delegation onto msLAPS-PasswordExpirationTime (the apply plan does).');
    gap('RESET_GAP_WINDOWS_ONLY', 'info', 'resetWindows', 'resetLegacy', 'can reset Windows LAPS passwords but not legacy ones', 'Check that this is intended.');
    // de-duplicate the two READ_GAP_WINDOWS_ONLY passes (same principal, same OUs)
    const seen = new Set<string>();
    for (let k = f.length - 1; k >= 0; k--) {
      const x = f[k]!;
      if (x.code !== 'READ_GAP_WINDOWS_ONLY') continue;
      const key = `${x.evidence}|${x.object}`;
      if (seen.has(key)) f.splice(k, 1);
      else seen.add(key);
    }
  }
  return f;
}

/** Encrypted passwords protected for someone other than the configured decryptors, or not readable at all. */
function encryptedTargetFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  const g = i.ctx.laps;
  const windows = hasFamily(g, 'windows');
  if (windows) {
    for (const c of i.containers) {
      if (c.encryptedFor.length === 0) continue;
      const targets = new Set(c.encryptedFor.map((e) => e.sid));
      for (const h of c.holders.readWindowsEncrypted) {
        if (!isDelegated(h.tier)) continue;
        const token = new Set(i.principals.token(h.sid));
        if ([...targets].some((t) => token.has(t))) continue;
        f.push({
          code: 'ENCRYPTED_READ_USELESS',
          severity: 'warning',
          object: c.dn,
          message: `${h.name} may read msLAPS-EncryptedPassword in ${c.path}, but the values there are encrypted to ${list(c.encryptedFor.map((e) => e.name))}: it cannot decrypt them.`,
          evidence: `SID ${h.sid}; ${c.encryptedFor.map((e) => `${e.computers} value(s) for ${e.sid}`).join(', ')}`,
          advice: 'Set ADPasswordEncryptionPrincipal in the Windows LAPS policy for this OU to a group this principal is in, or drop the read delegation.',
        });
      }
      for (const e of c.encryptedFor) {
        const canRead = i.capabilityOf(c.dn, e.sid, 'readWindowsEncrypted');
        if (!canRead) {
          f.push({
            code: 'ENCRYPTION_PRINCIPAL_CANNOT_READ',
            severity: 'warning',
            object: c.dn,
            count: e.computers,
            message: `${e.computers} encrypted password(s) in ${c.path} are encrypted to ${e.name}, which has no right to read msLAPS-EncryptedPassword there.`,
            evidence: `SID ${e.sid}`,
            advice: 'Delegate read of the Windows LAPS attributes to that principal on this OU, or change ADPasswordEncryptionPrincipal.',
          });
        }
      }
    }
  }
  if (windows && !i.encryptedReadable) {
    f.push({ code: 'ENCRYPTED_VALUES_NOT_READABLE', severity: 'info', object: 'bound account', message: 'The bound account cannot read msLAPS-EncryptedPassword values, so whom they are encrypted to is unknown.', advice: 'Run as an account that may read them (a Domain Admin) to check encryption principals against the read delegations.' });
  }
  return f;
}

/** Owners and creators of computers (who can grant themselves the password). */
function ownerFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  const owned = new Map<string, { name: string; tier: Tier; computers: string[]; created: number; perComputer: number }>();
  for (const c of i.computers) {
    const sid = c.owner ?? c.creator;
    const tier = c.owner ? c.ownerTier : c.creatorTier;
    if (!sid || !tier || !isDelegated(tier)) continue;
    const o = owned.get(sid) ?? { name: i.principals.name(sid), tier, computers: [], created: 0, perComputer: 0 };
    o.computers.push(c.name);
    if (c.creator === sid) o.created++;
    if (c.source === 'computer') o.perComputer++;
    owned.set(sid, o);
  }
  for (const [sid, o] of owned) {
    const n = o.computers.length;
    f.push({
      code: 'OWNER_CAN_READ',
      severity: severityFor(o.tier, 'warning'),
      object: 'computers',
      count: n,
      message: `${o.name} owns ${n} computer(s): ${list(o.computers)}. The owner may rewrite their DACL, and the account that created (joined) a computer gets the CREATOR OWNER rights of the computer class: both read its LAPS passwords.`,
      evidence: `SID ${sid}; owner SID of ${n} computer(s)${o.created ? `, mS-DS-CreatorSID of ${o.created}` : ''}${o.perComputer ? `; read access confirmed on ${o.perComputer} own descriptor(s)` : ' (run with --per-computer to evaluate their descriptors)'}`,
      advice: "--fix-owners makes Domain Admins the owner and removes the creator's CREATOR OWNER ACEs (journaled, reversible).",
    });
  }
  return f;
}

/** DirSync holders at the domain root (they can replicate confidential attributes). */
function dirSyncFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  for (const d of i.dirSync) {
    if (!isNonAdmin(d.tier)) continue;
    f.push({
      code: 'DIRSYNC_READER',
      severity: severityFor(d.tier, 'warning'),
      object: i.ctx.domainDn,
      message: `${d.name} holds ${d.rights.join(' + ')} on the domain root: with DirSync (or replication) it reads confidential attributes, LAPS passwords of every computer included.`,
      evidence: `SID ${d.sid}`,
      advice: 'Remove the replication rights unless this is a synchronisation service that must have them.',
    });
  }
  return f;
}

/** One function per group of codes, in the order the findings are listed. */
const FINDING_GROUPS: ReadonlyArray<(i: FindingInput) => Finding[]> = [
  schemaFindings,
  unreadableFindings,
  selfCoverageFindings,
  delegationFindings,
  denyFindings,
  familyGapFindings,
  encryptedTargetFindings,
  ownerFindings,
  dirSyncFindings,
];

export function permissionsFindings(i: FindingInput): Finding[] {
  return FINDING_GROUPS.flatMap((group) => group(i));
}
