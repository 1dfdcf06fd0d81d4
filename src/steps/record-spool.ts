/**
 * Keeps a step's per-object records out of memory: appends them as JSON lines to a private
 * temporary file (0600, in a 0700 folder) and reads them back as often as needed. Used so the
 * inventory of 100k computers keeps a flat memory profile. The file is removed by dispose(), and
 * on every exit path (an exit hook removes spools still open: a bug, an interrupt, process.exit);
 * spools left by a killed process (SIGKILL) are swept by the next spool made with that prefix.
 */
import { createReadStream, mkdtempSync, openSync, readdirSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

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

export class RecordSpool<T> {
  private readonly dir: string;
  private readonly file: string;
  private fd: number | undefined;
  private buffer: string[] = [];
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

  push(record: T): void {
    if (this.fd === undefined) throw new Error('spool already closed');
    this.buffer.push(JSON.stringify(record));
    this.count++;
    if (this.buffer.length >= 500) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }

  /** Finishes writing; records can be read back afterwards. */
  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  async *read(): AsyncGenerator<T> {
    this.close();
    const input = createReadStream(this.file, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) if (line) yield JSON.parse(line) as T;
    } finally {
      // also when the reader stops early
      lines.close();
      input.destroy();
    }
  }

  dispose(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this.dir);
  }
}
