/**
 * The playbook's JSON Schema, generated from the zod schema (never written by hand), for editors:
 * every shipped playbook starts with `# yaml-language-server: $schema=./laps-migrate.schema.json`.
 * Cross-field rules (history only with encryption, one OU per wave, ...) are not expressible here;
 * `laps-migrate run` checks them. Regenerate with `npm run playbook:schema`; a unit test fails when
 * the committed file is stale.
 */
import { z } from 'zod';
import { playbookSchema } from './schema.js';

export const JSON_SCHEMA_FILE = 'playbooks/laps-migrate.schema.json';

export function playbookJsonSchemaText(): string {
  const schema = z.toJSONSchema(playbookSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
