/**
 * SDDL text -> security descriptor (MS-DTYP 2.5.1). Accepts what toSddl writes and what Samba and
 * Windows write for directory objects: aliases, S-... SIDs, right tokens or numeric masks,
 * ACL flags P/AR/AI/NO_ACCESS_CONTROL. Conditional-expression and resource-attribute syntax is
 * not compiled: give such application data as "0x<hex>" (as toSddl renders it).
 * Errors are SddlError (an InputError) with the character position.
 */
import { aceLayout, aceTypeCarriesData, isObjectAceType, SdControl } from './constants.js';
import { isGuid } from '../dtyp/guid.js';
import { NO_ACCESS_CONTROL, SDDL_ACE_FLAGS, SDDL_ACE_TYPES, SDDL_ACL_FLAGS, SDDL_COMPOSITE_RIGHTS, SDDL_RIGHTS } from './sddl-tables.js';
import { SddlError } from './sd-error.js';
import { isSid, normalizeSid } from '../dtyp/sid.js';
import type { Ace, Acl, SecurityDescriptor } from './security-descriptor.js';
import { DOMAIN_RIDS, UNIVERSAL_SIDS } from './well-known-sids.js';

export interface ParseSddlOptions {
  /** Needed to resolve domain-relative aliases (DA, DU, EA, ...). */
  domainSid?: string;
  /** AclRevision of the ACLs built; default 4 (ACL_REVISION_DS, what AD and Samba store). */
  aclRevision?: number;
}

const aliasToSid = new Map(UNIVERSAL_SIDS.filter((w) => w.alias).map((w) => [w.alias!, w.sid]));
const aliasToRid = new Map(DOMAIN_RIDS.filter((w) => w.alias).map((w) => [w.alias!, w.rid]));
const typeByToken = new Map(SDDL_ACE_TYPES.map(([t, v]) => [t, v]));
const flagByToken = new Map(SDDL_ACE_FLAGS.map(([t, v]) => [t, v]));
const rightByToken = new Map([...SDDL_RIGHTS, ...SDDL_COMPOSITE_RIGHTS].map(([t, v]) => [t, v]));

const SID_TEXT = /^[sS]-\d+-(?:0[xX][0-9a-fA-F]+|\d+)(?:-\d+)*/;

/** Parses one SID token (alias or S-...) at the start of `text`; returns the SID and its length. */
function sidAt(text: string, pos: number, options: ParseSddlOptions): [string, number] {
  const rest = text.slice(pos);
  const m = SID_TEXT.exec(rest);
  if (m) {
    const raw = 'S' + m[0].slice(1);
    if (!isSid(raw)) throw new SddlError(`invalid SID "${m[0]}"`, pos);
    return [normalizeSid(raw), m[0].length];
  }
  const alias = rest.slice(0, 2);
  const universal = aliasToSid.get(alias);
  if (universal) return [universal, 2];
  const rid = aliasToRid.get(alias);
  if (rid !== undefined) {
    if (!options.domainSid) throw new SddlError(`alias "${alias}" needs a domain SID`, pos);
    return [`${options.domainSid}-${rid}`, 2];
  }
  throw new SddlError(`unknown SID or alias "${rest.slice(0, 12)}"`, pos);
}

function parseMask(tok: string, pos: number): number {
  if (tok === '') return 0;
  if (/^0[xX][0-9a-fA-F]{1,8}$/.test(tok)) return parseInt(tok.slice(2), 16) >>> 0;
  if (/^\d{1,10}$/.test(tok)) {
    const v = Number(tok);
    if (v > 0xffffffff) throw new SddlError(`access mask ${tok} exceeds 32 bits`, pos);
    return v >>> 0;
  }
  let mask = 0;
  for (let i = 0; i < tok.length; i += 2) {
    const r = rightByToken.get(tok.slice(i, i + 2));
    if (r === undefined) throw new SddlError(`unknown access right "${tok.slice(i, i + 2)}"`, pos + i);
    mask = (mask | r) >>> 0;
  }
  return mask;
}

function parseFlags(tok: string, pos: number): number {
  let flags = 0;
  let i = 0;
  while (i < tok.length) {
    const hexm = /^0[xX]([0-9a-fA-F]{1,2})/.exec(tok.slice(i));
    if (hexm) {
      flags |= parseInt(hexm[1]!, 16);
      i += hexm[0].length;
      continue;
    }
    const f = flagByToken.get(tok.slice(i, i + 2));
    if (f === undefined) throw new SddlError(`unknown ACE flag "${tok.slice(i, i + 2)}"`, pos + i);
    flags |= f;
    i += 2;
  }
  return flags;
}

function parseHexData(tok: string, pos: number): Uint8Array {
  if (!/^0[xX]([0-9a-fA-F]{2})*$/.test(tok)) {
    throw new SddlError('application data must be given as 0x<hex> (conditional expressions are not supported)', pos);
  }
  return new Uint8Array(Buffer.from(tok.slice(2), 'hex'));
}

