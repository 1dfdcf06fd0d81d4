/** Shared setup for the journal tests: a private temp journal and a small estate of OUs. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalStore } from '../../../src/journal/journal-store.js';
import { createPlan, replaceDacl, type ChangeDraft, type Plan } from '../../../src/journal/change.js';
import { MemoryDirectory } from './memory-directory.js';
import { ouDescriptor, type TestAce } from './sd-bytes.js';

export interface TempJournal {
  root: string;
  store: JournalStore;
  cleanup(): void;
}

export function tempJournal(): TempJournal {
  const root = mkdtempSync(join(tmpdir(), 'laps-journal-test-'));
  return { root, store: JournalStore.open(join(root, 'journal')), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Every file under a folder, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

export function allText(dir: string): string {
  return filesUnder(dir)
    .map((f) => readFileSync(f, 'latin1'))
    .join('\n');
}

export const BASE = 'DC=memory,DC=test';
export const SELF_WRITE: TestAce = { type: 0, flags: 0x02, mask: 0x20, sid: 'S-1-5-10' };

export function ouDn(name: string): string {
  return `OU=${name},${BASE}`;
}

/** n OUs with a typical DACL each. */
export function estate(names: string[]): MemoryDirectory {
  const dir = new MemoryDirectory();
  dir.seed(BASE, { objectClass: ['top', 'domainDNS'], nTSecurityDescriptor: [ouDescriptor()] });
  for (const n of names) dir.seed(ouDn(n), { objectClass: ['top', 'organizationalUnit'], ou: [n], nTSecurityDescriptor: [ouDescriptor()] });
  return dir;
}

/** Changes that add SELF write (one explicit ACE) to each OU's DACL, as the permissions step would. */
export function selfWriteDrafts(dir: MemoryDirectory, names: string[]): ChangeDraft[] {
  return names.map((n) =>
    replaceDacl({
      dn: ouDn(n),
      reason: `let computers in ${n} write their own password (SELF write)`,
      before: dir.descriptor(ouDn(n)),
      after: ouDescriptor([SELF_WRITE]),
    }),
  );
}

export function selfWritePlan(dir: MemoryDirectory, names: string[]): Plan {
  return createPlan('permissions', selfWriteDrafts(dir, names));
}
