/** Loads the recorded schema snapshots (test/fixtures/schema) and makes variations of them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotFromJson, type SchemaSnapshot } from '../../../src/steps/schema-snapshot.js';
import type { DirEntry } from '../../../src/directory/types.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'schema');

export type FixtureName = 'fresh-admin' | 'fresh-user' | 'partial-admin' | 'extended-admin' | 'extended-user' | 'ready-admin' | 'renamed-admin';

export function fixtureText(name: FixtureName): string {
  return readFileSync(join(FIXTURES, `${name}.json`), 'utf8');
}

/** A fresh copy each call, so tests may change it. */
export function snapshot(name: FixtureName): SchemaSnapshot {
  return snapshotFromJson(fixtureText(name));
}

export function readAt(s: SchemaSnapshot): Date {
  return new Date(s.readAt);
}

export function attributeEntry(s: SchemaSnapshot, ldapName: string): DirEntry {
  const e = s.attributeSchemas.find((x) => String(x.attributes['ldapdisplayname']?.[0]).toLowerCase() === ldapName.toLowerCase());
  if (!e) throw new Error(`no ${ldapName} in the snapshot`);
  return e;
}

export function withoutAttribute(s: SchemaSnapshot, ldapName: string): SchemaSnapshot {
  const e = attributeEntry(s, ldapName);
  s.attributeSchemas = s.attributeSchemas.filter((x) => x !== e);
  if (s.computerClass) {
    const mc = s.computerClass.attributes['maycontain'] ?? [];
    s.computerClass.attributes['maycontain'] = mc.filter((v) => String(v).toLowerCase() !== ldapName.toLowerCase());
  }
  return s;
}
