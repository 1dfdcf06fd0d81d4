/**
 * Append-only JSON-lines files: each record is one line written with a single write() and
 * fsync'd before the call returns, files are 0600. Reading tolerates what a crash can leave:
 * a torn last line (no newline: the process died while writing it) is ignored with a warning,
 * and an appender first terminates such a line so the next record is not glued onto it.
 */
import { closeSync, existsSync, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { basename } from 'node:path';

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** An open append-only file; every append() is on disk when it returns. */
export class JsonlAppender {
  readonly path: string;
  private fd: number | undefined;

  constructor(path: string, options: { exclusive?: boolean } = {}) {
    this.path = path;
    this.fd = openSync(path, options.exclusive ? 'wx+' : 'a+', 0o600);
    fchmodSync(this.fd, 0o600);
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, size - 1);
      // a torn line from a crash: end it, so it stays one ignorable line
      if (last[0] !== 0x0a) {
        writeAll(this.fd, Buffer.from('\n'));
        fsyncSync(this.fd);
      }
    }
  }

  append(record: object): void {
    if (this.fd === undefined) throw new Error(`journal file ${this.path} is closed`);
    writeAll(this.fd, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'));
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Open, append one fsync'd line, close. */
export function appendJsonLine(path: string, record: object): void {
  const a = new JsonlAppender(path);
  try {
    a.append(record);
  } finally {
    a.close();
  }
}

export interface JsonlContent<T> {
  records: T[];
  warnings: string[];
  /** The file ended in a torn line (a crash while writing it). */
  tornTail: boolean;
}

/** Reads every complete line; damaged lines and a torn tail are reported, not fatal. */
export function readJsonLines<T>(path: string): JsonlContent<T> {
  const out: JsonlContent<T> = { records: [], warnings: [], tornTail: false };
  if (!existsSync(path)) return out;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  if (tail.replace(/\0/g, '').trim() !== '') {
    out.tornTail = true;
    out.warnings.push(`${basename(path)}: the last line is incomplete (the process was stopped while writing it); it was ignored`);
  }
  lines.forEach((line, i) => {
    const clean = line.replace(/\0/g, '');
    if (clean.trim() === '') return;
    try {
      const parsed: unknown = JSON.parse(clean);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      out.records.push(parsed as T);
    } catch {
      // a line a crash cut short and a later append terminated, or real damage
      out.warnings.push(`${basename(path)}: line ${i + 1} is not a complete record (torn by a crash or damaged); it was ignored`);
    }
  });
  return out;
}
