/**
 * Byte-level file access for the SYSVOL half of a GPO, used by the journal's file changes.
 * It sits beside the LDAP code because SYSVOL is the directory's other store: the files are
 * part of the GPO objects the directory holds, reached over SMB (a CIFS mount) or as a local
 * copy, and like LDAP they are an edge the pure layers never touch.
 *
 * A write is atomic: a temporary file in the same folder, fsync'd, then renamed over the target
 * (a reader sees the old file or the new one, never half of one). Just before the rename the
 * target is read again and compared with what the caller expects, which narrows the window in
 * which someone else's edit could be overwritten to the rename itself.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';

export interface FileAccess {
  /** The file's bytes, or null when it does not exist. */
  read(path: string): Buffer | null;
  /**
   * Replaces (or creates, or with `bytes` null deletes) the file, but only if it still holds
   * `expected` (null = absent); returns false, writing nothing, when it does not.
   */
  write(path: string, bytes: Buffer | null, expected: Buffer | null): boolean;
}

function fsError(e: unknown, what: string, path: string): UserError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  const denied = code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
  return new UserError(`${what} ${path} failed: ${code}`, denied ? ExitCode.ACCESS_DENIED : ExitCode.PARTIAL, {
    reason: denied ? 'SYSVOL_ACCESS_DENIED' : 'SYSVOL_IO_ERROR',
    advice: denied ? 'Mount SYSVOL read-write as an account that may edit the GPO (Group Policy Creator Owners or the GPO\'s editors).' : 'Check the --sysvol mount.',
    cause: e,
  });
}

export function readFileOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw fsError(e, 'reading', path);
  }
}

function same(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some file systems (CIFS) cannot fsync a folder; the rename is still atomic there
  }
}

/** Mode for a replaced file: the old file's; for a new one its folder's sibling GPT.INI's, else 0600. */
function modeFor(path: string): number {
  for (const p of [path, join(dirname(dirname(path)), 'GPT.INI'), join(dirname(path), 'GPT.INI')]) {
    try {
      return statSync(p).mode & 0o777;
    } catch {
      // try the next
    }
  }
  return 0o600;
}

export const nodeFileAccess: FileAccess = {
  read: readFileOrNull,
  write(path, bytes, expected) {
    if (!same(readFileOrNull(path), expected)) return false;
    if (bytes === null) {
      try {
        unlinkSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(e, 'deleting', path);
      }
      fsyncDir(dirname(path));
      return true;
    }
    const dir = dirname(path);
    const mode = modeFor(path);
    const tmp = join(dir, `.${basename(path)}.laps-migrate-${randomBytes(4).toString('hex')}.tmp`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const fd = openSync(tmp, 'wx', mode);
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // last look before the rename: someone else's edit since the engine's read is not overwritten
      if (!same(readFileOrNull(path), expected)) {
        unlinkSync(tmp);
        return false;
      }
      renameSync(tmp, path);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw fsError(e, 'writing', path);
    }
    fsyncDir(dir);
    return true;
  },
};
