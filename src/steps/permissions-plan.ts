/**
 * Step 3 apply plan (pure): which ACEs to add or remove where, computed from the descriptors the
 * audit read, and how to turn one descriptor into its planned successor.
 *
 * - SELF for Windows LAPS (Set-LapsADComputerSelfPermission equivalent), inheritable to computer
 *   objects: RP+WP and CONTROL_ACCESS on the ms-LAPS-Encrypted-Password-Attributes property set
 *   (write the encrypted password and history, read its own encrypted password back: the
 *   attributes are confidential), WP on msLAPS-Password, RP+WP on msLAPS-PasswordExpirationTime.
 *   The legacy SELF permission (WP ms-Mcs-AdmPwd, RP+WP its expiration time) where
 *   legacy-managed computers lack it (legacy CSE, emulation). Containers are taken from the top;
 *   a container that inherits a grant planned above it (its DACL is not protected) gets none.
 * - Mirroring: each explicit legacy ACE (allow or deny) on ms-Mcs-AdmPwd becomes the same ACE on
 *   msLAPS-Password and on the property set; one on ms-Mcs-AdmPwdExpirationTime the same on
 *   msLAPS-PasswordExpirationTime. Deny ACEs are mirrored too, so a denial survives the cutover.
 * - Opt-in: remove CONTROL_ACCESS from non-admin "All Extended Rights" ACEs that reach computers;
 *   make Domain Admins the owner of computers owned by a non-admin and drop that owner's
 *   CREATOR OWNER ACEs.
 * Every edit goes through mergeAce / removeAce, so applying a plan twice changes nothing.
 *
 * Types are in steps/permissions/plan-model.ts, the ACE builders in plan-aces.ts, the descriptor
 * edit in plan-edit.ts; this module computes the plan and is their public face.
 */
import { aceToSddl, effectiveDaclOf, mapGenericRights, mergeAce, prospectiveChildSd, SdControl, type Ace, type Acl, type SecurityDescriptor } from '../security/index.js';
import { dnKey, friendlyPath, isUnder, parentDn } from '../directory/dn.js';
import { hasFamily, PROSPECTIVE_COMPUTER_SID, selfCoverage } from './permissions-analysis.js';
import type { DescriptorEdit, MirrorRow, PermissionsPlanModel, PlanInput, PlanOptions, RemediationRow, SelfRow } from './permissions/plan-model.js';
import { CR, allExtendedRightsAce, combineMasks, legacySelfAces, mirrorAce, mirrorKinds, windowsSelfAces } from './permissions/plan-aces.js';
import { coverageOf, daclOf, dedupe } from './permissions/plan-edit.js';

export * from './permissions/plan-model.js';
export { allExtendedRightsAce, legacySelfAces, mirrorAce, windowsSelfAces } from './permissions/plan-aces.js';
export { applyEdit, applyEditBytes, type EditContext } from './permissions/plan-edit.js';

function withAces(sd: SecurityDescriptor, add: Ace[]): SecurityDescriptor {
  let dacl = daclOf(sd);
  for (const a of add) dacl = mergeAce(dacl, a).acl;
  return { ...sd, dacl: { ...dacl, revision: Math.max(dacl.revision, 4) } };
}

function inScope(dn: string, scope: string[] | undefined): boolean {
  return !scope || scope.some((s) => isUnder(dn, s));
}

