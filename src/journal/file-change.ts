/**
 * The file change kind: replace a file's whole content (the SYSVOL half of a GPO: GPT.INI,
 * Machine/Registry.pol) with the same rules as directory changes. Before and after are whole
 * byte images (null = the file is absent); the journal keeps both in base64 in the run file
 * (0600, under the state folder), so rollback restores the file byte for byte.
 *
 * Apply: re-read; already the after-image = "already done"; not the before-image = conflict
 * (exit 5, nothing written); else the write, conditional on the before-image at the last moment.
 * A file change may carry guards: the other halves of the same GPO as planned. They are checked
 * before this change writes, so a GPO edited by someone else since the plan stops the run at its
 * first change, before anything is written.
 *
 * Kept apart from change.ts / apply-plan.ts so the engine's files only gain one case per switch.
 */
import { createHash } from 'node:crypto';
import { InputError, isUserError } from '../errors.js';
import type { Directory } from '../directory/types.js';
import type { FileAccess } from '../directory/sysvol-files.js';
import { sameValueSet } from './attribute-values.js';
import type { ChangeBase } from './change.js';

/** Another half of the GPO that must still be as planned. */
export type ChangeGuard =
  | { kind: 'file'; path: string; sha256: string | null }
  | { kind: 'attribute'; dn: string; attribute: string; values: string[] };

/** Same fields as every change (id, dn, step, reason, irreversible, secret). */
type FileChangeBase = Omit<ChangeBase, 'kind'>;

export interface ReplaceFileChange extends FileChangeBase {
  kind: 'replace-file';
  /** The file as this machine reaches it (under --sysvol). */
  path: string;
  /** The file as admins know it: "{GUID}\Machine\Registry.pol" under the domain's Policies. */
  label: string;
  before: Buffer | null;
  after: Buffer | null;
  guards: ChangeGuard[];
}

export interface JournalFileChange extends FileChangeBase {
  kind: 'replace-file';
  path: string;
  label: string;
  /** base64 (GPO files hold no secrets), null = absent */
  before: string | null;
  after: string | null;
  guards: ChangeGuard[];
}

export function sha256(b: Buffer | null): string | null {
  return b === null ? null : createHash('sha256').update(b).digest('hex');
}

/** A file change draft. `dn` is the object the file belongs to (the GPO), for listings. */
export function replaceFile(o: { dn: string; path: string; label: string; reason: string; before: Buffer | null; after: Buffer | null; guards?: ChangeGuard[]; id?: string }): Omit<ReplaceFileChange, 'id' | 'step'> & { id?: string } {
  if (typeof o.path !== 'string' || o.path === '') throw new InputError('a file change needs a path');
  if (o.before !== null && !Buffer.isBuffer(o.before)) throw new InputError('a file change needs the before-image as bytes or null');
  if (o.after !== null && !Buffer.isBuffer(o.after)) throw new InputError('a file change needs the after-image as bytes or null');
  return {
    kind: 'replace-file',
    dn: o.dn,
    reason: o.reason,
    irreversible: false,
    secret: false,
    path: o.path,
    label: o.label,
    before: o.before === null ? null : Buffer.from(o.before),
    after: o.after === null ? null : Buffer.from(o.after),
    guards: o.guards ?? [],
    ...(o.id ? { id: o.id } : {}),
  };
}

export type FileCurrent = { kind: 'file'; bytes: Buffer | null };
export type FileVerdict = { verdict: 'done' } | { verdict: 'ready' } | { verdict: 'conflict'; message: string };

