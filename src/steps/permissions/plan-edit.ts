/**
 * Turning one descriptor into its planned successor (applyEdit): every edit goes through
 * mergeAce / removeAce, so applying a plan twice changes nothing.
 */
import { AceFlag, aceEquals, mapGenericRights, mergeAce, prospectiveChildSd, removeAce, serializeSecurityDescriptor, WellKnownSids, type Ace, type Acl, type SecurityDescriptor } from '../../security/index.js';
import type { Tier } from './model.js';
import { PROSPECTIVE_COMPUTER_SID } from './principals.js';
import { selfCoverage } from './evaluate.js';
import type { DescriptorEdit, PlanInput } from './plan-model.js';

/** A copy of a descriptor's DACL (an empty revision-4 one when it has none). */
export function daclOf(sd: SecurityDescriptor | undefined): Acl {
  return sd?.dacl ? { ...sd.dacl, aces: [...sd.dacl.aces] } : { revision: 4, aces: [] };
}

export function dedupe(aces: Ace[]): Ace[] {
  const out: Ace[] = [];
  for (const a of aces) if (!out.some((b) => aceEquals(a, b))) out.push(a);
  return out;
}

export function coverageOf(sd: SecurityDescriptor, input: PlanInput) {
  const child = prospectiveChildSd(sd.dacl, { classGuids: [input.laps.computerClass], ...(input.classDefaultSd ? { defaultSd: input.classDefaultSd } : {}) });
  return selfCoverage(child, input.laps, PROSPECTIVE_COMPUTER_SID, input.domainSid);
}

export interface EditContext {
  tierOf: (sid: string) => Tier;
  classDefaultSd?: SecurityDescriptor;
}

/** ACEs the class default gives CREATOR OWNER, as they appear on an object owned by `owner`. */
function creatorOwnerAces(owner: string, classDefault: SecurityDescriptor | undefined): Ace[] {
  return (classDefault?.dacl?.aces ?? [])
    .filter((a) => a.sid === WellKnownSids.CREATOR_OWNER && !(a.flags & AceFlag.INHERIT_ONLY))
    .map((a) => ({ ...a, sid: owner, mask: mapGenericRights(a.mask) }));
}

/**
 * The descriptor after the edit, applied to what the directory holds now; undefined when the
 * edit changes nothing (already done). Additions are merged (idempotent), removals match exactly.
 */
export function applyEdit(current: SecurityDescriptor, e: DescriptorEdit, ctx: EditContext): SecurityDescriptor | undefined {
  let dacl = daclOf(current);
  let changed = false;
  let owner = current.owner;
  for (const r of e.remove) {
    const res = removeAce(dacl, r);
    if (res.removed) {
      dacl = res.acl;
      changed = true;
    }
  }
  for (const { from, to } of e.replace) {
    const i = dacl.aces.findIndex((a) => !(a.flags & AceFlag.INHERITED) && aceEquals(a, from));
    if (i >= 0) {
      dacl = { ...dacl, aces: dacl.aces.map((a, j) => (j === i ? to : a)) };
      changed = true;
    }
  }
  if (e.newOwner && current.owner && current.owner !== e.newOwner) {
    const t = ctx.tierOf(current.owner);
    if (t === 'delegated' || t === 'broad') {
      const co = creatorOwnerAces(current.owner, ctx.classDefaultSd);
      const res = removeAce(dacl, (a) => co.some((c) => aceEquals({ ...a, mask: mapGenericRights(a.mask) }, c)));
      dacl = res.acl;
      owner = e.newOwner;
      changed = true;
    }
  }
  for (const a of e.add) {
    const r = mergeAce(dacl, a);
    if (r.outcome === 'added') {
      dacl = r.acl;
      changed = true;
    }
  }
  if (!changed) return undefined;
  const out: SecurityDescriptor = { ...current, dacl: { ...dacl, revision: Math.max(dacl.revision, e.add.length ? 4 : dacl.revision) } };
  if (owner !== undefined) out.owner = owner;
  return out;
}

/** applyEdit on bytes: the new descriptor's bytes, or undefined when nothing changes. */
export function applyEditBytes(current: SecurityDescriptor, e: DescriptorEdit, ctx: EditContext): Buffer | undefined {
  const after = applyEdit(current, e, ctx);
  return after ? serializeSecurityDescriptor(after) : undefined;
}
