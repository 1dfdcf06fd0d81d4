/**
 * planGpoEdit: the one way steps change a GPO. From a snapshot (read-gpo.ts) and an edit (values
 * to set or remove in Machine/Registry.pol, links to add, remove, enable, disable or enforce)
 * it produces journal change drafts for both halves together, in this order:
 *   1. GPT.INI (machine version + 1), guarded by the other halves as planned, so a GPO edited
 *      by someone else since the plan is a conflict before anything is written;
 *   2. Machine/Registry.pol (every other entry byte for byte, order kept);
 *   3. gPCMachineExtensionNames (the client-side extension pairs the values need, GPMC order);
 *   4. versionNumber (same number as GPT.INI): last, so clients only pick the edit up once the
 *      files are complete;
 *   5. gPLink of each container (links after the settings: never linked half-written).
 * Nothing changes = no drafts (reruns write nothing). The plan notes name the DC and the
 * SYSVOL folder; the same edit is also rendered as a GroupPolicy-module PowerShell script.
 */
import { ExitCode, InputError, UserError } from '../errors.js';
import { readLinkHolder, type GpoLinkHolder } from '../directory/gpo-container.js';
import type { Directory } from '../directory/types.js';
import { replaceValues, type ChangeDraft } from '../journal/change.js';
import { replaceFile, sha256, type ChangeGuard } from '../journal/file-change.js';
import { dnKey } from '../directory/dn.js';
import { addExtensionPair, removeExtensionPair } from '../laps/gpo-extensions.js';
import { ADMIN_TEMPLATES_PAIR, assertNoSecretInPolicy, LEGACY_LAPS_KEY, LEGACY_LAPS_PAIR, neededExtensionPairs } from '../laps/gpo-laps-settings.js';
import { gpoEditPowerShell } from '../laps/gpo-powershell.js';
import { editGpLink, type LinkEdit } from '../laps/gplink-edit.js';
import { bumpMachineVersion, newGptIni, parseGptIni, setGptIniVersion } from '../laps/gpt-ini.js';
import { parseRegistryPol, removePolicyValue, sameName, setPolicyValue, writeRegistryPol, type PolicyEntry } from '../laps/registry-pol.js';
import type { GpoSnapshot } from './read-gpo.js';

export interface GpoEdit {
  /** Values to set (build them with lapsPolicyEntry(), which checks names, types and ranges). */
  set?: PolicyEntry[];
  /** Values to remove from Machine/Registry.pol. */
  remove?: Array<{ key: string; value: string }>;
  /** Link edits on the domain head or OUs (by DN). */
  links?: Array<{ target: string; edit: LinkEdit }>;
  /** Why (goes into every change's reason), e.g. "cutover wave Pilot". */
  reason: string;
}

export interface GpoEditPlan {
  drafts: ChangeDraft[];
  /** For the plan's text: which DC and which SYSVOL folder the edit is made on. */
  notes: string[];
  /** Registry.pol after the edit (an artifact for admins), when the edit touches settings. */
  registryPol: Buffer | undefined;
  /** The new version in both halves, when settings change. */
  newVersion: number | undefined;
  /** The same edit as a GroupPolicy-module script. */
  powershell: string;
}

function label(g: GpoSnapshot, rel: string): string {
  const base = g.container.fileSysPath ?? `\\\\${g.dnsDomain}\\SysVol\\${g.dnsDomain}\\Policies\\${g.container.guid}`;
  return `${base}\\${rel}`;
}

function versionOf(g: GpoSnapshot): number {
  const raw = g.container.versionNumber ?? '0';
  if (!/^\d+$/.test(raw) || Number(raw) > 0xffffffff) throw new UserError(`versionNumber of ${g.container.dn} is "${raw}", not a version`, ExitCode.BLOCKERS, { reason: 'GPO_VERSION_MALFORMED' });
  return Number(raw);
}

