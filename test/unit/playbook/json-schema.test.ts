import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_FILE, playbookJsonSchemaText } from '../../../src/playbook/json-schema.js';

const file = join(import.meta.dirname, '..', '..', '..', JSON_SCHEMA_FILE);

describe('playbook JSON Schema', () => {
  // `npm run playbook:schema` runs this test with LAPS_MIGRATE_WRITE_SCHEMA=1 to regenerate the file
  if (process.env.LAPS_MIGRATE_WRITE_SCHEMA === '1') writeFileSync(file, playbookJsonSchemaText());

  it('is committed and matches the zod schema (run `npm run playbook:schema` when it does not)', () => {
    expect(readFileSync(file, 'utf8')).toBe(playbookJsonSchemaText());
  });

  it('describes every top-level key, forbids others and a password in the connection', () => {
    const s = JSON.parse(readFileSync(file, 'utf8')) as { required: string[]; additionalProperties: boolean; properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(s.properties)).toEqual(['version', 'description', 'connection', 'steps', 'inventory', 'schema', 'permissions', 'emulation', 'cutover', 'cleanup', 'policy', 'waves']);
    expect(s.required).toEqual(['version', 'steps']);
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.connection!.properties!.password).toMatchObject({ not: {} });
    expect(s.properties.policy!.properties!.passwordAgeDays).toMatchObject({ minimum: 1, maximum: 365, default: 30 });
  });
});