function same(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

export function readFileCurrent(files: FileAccess, c: ReplaceFileChange): FileCurrent {
  return { kind: 'file', bytes: files.read(c.path) };
}

export function judgeFile(c: ReplaceFileChange, cur: FileCurrent): FileVerdict {
  if (same(cur.bytes, c.after)) return { verdict: 'done' };
  if (same(cur.bytes, c.before)) return { verdict: 'ready' };
  return { verdict: 'conflict', message: `${c.label} was changed since the plan was made` };
}

/** The first guard that no longer holds, as a conflict message; undefined when all hold. */
export async function checkGuards(dir: Directory, files: FileAccess, c: ReplaceFileChange): Promise<string | undefined> {
  for (const g of c.guards) {
    if (g.kind === 'file') {
      if (sha256(files.read(g.path)) !== g.sha256) return `${g.path} was changed since the plan was made (the GPO was edited meanwhile)`;
    } else {
      const e = await dir.read(g.dn, [g.attribute]);
      const now = (e?.attributes[g.attribute.toLowerCase()] ?? []).map(String);
      if (!e || !sameValueSet(now, g.values)) return `${g.attribute} of ${g.dn} was changed since the plan was made (the GPO was edited meanwhile)`;
    }
  }
  return undefined;
}

/** 'ready' when every guard holds, else the conflict (a guard that cannot be read is one too). */
export async function guardVerdict(dir: Directory, files: FileAccess, c: ReplaceFileChange): Promise<FileVerdict> {
  if (c.guards.length === 0) return { verdict: 'ready' };
  const broken = await checkGuards(dir, files, c).catch((e: unknown) => `the GPO's other half could not be read: ${e instanceof Error ? e.message : String(e)}`);
  return broken ? { verdict: 'conflict', message: broken } : { verdict: 'ready' };
}

export function fileImage(cur: FileCurrent): { absent: true } | { file: string } {
  return cur.bytes === null ? { absent: true } : { file: cur.bytes.toString('base64') };
}

/** An error of the file access layer (SYSVOL_ACCESS_DENIED, SYSVOL_IO_ERROR): nothing was replaced. */
export function isFileWriteError(e: unknown): boolean {
  return isUserError(e) && typeof e.reason === 'string' && e.reason.startsWith('SYSVOL_');
}

/** Writes the after-image if the file still holds `cur`; throws a precondition error otherwise. */
export function writeFile(files: FileAccess, c: ReplaceFileChange, cur: FileCurrent): void {
  if (!files.write(c.path, c.after, cur.bytes)) {
    // same shape as an LDAP refusal of a conditional write (the engine re-reads and decides)
    throw Object.assign(new Error(`${c.label} changed between the re-read and the write`), { code: 16 });
  }
}

export function toJournalFileChange(c: ReplaceFileChange): JournalFileChange {
  const { before, after, ...rest } = c;
  return { ...rest, guards: c.guards.map((g) => ({ ...g })), before: before === null ? null : before.toString('base64'), after: after === null ? null : after.toString('base64') };
}

export function fromJournalFileChange(j: JournalFileChange): ReplaceFileChange {
  return {
    ...j,
    guards: (j.guards ?? []).map((g) => ({ ...g })),
    before: j.before === null ? null : Buffer.from(j.before, 'base64'),
    after: j.after === null ? null : Buffer.from(j.after, 'base64'),
  };
}

/** Rollback: back to the bytes read just before the write, expecting what was read back after it. */
export function inverseFileChange(original: ReplaceFileChange, observed: unknown, beforeImage: unknown, base: Pick<ReplaceFileChange, 'id' | 'dn' | 'step' | 'reason' | 'irreversible'>): ReplaceFileChange {
  const bytesOf = (img: unknown): Buffer | null | undefined => {
    if (!img || typeof img !== 'object') return undefined;
    if ('file' in img && typeof img.file === 'string') return Buffer.from(img.file, 'base64');
    if ('absent' in img) return null;
    return undefined;
  };
  const wrote = bytesOf(observed);
  const had = bytesOf(beforeImage);
  return { ...original, ...base, guards: [], before: wrote === undefined ? original.after : wrote, after: had === undefined ? original.before : had };
}

/** Short description of a file image for plans and exports. */
export function describeFileBytes(b: Buffer | null): string {
  return b === null ? '(absent)' : `${b.length} bytes sha256:${sha256(b)!.slice(0, 16)}`;
}