/** The settings half: drafts for GPT.INI, Registry.pol, extensions and versionNumber. */
function settingsDrafts(g: GpoSnapshot, edit: GpoEdit): { drafts: ChangeDraft[]; registryPol: Buffer | undefined; newVersion: number | undefined } {
  const none = { drafts: [], registryPol: undefined, newVersion: undefined };
  const set = edit.set ?? [];
  const remove = edit.remove ?? [];
  if (set.length === 0 && remove.length === 0) return none;
  for (const e of set) assertNoSecretInPolicy(e);
  const s = g.sysvol;
  if (!s) throw new InputError(`changing the settings of GPO ${g.container.displayName ?? g.container.guid} needs its SYSVOL half: pass --sysvol PATH`, { reason: 'SYSVOL_REQUIRED' });
  if (!s.gpoDir || !s.gptIniPath || !s.registryPolPath) {
    throw new UserError(`GPO ${g.container.guid} has no folder under ${s.policiesDir}`, ExitCode.BLOCKERS, { reason: 'GPO_SYSVOL_MISSING', advice: 'Check SYSVOL replication to this copy and that --sysvol is the right domain\'s.' });
  }
  const before = s.registryPol === null ? [] : parseRegistryPol(s.registryPol, s.registryPolPath);
  let after = before;
  for (const e of set) after = setPolicyValue(after, e);
  for (const r of remove) after = removePolicyValue(after, r.key, r.value);
  const polAfter = writeRegistryPol(after);
  const polBefore = s.registryPol;
  const polChanged = polBefore === null ? after.length > 0 : !polAfter.equals(polBefore);

  if (!polChanged) return none;
  // the extension pairs change with the file, as when GPMC saves the values (never on their own)
  let ext = g.container.machineExtensionNames;
  for (const p of neededExtensionPairs(set)) ext = addExtensionPair(ext, p);
  if (remove.length) {
    if (after.length === 0) ext = removeExtensionPair(ext, ADMIN_TEMPLATES_PAIR);
    if (!after.some((e) => sameName(e.key, LEGACY_LAPS_KEY))) ext = removeExtensionPair(ext, LEGACY_LAPS_PAIR);
  }
  const extChanged = ext !== g.container.machineExtensionNames;

  const adVersion = versionOf(g);
  const iniVersion = s.gptIni === null ? undefined : parseGptIni(s.gptIni, s.gptIniPath).version;
  if (iniVersion !== undefined && iniVersion !== adVersion) {
    throw new UserError(`the halves of GPO ${g.container.displayName ?? g.container.guid} disagree (versionNumber ${adVersion}, GPT.INI ${iniVersion}): not editing it`, ExitCode.BLOCKERS, {
      reason: 'GPO_VERSION_MISMATCH',
      advice: 'SYSVOL replication is behind or an edit stopped half-way: wait for replication, or re-save the GPO in GPMC on the PDC emulator, then plan again.',
    });
  }
  const newVersion = bumpMachineVersion(adVersion);
  const iniAfter = s.gptIni === null ? newGptIni(newVersion, g.container.displayName) : setGptIniVersion(s.gptIni, newVersion);
  const why = edit.reason;
  const guards: ChangeGuard[] = [
    { kind: 'file', path: s.registryPolPath, sha256: sha256(polBefore) },
    { kind: 'attribute', dn: g.container.dn, attribute: 'versionNumber', values: g.container.versionNumber === undefined ? [] : [g.container.versionNumber] },
    { kind: 'attribute', dn: g.container.dn, attribute: 'gPCMachineExtensionNames', values: g.container.machineExtensionNames === undefined ? [] : [g.container.machineExtensionNames] },
  ];
  const drafts: ChangeDraft[] = [
    replaceFile({ dn: g.container.dn, path: s.gptIniPath, label: label(g, 'GPT.INI'), reason: `${why}: GPT.INI version ${adVersion} -> ${newVersion} (machine half + 1)`, before: s.gptIni, after: iniAfter, guards }),
  ];
  drafts.push(replaceFile({ dn: g.container.dn, path: s.registryPolPath, label: label(g, 'Machine\\Registry.pol'), reason: `${why}: ${describeValueEdits(set, remove)}`, before: polBefore, after: polAfter }));
  if (extChanged) {
    const cur = g.container.machineExtensionNames;
    drafts.push(replaceValues({ dn: g.container.dn, attribute: 'gPCMachineExtensionNames', reason: `${why}: client-side extensions the settings need`, before: cur === undefined ? [] : [cur], values: ext === undefined ? [] : [ext] }));
  }
  drafts.push(replaceValues({ dn: g.container.dn, attribute: 'versionNumber', reason: `${why}: version ${adVersion} -> ${newVersion} (same as GPT.INI)`, before: g.container.versionNumber === undefined ? [] : [g.container.versionNumber], values: [String(newVersion)] }));
  return { drafts, registryPol: polAfter, newVersion };
}

