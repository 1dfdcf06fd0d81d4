/**
 * Test fixtures on the lab: extend the Windows LAPS schema with the definitions the schema step
 * uses, and write Windows LAPS values to chosen computers as a device would (clear JSON,
 * encrypted header + blob from the DPAPI-NG fixtures, history, expiry).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '../../src/directory/types.js';
import { dateToFiletime } from '../../src/dtyp/filetime.js';
import { buildEncryptedPasswordValue } from '../../src/laps/encrypted-password-value.js';
import { createPlan, JournalStore } from '../../src/journal/index.js';
import { applySchemaPlan, checkApplyPreconditions, readSchemaSnapshot } from '../../src/steps/schema.js';
import { analyzeSchema } from '../../src/steps/schema-analysis.js';
import { schemaDrafts } from '../../src/steps/schema-plan.js';

/** Extends the Windows LAPS schema with the schema step's own code (only what is missing), journaled in a throw-away folder. */
export async function extendWindowsLapsSchema(dir: Directory): Promise<void> {
  const snapshot = await readSchemaSnapshot(dir);
  const analysis = analyzeSchema(snapshot, { now: new Date() });
  const { drafts } = schemaDrafts(snapshot, analysis);
  if (drafts.length === 0) return;
  const plan = createPlan('schema', drafts.map((d) => d.draft));
  const phaseOf = new Map(plan.changes.map((c, i) => [c.id, drafts[i]!.phase]));
  checkApplyPreconditions(snapshot, analysis, new Set(phaseOf.values()));
  const journalDir = mkdtempSync(join(tmpdir(), 'laps-fixture-journal-'));
  try {
    const outcome = await applySchemaPlan(dir, plan, phaseOf, JournalStore.open(journalDir), { confirmIrreversible: true });
    if (outcome.exitCode !== 0) throw new Error(`extending the Windows LAPS schema failed: ${JSON.stringify(outcome.runs)}`);
  } finally {
    rmSync(journalDir, { recursive: true, force: true });
  }
}

/** A real Windows-produced DPAPI-NG blob (MIT-licensed test vector) behind a msLAPS 16-byte header. */
export function encryptedValue(updated: Date): Buffer {
  const vector = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'dpapi-ng', 'kdf_sha256_nonce.json'), 'utf8')) as { Data: string };
  const blob = Buffer.from(vector.Data, 'hex');
  return buildEncryptedPasswordValue(blob, updated);
}

export function integer8(d: Date): string {
  return dateToFiletime(d).toString();
}