export function planPermissions(input: PlanInput, options: PlanOptions): PermissionsPlanModel {
  const g = input.laps;
  const path = (dn: string) => friendlyPath(dn, input.domainDn);
  const byDn = new Map(input.containers.map((c) => [dnKey(c.dn), c]));
  const edits = new Map<string, DescriptorEdit>();
  const edit = (dn: string, sdFlags: 4 | 5): DescriptorEdit => {
    const k = dnKey(dn);
    let e = edits.get(k);
    if (!e) {
      e = { dn, sdFlags, reasons: [], add: [], remove: [], replace: [] };
      edits.set(k, e);
    }
    return e;
  };
  const explicitScope = options.scope?.map(dnKey);

  // the DACL a container would have once the planned additions above it (and on it) are made
  const simulated = (dn: string): Acl | null => {
    const c = byDn.get(dnKey(dn));
    if (!c?.sd) return null;
    const mine = edits.get(dnKey(dn))?.add ?? [];
    const own = mine.length ? withAces(c.sd, mine) : c.sd;
    const parent = parentDn(dn);
    const changedAbove = [...edits.keys()].some((k) => k !== dnKey(dn) && isUnder(dn, k));
    if (!changedAbove || dnKey(dn) === dnKey(input.domainDn) || !byDn.has(dnKey(parent))) return own.dacl;
    const parentDacl = simulated(parent);
    return effectiveDaclOf(own.dacl?.aces ?? [], parentDacl, { classGuids: c.classGuids, protected: (c.sd.control & SdControl.DACL_PROTECTED) !== 0, revision: own.dacl?.revision ?? 4 });
  };
  const coverageAfter = (dn: string) => {
    const dacl = simulated(dn);
    const child = prospectiveChildSd(dacl, { classGuids: [g.computerClass], ...(input.classDefaultSd ? { defaultSd: input.classDefaultSd } : {}) });
    return selfCoverage(child, g, PROSPECTIVE_COMPUTER_SID, input.domainSid);
  };

  // 1. SELF, from the top
  const selfRows: SelfRow[] = [];
  const wantWindows = options.self && hasFamily(g, 'windows');
  const wantLegacy = options.legacySelf && hasFamily(g, 'legacy');
  const holding = input.containers.filter((c) => c.computers > 0).sort((a, b) => a.dn.split(',').length - b.dn.split(',').length || path(a.dn).localeCompare(path(b.dn)));
  for (const c of holding) {
    const row: SelfRow = { container: path(c.dn), dn: c.dn, computers: c.computers, legacyManaged: c.legacyManaged, legacyNow: false, windowsNow: false, readEncryptedNow: false, action: 'covered', grants: [], legacyAfter: false, windowsAfter: false, readEncryptedAfter: false };
    if (!c.sd) {
      row.action = 'unreadable';
      selfRows.push(row);
      continue;
    }
    const now = coverageOf(c.sd, input);
    row.legacyNow = now.legacy;
    row.windowsNow = now.windows;
    row.readEncryptedNow = now.readEncrypted;
    const before = coverageAfter(c.dn);
    const explicitlyChosen = explicitScope?.includes(dnKey(c.dn)) ?? false;
    const onlyDcs = c.domainControllers === c.computers;
    const needWindows = wantWindows && (!before.windows || !before.readEncrypted);
    const needLegacy = wantLegacy && c.legacyManaged > 0 && !before.legacy;
    if (!needWindows && !needLegacy) {
      const inherits = (wantWindows && !now.windows && before.windows) || (wantLegacy && !now.legacy && before.legacy && c.legacyManaged > 0);
      const unwanted = (!wantWindows && hasFamily(g, 'windows') && !now.windows) || (!wantLegacy && hasFamily(g, 'legacy') && c.legacyManaged > 0 && !now.legacy);
      row.action = inherits ? 'inherits-planned-grant' : unwanted ? 'not-requested' : 'covered';
    } else if (!inScope(c.dn, options.scope)) {
      row.action = 'out-of-scope';
    } else if (onlyDcs && !explicitlyChosen) {
      row.action = 'skipped-dcs';
    } else {
      const e = edit(c.dn, 4);
      if (needWindows) {
        e.add.push(...windowsSelfAces(g));
        row.grants.push('windows');
        e.reasons.push(`grant SELF the Windows LAPS permissions (Set-LapsADComputerSelfPermission) for the ${c.computers} computer(s) here`);
      }
      if (needLegacy) {
        e.add.push(...legacySelfAces(g));
        row.grants.push('legacy');
        e.reasons.push(`grant SELF the legacy LAPS permission (Set-AdmPwdComputerSelfPermission) for the ${c.legacyManaged} legacy-managed computer(s) here`);
      }
      row.action = 'grant';
    }
    selfRows.push(row);
  }
  for (const row of selfRows) {
    if (row.action === 'unreadable') continue;
    const after = coverageAfter(row.dn);
    row.legacyAfter = after.legacy;
    row.windowsAfter = after.windows;
    row.readEncryptedAfter = after.readEncrypted;
  }

  // 2. mirroring
  const mirrorRows: MirrorRow[] = [];
  if (options.mirror && hasFamily(g, 'windows') && hasFamily(g, 'legacy')) {
    for (const c of input.containers) {
      if (!c.sd || !inScope(c.dn, options.scope)) continue;
      const perSid = new Map<string, { legacy: Ace[]; windows: Ace[]; kinds: Set<MirrorRow['kinds'][number]> }>();
      for (const ace of c.sd.dacl?.aces ?? []) {
        const mirrored = mirrorAce(ace, g);
        if (!mirrored.length) continue;
        const p = perSid.get(ace.sid) ?? { legacy: [], windows: [], kinds: new Set() };
        p.legacy.push(ace);
        p.windows.push(...mirrored);
        for (const k of mirrorKinds(ace, g)) p.kinds.add(k);
        perSid.set(ace.sid, p);
      }
      if (!perSid.size) continue;
      let dacl = daclOf(c.sd);
      for (const [sid, p] of perSid) {
        const windowsAces = combineMasks(p.windows);
        let added = false;
        for (const a of windowsAces) {
          const r = mergeAce(dacl, a);
          dacl = r.acl;
          if (r.outcome === 'added') added = true;
        }
        const kinds = [...p.kinds].sort();
        mirrorRows.push({
          container: path(c.dn),
          dn: c.dn,
          principal: input.nameOf(sid),
          sid,
          kinds,
          legacyAces: p.legacy.map((a) => `(${aceToSddl(a, { domainSid: input.domainSid })})`),
          windowsAces: windowsAces.map((a) => `(${aceToSddl(a, { domainSid: input.domainSid })})`),
          status: added ? 'add' : 'present',
        });
        if (added) {
          const e = edit(c.dn, 4);
          e.add.push(...windowsAces);
          e.reasons.push(`mirror the legacy ${kinds.join('/')} delegation of ${input.nameOf(sid)} onto the Windows LAPS attributes`);
        }
      }
    }
  }

  // 3. opt-in remediation
  const remediation: RemediationRow[] = [];
  if (options.removeAllExtendedRights) {
    const reachesComputers = (dn: string) => holding.some((h) => isUnder(h.dn, dn));
    for (const c of input.containers) {
      if (!c.sd || !inScope(c.dn, options.scope) || !reachesComputers(c.dn)) continue;
      for (const ace of c.sd.dacl?.aces ?? []) {
        if (!allExtendedRightsAce(ace, g.computerClass)) continue;
        const tier = input.tierOf(ace.sid);
        if (tier !== 'delegated' && tier !== 'broad') continue;
        const e = edit(c.dn, 4);
        const rest = mapGenericRights(ace.mask) & ~CR;
        const sddl = `(${aceToSddl(ace, { domainSid: input.domainSid })})`;
        if (rest === 0) {
          e.remove.push(ace);
          remediation.push({ kind: 'all-extended-rights', dn: c.dn, object: path(c.dn), principal: input.nameOf(ace.sid), sid: ace.sid, detail: `remove ${sddl}` });
        } else {
          const to = { ...ace, mask: rest >>> 0 };
          e.replace.push({ from: ace, to });
          remediation.push({ kind: 'all-extended-rights', dn: c.dn, object: path(c.dn), principal: input.nameOf(ace.sid), sid: ace.sid, detail: `replace ${sddl} by (${aceToSddl(to, { domainSid: input.domainSid })})` });
        }
        e.reasons.push(`remove All Extended Rights of ${input.nameOf(ace.sid)} (reads every confidential attribute of the computers below)`);
      }
    }
  }
  if (options.fixOwners) {
    const da = `${input.domainSid}-512`;
    for (const c of input.computers) {
      if (!c.ownerOrCreator || !c.ownerTier || (c.ownerTier !== 'delegated' && c.ownerTier !== 'broad')) continue;
      if (!inScope(c.dn, options.scope)) continue;
      const e = edit(c.dn, 5);
      e.newOwner = da;
      e.reasons.push(`make Domain Admins the owner instead of ${c.ownerName ?? c.ownerOrCreator}, and remove that account's CREATOR OWNER ACEs (it could read the LAPS password)`);
      remediation.push({ kind: 'owner', dn: c.dn, object: c.name, principal: c.ownerName ?? c.ownerOrCreator, sid: c.ownerOrCreator, detail: 'owner -> Domain Admins; creator ACEs removed' });
    }
  }

  // drop duplicated ACEs inside an edit (mergeAce makes them harmless, this keeps the plan short)
  for (const e of edits.values()) e.add = dedupe(e.add);
  return { edits: [...edits.values()], self: selfRows, mirror: mirrorRows, remediation, scope: options.scope ?? 'all' };
}
