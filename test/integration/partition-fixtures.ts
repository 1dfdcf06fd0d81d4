/**
 * For the tests that compare a parallel scan with one paged search: computers in partitions of
 * every kind (directory/computer-partitions.ts): one in a plain container inside an OU (read as a
 * subtree), one in CN=Computers (a container without OUs); the seeded ones sit one level per OU.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAs, lab, resetLab } from './lab-env.js';

/** Adds the computers; returns their names. */
export async function addComputersInEveryKindOfPartition(): Promise<string[]> {
  const m = lab();
  const dir = await connectAs('admin');
  try {
    await dir.add(`CN=Parked,OU=Servers,${m.baseDn}`, { objectClass: ['container'] });
    const computers = [['PARKED-01', `CN=Parked,OU=Servers,${m.baseDn}`], ['DEFAULT-01', `CN=Computers,${m.baseDn}`]] as const;
    for (const [name, parent] of computers) {
      await dir.add(`CN=${name},${parent}`, { objectClass: ['computer'], sAMAccountName: [`${name}$`], userAccountControl: ['4096'] });
    }
    return computers.map(([name]) => name);
  } finally {
    await dir.close();
  }
}

/**
 * Inside a describe block: adds the computers before its tests; removes the temporary folders
 * made with tmp() and resets the lab after them. added() names the computers added.
 */
export function partitionSuite(prefix: string): { tmp: (name: string) => string; added: () => string[] } {
  const outs: string[] = [];
  let added: string[] = [];
  beforeAll(async () => {
    added = await addComputersInEveryKindOfPartition();
  });
  afterAll(async () => {
    for (const d of outs) rmSync(d, { recursive: true, force: true });
    await resetLab();
  });
  return {
    tmp: (name) => {
      const d = mkdtempSync(join(tmpdir(), `${prefix}-${name}-`));
      outs.push(d);
      return d;
    },
    added: () => added,
  };
}

/** A report's JSON without its timestamp (the only thing two runs may differ in). */
export function jsonWithoutTimestamp(file: string): Record<string, unknown> {
  const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  expect(typeof j.generatedAt).toBe('string');
  delete j.generatedAt;
  return j;
}
