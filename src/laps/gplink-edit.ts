/**
 * Edits of one container's gPLink ("[LDAP://cn={GUID},cn=policies,...;N][...]", N bit 0 =
 * disabled, bit 1 = enforced). Each edit touches only the link of one GPO: every other link
 * keeps its exact text (case, spelling of its DN, flags) and its position.
 *
 * Order: the gPLink string lists links from the lowest precedence to the highest (link order 1
 * is the last element). A new link is added the way New-GPLink and GPMC add one without an
 * explicit order: last in link order (lowest precedence), that is first in the string.
 */
import { InputError } from '../errors.js';

export interface LinkSegment {
  /** The exact text "[LDAP://...;N]". */
  raw: string;
  gpoDn: string;
  guid: string | undefined;
  options: number;
}

export type LinkEdit =
  | { action: 'link'; enabled?: boolean; enforced?: boolean }
  | { action: 'unlink' }
  | { action: 'enable' }
  | { action: 'disable' }
  | { action: 'enforce' }
  | { action: 'unenforce' };

const SEGMENT = /\[LDAP:\/\/([^;\]]+);(\d+)\]/gi;

export function linkSegments(value: string | undefined): LinkSegment[] {
  if (!value) return [];
  const out: LinkSegment[] = [];
  let m: RegExpExecArray | null;
  SEGMENT.lastIndex = 0;
  while ((m = SEGMENT.exec(value))) {
    const dn = m[1]!;
    out.push({ raw: m[0], gpoDn: dn, guid: /\{[0-9a-f-]{36}\}/i.exec(dn)?.[0]?.toUpperCase(), options: Number(m[2]) });
  }
  return out;
}

/** Text outside the recognised links (a lone space left by GPMC after the last unlink, stray bytes). */
function unrecognised(value: string): string {
  return value.replace(SEGMENT, '');
}

function guidOf(gpoDn: string): string {
  const g = /\{[0-9a-f-]{36}\}/i.exec(gpoDn)?.[0];
  if (!g) throw new InputError(`"${gpoDn}" is not a GPO DN (no {GUID} in it)`);
  return g.toUpperCase();
}

function withOptions(seg: LinkSegment, options: number): LinkSegment {
  if (options === seg.options) return seg;
  return { ...seg, options, raw: `[LDAP://${seg.gpoDn};${options}]` };
}

/**
 * The gPLink value after `edit` for the GPO `gpoDn`; undefined means "no links left" (the
 * attribute is removed). Returns the input unchanged (same string) when nothing changes.
 * Unrecognised text in the value is kept unless the last link goes.
 */
export function editGpLink(value: string | undefined, gpoDn: string, edit: LinkEdit): string | undefined {
  const guid = guidOf(gpoDn);
  const segs = linkSegments(value);
  const idx = segs.findIndex((s) => s.guid === guid);
  const cur = idx >= 0 ? segs[idx] : undefined;
  /** The new text of segment `idx` ('' = dropped), or a segment to add in front. */
  let replaced: string | undefined;
  let added: string | undefined;
  switch (edit.action) {
    case 'link': {
      if (cur) {
        // already linked: only the flags the caller named change
        let o = cur.options;
        if (edit.enabled !== undefined) o = edit.enabled ? o & ~1 : o | 1;
        if (edit.enforced !== undefined) o = edit.enforced ? o | 2 : o & ~2;
        replaced = withOptions(cur, o).raw;
      } else {
        added = `[LDAP://${gpoDn};${(edit.enabled === false ? 1 : 0) | (edit.enforced ? 2 : 0)}]`;
      }
      break;
    }
    case 'unlink':
      if (!cur) return value;
      replaced = '';
      break;
    default: {
      if (!cur) throw new InputError(`the GPO ${guid} is not linked here: link it before you ${edit.action} the link`, { reason: 'GPO_NOT_LINKED' });
      const o = edit.action === 'enable' ? cur.options & ~1 : edit.action === 'disable' ? cur.options | 1 : edit.action === 'enforce' ? cur.options | 2 : cur.options & ~2;
      replaced = withOptions(cur, o).raw;
    }
  }
  if (added !== undefined) return `${added}${value ?? ''}`;
  if (replaced === undefined || replaced === cur!.raw) return value;
  // only the edited link's text changes; everything around it stays as it was
  let pos = 0;
  for (let i = 0; i < idx; i++) pos = value!.indexOf(segs[i]!.raw, pos) + segs[i]!.raw.length;
  const at = value!.indexOf(cur!.raw, pos);
  const out = value!.slice(0, at) + replaced + value!.slice(at + cur!.raw.length);
  return linkSegments(out).length === 0 && unrecognised(out).trim() === '' ? undefined : out;
}

/** 1-based link order (1 = highest precedence) of a GPO in a gPLink value, as GPMC shows it. */
export function linkOrder(value: string | undefined, guid: string): number | undefined {
  const segs = linkSegments(value);
  const idx = segs.findIndex((s) => s.guid === guid.toUpperCase());
  return idx < 0 ? undefined : segs.length - idx;
}
