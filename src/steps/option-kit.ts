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

/** A date (YYYY-MM-DD) or an ISO 8601 date and time with its offset (Z or +hh:mm). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be a date (YYYY-MM-DD) or an ISO 8601 date and time with Z or an offset')
  .refine((v) => {
    const day = v.slice(0, 10);
    const t = Date.parse(`${day}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day && !Number.isNaN(Date.parse(v));
  }, 'is not a real date');

/** A security principal: a SID, DOMAIN\name or name@domain (an isolated name is ambiguous). */
export const principalName = z.string().superRefine((v, ctx) => {
  const ok = /^S-1-\d+(-\d+)+$/i.test(v) || /^[^\\\s][^\\]*\\[^\\]+$/.test(v) || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v);
  if (!ok) ctx.addIssue({ code: 'custom', message: 'must be a SID (S-1-5-...), DOMAIN\\name or name@domain: an isolated name is ambiguous' });
});

/**
 * Runs a cross-field rule even when other keys already failed, so that one run lists every
 * problem; the rule must therefore read its fields defensively (they may have any type).
 */
export const evenWithOtherErrors = { when: (p: { value: unknown }) => typeof p.value === 'object' && p.value !== null } as const;
