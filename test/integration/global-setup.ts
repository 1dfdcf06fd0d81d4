/**
 * Starts one lab DC for the whole integration run (on 127.0.0.11, so it never collides with a
 * developer's own `lab up` on 127.0.0.1) and stops it afterwards, also when tests fail.
 * Config and state go to a temporary folder: tests never touch the user's profiles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { labDown, labUp } from '../../src/lab/lab.js';

/** LAPS_MIGRATE_TEST_LAB_IP lets parallel runs (several developers on one machine) use their own address. */
export const TEST_LAB_IP = process.env.LAPS_MIGRATE_TEST_LAB_IP ?? '127.0.0.11';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = process.env.LAPS_MIGRATE_TEST_ROOT ?? mkdtempSync(join(tmpdir(), 'laps-migrate-it-'));
  const labDir = join(root, 'lab');
  process.env.XDG_CONFIG_HOME = join(root, 'config');
  process.env.XDG_STATE_HOME = join(root, 'state');
  const started = Date.now();
  const manifest = await labUp({ dir: labDir, ip: TEST_LAB_IP, recreate: true, profileName: 'lab', log: () => undefined });
  process.stderr.write(`[lab] DC up on ${manifest.urls.ldaps} in ${((Date.now() - started) / 1000).toFixed(1)} s (${labDir})\n`);
  project.provide('labDir', labDir);
  project.provide('testRoot', root);
  return async () => {
    await labDown(labDir);
    if (!process.env.LAPS_MIGRATE_KEEP_TEST_ROOT) rmSync(root, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    labDir: string;
    testRoot: string;
  }
}
