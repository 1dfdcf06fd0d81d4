/**
 * Keeps a step's per-object records out of memory: appends them as JSON lines to a private
 * temporary file (0600, in a 0700 folder) and reads them back as often as needed. Used so the
 * inventory of 100k computers keeps a flat memory profile. The file is removed by dispose().
 */
import { createReadStream, mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class RecordSpool<T> {
  private readonly dir: string;
  private readonly file: string;
  private fd: number | undefined;
  private buffer: string[] = [];
  count = 0;

  constructor(prefix = 'laps-migrate-spool-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
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
  }
}