function describeValueEdits(set: PolicyEntry[], remove: Array<{ key: string; value: string }>): string {
  const parts = [...(set.length ? [`set ${set.map((e) => e.value).join(', ')}`] : []), ...(remove.length ? [`remove ${remove.map((r) => r.value).join(', ')}`] : [])];
  return parts.join('; ');
}

/** The link half, from the current gPLink of each target. */
export function linkDrafts(g: GpoSnapshot, holders: GpoLinkHolder[], edit: GpoEdit): ChangeDraft[] {
  const drafts: ChangeDraft[] = [];
  const current = new Map(holders.map((h) => [dnKey(h.dn), h]));
  const pending = new Map<string, { dn: string; before: string | undefined; after: string | undefined }>();
  for (const { target, edit: le } of edit.links ?? []) {
    const k = dnKey(target);
    const h = current.get(k);
    if (!h) throw new InputError(`no gPLink read for ${target}`);
    const prev = pending.get(k) ?? { dn: h.dn, before: h.gpLink === '' ? undefined : h.gpLink, after: h.gpLink === '' ? undefined : h.gpLink };
    prev.after = editGpLink(prev.after, g.container.dn, le);
    pending.set(k, prev);
  }
  for (const p of pending.values()) {
    if (p.after === p.before) continue;
    const actions = (edit.links ?? []).filter((l) => dnKey(l.target) === dnKey(p.dn)).map((l) => l.edit.action).join(', ');
    drafts.push(replaceValues({ dn: p.dn, attribute: 'gPLink', reason: `${edit.reason}: ${actions} GPO ${g.container.displayName ?? g.container.guid}`, before: p.before === undefined ? [] : [p.before], values: p.after === undefined ? [] : [p.after] }));
  }
  return drafts;
}

/** Pure: drafts for both halves from a snapshot and the link targets' current gPLink. */
export function buildGpoEditPlan(g: GpoSnapshot, holders: GpoLinkHolder[], edit: GpoEdit): GpoEditPlan {
  const settings = settingsDrafts(g, edit);
  const drafts = [...settings.drafts, ...linkDrafts(g, holders, edit)];
  const notes: string[] = [];
  const pdc = g.dc.pdcDnsHostName ?? g.dc.pdcServer;
  notes.push(`GPO ${g.container.displayName ?? ''} ${g.container.guid}: edited on ${g.dc.boundDnsHostName}${g.dc.boundIsPdc === true ? ' (the PDC emulator, as GPMC does)' : ''}`.replace(/ {2,}/g, ' '));
  if (g.dc.boundIsPdc === false) notes.push(`WARNING: the bound DC ${g.dc.boundDnsHostName} is not the PDC emulator (${pdc}); GPMC edits GPOs on the PDC emulator. Connect to it (and mount its SYSVOL) to avoid replication conflicts.`);
  if (g.dc.boundIsPdc === undefined) notes.push('The PDC emulator could not be read (fSMORoleOwner of the domain head): check that this DC holds the role.');
  if (g.sysvol?.gpoDir) notes.push(`SYSVOL folder: ${g.sysvol.gpoDir}`);
  const powershell = gpoEditPowerShell({
    gpoName: g.container.displayName ?? g.container.guid,
    ...(pdc ? { server: pdc } : {}),
    domain: g.dnsDomain,
    set: edit.set ?? [],
    remove: edit.remove ?? [],
    links: edit.links ?? [],
  });
  return { drafts, notes, registryPol: settings.registryPol, newVersion: settings.newVersion, powershell };
}

/** Reads the link targets' gPLink, then plans (the API steps call). */
export async function planGpoEdit(dir: Directory, g: GpoSnapshot, edit: GpoEdit): Promise<GpoEditPlan> {
  const holders = [...g.linkHolders];
  for (const { target } of edit.links ?? []) {
    if (!holders.some((h) => dnKey(h.dn) === dnKey(target))) holders.push(await readLinkHolder(dir, target));
  }
  return buildGpoEditPlan(g, holders, edit);
}
