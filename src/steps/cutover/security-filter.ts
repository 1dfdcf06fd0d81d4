/**
 * The security filter of a group or computer-list wave's GPO as a journaled change: the GPO
 * container's DACL is read with the SD flags the apply engine writes with (4 = DACL only), edited
 * by securityFilterEdit (laps/gpo-security-filter.ts: Apply taken from Authenticated Users, their
 * Read kept, Read + Apply for the wave's group or computers, merged so a rerun adds nothing) and
 * planned as one replace-dacl change with its before-image, so a rollback restores the
 * descriptor byte for byte. It comes before the link in the plan: a part-way apply never links
 * an unfiltered GPO, and a rollback (newest first) unlinks before it restores the descriptor.
 */
import { firstBuffer } from '../../directory/entry.js';
import type { Directory } from '../../directory/types.js';
import { replaceDacl, type ChangeDraft } from '../../journal/index.js';
import { securityFilterEdit } from '../../laps/gpo-security-filter.js';
import { parseSecurityDescriptor, serializeSecurityDescriptor } from '../../security/index.js';

const NTSD = 'nTSecurityDescriptor';
const SD_DACL = 4;
/** AclSize is a 16-bit field; a descriptor a little over it cannot be written. */
const ACL_LIMIT = 65_000;

export interface PlannedFilter {
  /** The DACL change; undefined when the GPO already filters exactly so. */
  draft: ChangeDraft | undefined;
  changes: string[];
  problems: string[];
}

/** The first `n` lines and how many more (a computer list can hold hundreds of trustees). */
function shortList(lines: readonly string[], n: number): string[] {
  return lines.length > n ? [...lines.slice(0, n), `and ${lines.length - n} more`] : [...lines];
}

export async function planSecurityFilter(dir: Directory, gpo: { dn: string; name: string }, trustees: ReadonlyArray<{ sid: string; name: string }>, domainSid: string, wave: string): Promise<PlannedFilter> {
  const e = await dir.read(gpo.dn, [NTSD], { binaryAttributes: [NTSD], sdFlags: SD_DACL });
  const before = e ? firstBuffer(e, NTSD) : undefined;
  if (!before) return { draft: undefined, changes: [], problems: [`the descriptor of the GPO "${gpo.name}" cannot be read (the bound account needs READ_CONTROL on it)`] };
  const names = new Map(trustees.map((t) => [t.sid, t.name]));
  const edit = securityFilterEdit(parseSecurityDescriptor(before), trustees.map((t) => t.sid), domainSid);
  const changes = edit.changes.map((c) => c.replace(/S-1-[0-9-]+/g, (sid) => (names.has(sid) ? `${names.get(sid)} (${sid})` : sid === 'S-1-5-11' ? 'Authenticated Users' : sid)));
  // an ACL is at most 64 KB (AclSize is 16 bits): a long computer list does not fit, a group does
  const tooLarge = { draft: undefined, changes, problems: [`the GPO's DACL would grow over the 64 KB an ACL can hold (${trustees.length} trustees): give the wave as a group instead of a computer list`] };
  let after: Buffer | undefined;
  try {
    after = edit.after ? serializeSecurityDescriptor(edit.after) : undefined;
  } catch (e) {
    if (e instanceof RangeError) return tooLarge;
    throw e;
  }
  if (after && after.length > ACL_LIMIT) return tooLarge;
  const draft = after ? replaceDacl({ dn: gpo.dn, reason: `cutover: wave ${wave}: security filtering of "${gpo.name}": ${shortList(changes, 6).join('; ')}`, before, after, sdFlags: SD_DACL }) : undefined;
  return { draft, changes, problems: edit.problems };
}

/** The plan text's explanation of a filtered wave, with the GroupPolicy-module equivalent. */
export function securityFilterNotes(gpoName: string, trustees: ReadonlyArray<{ name: string }>, kind: 'group' | 'computers', changes: readonly string[]): string[] {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const type = kind === 'group' ? 'Group' : 'Computer';
  const shown = trustees.slice(0, 5);
  return [
    `security filtering: the GPO applies only to the wave's ${kind === 'group' ? 'group members' : 'listed computers'} (Read + Apply Group Policy); Authenticated Users keep Read (MS16-072) but lose Apply.`,
    ...shortList(changes, 10).map((c) => `  ${c}`),
    'PowerShell equivalent:',
    `  Set-GPPermission -Name ${q(gpoName)} -TargetName 'Authenticated Users' -TargetType Group -PermissionLevel GpoRead -Replace`,
    ...shown.map((t) => `  Set-GPPermission -Name ${q(gpoName)} -TargetName ${q(t.name)} -TargetType ${type} -PermissionLevel GpoApply`),
    ...(trustees.length > shown.length ? [`  (and ${trustees.length - shown.length} more computer(s))`] : []),
  ];
}
