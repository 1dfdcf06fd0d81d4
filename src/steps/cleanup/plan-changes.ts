/**
 * Cleanup's journal changes, from the facts (read.ts) and the decisions (decide.ts):
 *   1. reversible: the legacy delegations off each OU where no computer below depends on legacy
 *      (one DACL change per OU, before-image = the descriptor read with SD flags 4, as the
 *      permissions step writes; a rerun finds none and plans nothing); legacy-only GPOs unlinked
 *      from those OUs, or a GPO with other settings stripped of its AdmPwd values, through the
 *      GPO writer (planGpoEdit: both halves, guarded; GPOs are never deleted);
 *   2. irreversible: per verified computer, ms-Mcs-AdmPwd then ms-Mcs-AdmPwdExpirationTime deleted
 *      (and msLAPS-Password with removeClearTextWindowsLaps). Each delete names the exact value
 *      read just before planning, so the server refuses it if the device rotated meanwhile (a
 *      conflict, nothing overwritten). The password values live only in memory: the journal,
 *      the plan text and the JSON keep presence and length only (journal/secret-attributes.ts).
 */
import { dnKey } from '../../directory/dn.js';
import { firstString } from '../../directory/entry.js';
import type { Directory } from '../../directory/types.js';
import { readGpo } from '../../gpo/read-gpo.js';
import { planGpoEdit } from '../../gpo/plan-gpo-edit.js';
import { deleteValues, replaceDacl, type ChangeDraft } from '../../journal/index.js';
import { LEGACY_LAPS_KEY } from '../../laps/gpo-laps-settings.js';
import { parseRegistryPol, sameName } from '../../laps/registry-pol.js';
import type { CleanupComputer, ComputerDecision, GpoDecision } from './decide.js';
import { delegationKind, legacyDelegations, withoutLegacyDelegations } from './delegations.js';
import type { CleanupFacts, ContainerDacl } from './read.js';

export interface OuDecision {
  dn: string;
  /** Legacy delegation ACEs found (kinds). */
  delegations: string[];
  remove: boolean;
  why: string;
}

export function ouDecisions(dacls: ContainerDacl[], facts: Pick<CleanupFacts, 'guids'>, needers: (dn: string) => CleanupComputer[]): OuDecision[] {
  const g = { password: facts.guids.attributes.legacyPassword?.guid, expiration: facts.guids.attributes.legacyExpiration?.guid };
  const out: OuDecision[] = [];
  for (const d of dacls) {
    const aces = legacyDelegations(d.sd, g);
    if (!aces.length) continue;
    const kinds = [...new Set(aces.map((a) => delegationKind(a, g)))];
    const needs = needers(d.dn);
    out.push({
      dn: d.dn,
      delegations: kinds,
      remove: needs.length === 0,
      why: needs.length ? `${needs.length} computer(s) below still depend on legacy (e.g. ${needs.slice(0, 3).map((c) => c.name).join(', ')})` : 'no computer below depends on legacy any more',
    });
  }
  return out;
}

export function delegationDrafts(dacls: ContainerDacl[], decisions: OuDecision[], facts: Pick<CleanupFacts, 'guids'>): ChangeDraft[] {
  const g = { password: facts.guids.attributes.legacyPassword?.guid, expiration: facts.guids.attributes.legacyExpiration?.guid };
  const byDn = new Map(dacls.map((d) => [dnKey(d.dn), d]));
  const drafts: ChangeDraft[] = [];
  for (const o of decisions.filter((x) => x.remove)) {
    const d = byDn.get(dnKey(o.dn))!;
    const after = withoutLegacyDelegations(d.sd, g);
    if (after) drafts.push(replaceDacl({ dn: d.dn, reason: `cleanup: remove the legacy LAPS delegations (${o.delegations.join(', ')}): ${o.why}`, before: d.bytes, after, sdFlags: 4 }));
  }
  return drafts;
}

export async function gpoDrafts(dir: Directory, domainDn: string, sysvol: string | undefined, decisions: GpoDecision[]): Promise<{ drafts: ChangeDraft[]; notes: string[] }> {
  const drafts: ChangeDraft[] = [];
  const notes: string[] = [];
  for (const d of decisions) {
    if (!d.unlink.length && !d.removeValues) continue;
    const snapshot = await readGpo(dir, { domainDn, gpo: d.gpo.guid, ...(sysvol ? { sysvol } : {}) });
    const pol = snapshot.sysvol?.registryPol;
    const remove = d.removeValues && pol ? parseRegistryPol(pol, snapshot.sysvol!.registryPolPath ?? 'Registry.pol').filter((e) => sameName(e.key, LEGACY_LAPS_KEY)).map((e) => ({ key: e.key, value: e.value })) : [];
    const edit = await planGpoEdit(dir, snapshot, {
      reason: `cleanup: legacy LAPS GPO ${d.gpo.name} is no longer needed there`,
      ...(remove.length ? { remove } : {}),
      links: d.unlink.map((target) => ({ target, edit: { action: 'unlink' as const } })),
    });
    drafts.push(...edit.drafts);
    if (edit.drafts.length) notes.push(...edit.notes);
  }
  return { drafts, notes };
}

/** The irreversible deletes, conditional on the values read now (kept in memory only). */
export async function clearDrafts(dir: Directory, facts: Pick<CleanupFacts, 'schema'>, plan: Array<{ c: CleanupComputer; d: ComputerDecision }>): Promise<ChangeDraft[]> {
  const pwd = facts.schema.legacyPassword?.name;
  const exp = facts.schema.legacyExpiration?.name;
  const clear = facts.schema.password?.name;
  const drafts: ChangeDraft[] = [];
  for (const { c, d } of plan) {
    if (d.clearLegacy && (pwd || exp)) {
      const e = await dir.read(c.dn, [pwd, exp].filter((x): x is string => !!x));
      const p = pwd && e ? firstString(e, pwd) : undefined;
      const x = exp && e ? firstString(e, exp) : undefined;
      const why = `cleanup: ${c.name} is verified on Windows LAPS; its legacy password is no longer needed`;
      if (pwd && p !== undefined) drafts.push(deleteValues({ dn: c.dn, attribute: pwd, before: [p], reason: `${why} (clear text in AD)` }));
      // irreversible with the password: restoring an expiry without its password would mislead the legacy CSE
      if (exp && x !== undefined) drafts.push(deleteValues({ dn: c.dn, attribute: exp, before: [x], irreversible: true, reason: `${why} (its expiration time)` }));
    }
    if (d.clearWindows && clear) {
      const e = await dir.read(c.dn, [clear]);
      const v = e ? firstString(e, clear) : undefined;
      if (v !== undefined) drafts.push(deleteValues({ dn: c.dn, attribute: clear, before: [v], reason: `cleanup: ${c.name} has a verified encrypted password; the leftover clear-text msLAPS-Password goes` }));
    }
  }
  return drafts;
}
