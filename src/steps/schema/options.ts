/** Options of step 2, schema and prerequisites: the single source for flags, playbook and questions. */
import { z } from 'zod';

export const KDS_ALGORITHMS = { dh: 'DH', 'ecdh-p256': 'ECDH_P256', 'ecdh-p384': 'ECDH_P384' } as const;

export const schemaOptions = z
  .object({
    extend: z.boolean().default(true).describe('extend the Windows LAPS schema when it is missing or incomplete (irreversible)'),
    createKdsRootKey: z.boolean().default(false).describe('also create a KDS root key if the forest has none (labs; in production prefer Add-KdsRootKey)'),
    kdsAlgorithm: z.enum(['dh', 'ecdh-p256', 'ecdh-p384']).default('dh').describe('secret agreement of a created root key'),
    effectiveNow: z.boolean().default(false).describe('make a created root key usable at once instead of in 10 hours (labs)'),
    encryption: z.boolean().default(true).describe('Windows LAPS will encrypt passwords (functional level and KDS root key problems are blockers)'),
    saveSnapshot: z.string().min(1).optional().describe('write the directory facts read (no secrets) to this file'),
    fromSnapshot: z.string().min(1).optional().describe('check a saved snapshot offline instead of connecting'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.effectiveNow && !o.createKdsRootKey) ctx.addIssue({ code: 'custom', path: ['effectiveNow'], message: 'only applies with createKdsRootKey' });
    if (o.fromSnapshot && o.saveSnapshot) ctx.addIssue({ code: 'custom', path: ['saveSnapshot'], message: 'saveSnapshot and fromSnapshot exclude each other' });
  });

export type SchemaOptions = z.output<typeof schemaOptions>;
