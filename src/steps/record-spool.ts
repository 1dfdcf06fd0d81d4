/**
 * Keeps a step's per-object records out of memory: appends them as JSON lines to a private
 * temporary file (0600, in a 0700 folder) and reads them back as often as needed. Used so the
 * inventory of 100k computers keeps a flat memory profile. The file is removed by dispose(), and
 * on every exit path (an exit hook removes spools still open: a bug, an interrupt, process.exit);
 * spools left by a killed process (SIGKILL) are swept by the next spool made with that prefix.
 */
import { mkdtempSync, openSync, readdirSync, rmSync, writeSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let exitHook = false;

function removeLiveSpools(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/** Removes `<prefix><pid>-XXXXXX` folders whose process is gone. */
function sweepDeadSpools(prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** A segment's name: a number or a string; segments are read back in ascending order. */
export type Segment = number | string;

function compareSegments(a: Segment, b: Segment): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Records per chunk written at once; every buffered record is written when this many wait in all. */
const CHUNK = 500;
const MAX_BUFFERED = 4000;

/**
 * Records go into numbered segments (default 0) and are read back segment by segment in
 * ascending order, each in the order pushed, whatever order the segments were filled in: a
 * scan of several partitions at once writes the same sequence as one scan after the other.
 * Each segment's records are written in chunks at known offsets of one file (read back with
 * positional reads); at most MAX_BUFFERED records wait in memory.
 */
export class RecordSpool<T> {
  private readonly dir: string;
  private readonly file: string;
  private fd: number | undefined;
  private readonly buffers = new Map<Segment, string[]>();
  private buffered = 0;
  private readonly chunks = new Map<Segment, Array<{ offset: number; length: number }>>();
  private size = 0;
  count = 0;

  constructor(prefix = 'laps-migrate-spool-') {
    sweepDeadSpools(prefix);
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
    live.add(this.dir);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', removeLiveSpools);
    }
    this.file = join(this.dir, 'records.jsonl');
    this.fd = openSync(this.file, 'w', 0o600);
  }

  push(record: T, segment: Segment = 0): void {
    if (this.fd === undefined) throw new Error('spool already closed');
    let buffer = this.buffers.get(segment);
    if (!buffer) this.buffers.set(segment, (buffer = []));
    buffer.push(JSON.stringify(record));
    this.count++;
    this.buffered++;
    if (buffer.length >= CHUNK) this.flushSegment(segment);
    else if (this.buffered >= MAX_BUFFERED) this.flush();
  }

  /** Writes what waits for one segment (a scan calls it when a partition is complete). */
  flushSegment(segment: Segment): void {
    const buffer = this.buffers.get(segment);
    if (this.fd === undefined || !buffer?.length) return;
    const bytes = Buffer.from(`${buffer.join('\n')}\n`, 'utf8');
    writeSync(this.fd, bytes, 0, bytes.length, this.size);
    let list = this.chunks.get(segment);
    if (!list) this.chunks.set(segment, (list = []));
    list.push({ offset: this.size, length: bytes.length });
    this.size += bytes.length;
    this.buffered -= buffer.length;
    this.buffers.delete(segment);
  }

  private flush(): void {
    for (const segment of [...this.buffers.keys()]) this.flushSegment(segment);
  }

  /** Finishes writing; records can be read back afterwards. */
  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Every record, segment by segment (ascending: numbers by value, strings by code units), each
   * segment in the order its records were pushed, or sorted by `order` (then one segment at a
   * time is held in memory).
   */
  async *read(order?: (a: T, b: T) => number): AsyncGenerator<T> {
    this.close();
    const handle = await open(this.file, 'r');
    try {
      for (const segment of [...this.chunks.keys()].sort(compareSegments)) {
        const held: T[] = [];
        for (const { offset, length } of this.chunks.get(segment)!) {
          const bytes = Buffer.allocUnsafe(length);
          const { bytesRead } = await handle.read(bytes, 0, length, offset);
          if (bytesRead !== length) throw new Error(`spool ${this.file}: short read`);
          for (const line of bytes.toString('utf8').split('\n')) {
            if (!line) continue;
            if (order) held.push(JSON.parse(line) as T);
            else yield JSON.parse(line) as T;
          }
        }
        if (order) yield* held.sort(order);
      }
    } finally {
      // also when the reader stops early
      await handle.close();
    }
  }

  dispose(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this.dir);
  }
}
