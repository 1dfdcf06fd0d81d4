/**
 * Building blocks for step option schemas (zod), shared by every step so that a CLI flag, a
 * playbook key and a wizard answer are checked by the same rule. Values are plain JSON types
 * (numbers are numbers): the CLI turns flag text into them first (cli/step-flags.ts), and the
 * playbook's JSON Schema is generated from these same schemas.
 */
import { z } from 'zod';
import { dnSyntaxError } from '../directory/dn.js';

/** A whole number in [min, max]. */
export function wholeNumber(min: number, max: number): z.ZodNumber {
  return z.number().int(`must be a whole number from ${min} to ${max}`).min(min, `must be ${min}-${max}`).max(max, `must be ${min}-${max}`);
}

/** Days: 0-3650. */
export const days = wholeNumber(0, 3650);

/** A distinguished name (syntax only; whether it exists is checked against the directory). */
export const dn = z.string().superRefine((v, ctx) => {
  const why = dnSyntaxError(v);
  if (why) ctx.addIssue({ code: 'custom', message: `not a distinguished name: it ${why}` });
});