function parseAce(body: string, pos: number, options: ParseSddlOptions): Ace {
  const fields = body.split(';');
  if (fields.length !== 6 && fields.length !== 7) {
    throw new SddlError(`an ACE has 6 fields separated by ";" (7 with application data), found ${fields.length}`, pos);
  }
  const at: number[] = [];
  let p = pos;
  for (const f of fields) {
    at.push(p);
    p += f.length + 1;
  }
  const [typeTok, flagTok, maskTok, objTok, inhTok, sidTok, dataTok] = fields as [string, string, string, string, string, string, string?];
  let type = typeByToken.get(typeTok);
  if (type === undefined && /^0[xX][0-9a-fA-F]{1,2}$/.test(typeTok)) type = parseInt(typeTok.slice(2), 16);
  if (type === undefined) throw new SddlError(`unknown ACE type "${typeTok}"`, at[0]!);
  const flags = parseFlags(flagTok, at[1]!);
  if (aceLayout(type) === 'opaque') {
    if (maskTok || objTok || inhTok || sidTok) throw new SddlError('an opaque ACE has only type, flags and 0x<hex> body', at[2]!);
    return { type, flags, mask: 0, sid: '', opaque: parseHexData(dataTok ?? '0x', at[6] ?? p) };
  }
  const mask = parseMask(maskTok, at[2]!);
  const ace: Ace = { type, flags, mask, sid: '' };
  if (isObjectAceType(type)) {
    if (objTok) {
      if (!isGuid(objTok)) throw new SddlError(`invalid object type GUID "${objTok}"`, at[3]!);
      ace.objectType = objTok.toLowerCase();
    }
    if (inhTok) {
      if (!isGuid(inhTok)) throw new SddlError(`invalid inherited object type GUID "${inhTok}"`, at[4]!);
      ace.inheritedObjectType = inhTok.toLowerCase();
    }
    ace.objectFlags = (ace.objectType ? 1 : 0) | (ace.inheritedObjectType ? 2 : 0);
  } else if (objTok || inhTok) {
    throw new SddlError(`ACE type "${typeTok}" cannot carry object GUIDs`, at[3]!);
  }
  const [sid, len] = sidAt(sidTok, 0, options);
  if (len !== sidTok.length) throw new SddlError('garbage after the trustee SID', at[5]! + len);
  ace.sid = sid;
  if (dataTok !== undefined) {
    if (!aceTypeCarriesData(type)) throw new SddlError(`ACE type "${typeTok}" has no application data`, at[6]!);
    ace.applicationData = parseHexData(dataTok, at[6]!);
  }
  return ace;
}

/**
 * Parses one ACE, with or without its parentheses: "(OA;CIIO;RPCR;<guid>;<guid>;S-1-5-...)".
 * Handy for building delegations: `mergeAce(dacl, parseSddlAce('(OA;CIIO;WP;...;PS)'))`.
 */
export function parseSddlAce(text: string, options: ParseSddlOptions = {}): Ace {
  const t = text.trim();
  const inner = t.startsWith('(') && t.endsWith(')') ? t.slice(1, -1) : t;
  return parseAce(inner, t.startsWith('(') ? 1 : 0, options);
}

/** Parses "flags(ace)(ace)..." from `pos` up to the next component or the end. */
function parseAcl(text: string, pos: number, options: ParseSddlOptions): { acl: Acl | null; flags: number; end: number } {
  let p = pos;
  let flags = 0;
  let nullAcl = false;
  for (;;) {
    if (text.startsWith(NO_ACCESS_CONTROL, p)) {
      nullAcl = true;
      p += NO_ACCESS_CONTROL.length;
      continue;
    }
    const f = SDDL_ACL_FLAGS.find(([t]) => text.startsWith(t, p) && text[p + t.length] !== ':');
    if (!f) break;
    flags |= f[1];
    p += f[0].length;
  }
  const aces: Ace[] = [];
  while (text[p] === '(') {
    const close = text.indexOf(')', p);
    if (close < 0) throw new SddlError('ACE without closing ")"', p);
    aces.push(parseAce(text.slice(p + 1, close), p + 1, options));
    p = close + 1;
  }
  if (nullAcl && aces.length > 0) throw new SddlError('NO_ACCESS_CONTROL with ACEs', pos);
  const acl: Acl | null = nullAcl ? null : { revision: options.aclRevision ?? 4, aces };
  return { acl, flags, end: p };
}

/** Parses a whole SDDL security descriptor. */
export function parseSddl(sddl: string, options: ParseSddlOptions = {}): SecurityDescriptor {
  const text = sddl.trim();
  const sd: SecurityDescriptor = { revision: 1, sbz1: 0, control: SdControl.SELF_RELATIVE, sacl: null, dacl: null };
  const seen = new Set<string>();
  let p = 0;
  while (p < text.length) {
    const c = text[p];
    if (text[p + 1] !== ':' || (c !== 'O' && c !== 'G' && c !== 'D' && c !== 'S')) {
      throw new SddlError(`expected O:, G:, D: or S:, found "${text.slice(p, p + 8)}"`, p);
    }
    if (seen.has(c)) throw new SddlError(`${c}: appears twice`, p);
    seen.add(c);
    p += 2;
    if (c === 'O' || c === 'G') {
      const [sid, len] = sidAt(text, p, options);
      if (c === 'O') sd.owner = sid;
      else sd.group = sid;
      p += len;
    } else {
      const { acl, flags, end } = parseAcl(text, p, options);
      if (c === 'D') {
        sd.dacl = acl;
        sd.control |= SdControl.DACL_PRESENT | flags;
      } else {
        sd.sacl = acl;
        sd.control |= SdControl.SACL_PRESENT | (flags << 1);
      }
      p = end;
    }
  }
  return sd;
}
