/**
 * The playbook: one YAML file that writes a migration's decisions down once (issue 13). Its
 * schema is composed from the step registry: each step's section is that step's options schema,
 * so a key means the same in a playbook, a CLI flag and a wizard answer. The cutover owns the
 * top-level `policy` and `waves` keys (its `cutover:` section holds the rest). A connection never
 * holds a password. The committed JSON Schema (playbooks/laps-migrate.schema.json) is generated
 * from this module (json-schema.ts).
 */
import { z } from 'zod';
import { STEPS } from '../steps/registry.js';
import type { StepName } from '../model/step-result.js';
import { CUTOVER_TOP_LEVEL, cutoverSection, transitionProblem } from '../steps/cutover/options.js';
import { dn, evenWithOtherErrors } from '../steps/option-kit.js';

export const PLAYBOOK_VERSION = 1;

export const connectionSchema = z
  .object({
    profile: z.string().min(1).optional().describe('a named connection from config.yaml (laps-migrate lab up writes "lab"); the keys below override it'),
    server: z
      .string()
      .regex(/^ldaps?:\/\/[^\s/]+\/?$/i, 'must be ldaps://host[:port] or ldap://host[:port] (with startTls)')
      .optional()
      .describe('ldaps://dc.example.com, or ldap://... with startTls'),
    startTls: z.boolean().optional().describe('upgrade an ldap:// connection with StartTLS'),
    caFile: z.string().min(1).optional().describe('CA certificate(s) that verify the DC certificate (default: the system store)'),
    user: z.string().min(1).optional().describe('bind as UPN (user@domain), DOMAIN\\name or DN'),
    passwordFile: z.string().min(1).optional().describe('a 0600 file holding the bind password (LAPS_MIGRATE_PASSWORD and --password-file win over it)'),
    baseDn: dn.optional().describe('search base (default: the rootDSE defaultNamingContext)'),
    sysvol: z.string().min(1).optional().describe('the SYSVOL share as mounted or copied here (prefer the profile or --sysvol: a playbook is shared)'),
    kerberos: z.boolean().optional().describe('bind with Kerberos (GSSAPI) using the current ticket instead of a password'),
    password: z
      .never({ error: 'a playbook never holds a password: use passwordFile (a 0600 file), LAPS_MIGRATE_PASSWORD or the prompt' })
      .optional()
      .describe('not allowed: a playbook is shared and kept in version control'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.profile !== undefined && c.server !== undefined) ctx.addIssue({ code: 'custom', path: ['server'], message: 'give a profile or a server, not both (the profile names its server)' });
  }, evenWithOtherErrors)
  .describe('how to reach the domain (flags win over it; never a password)');

export type PlaybookConnection = z.output<typeof connectionSchema>;

const STEP_NAMES = STEPS.map((s) => s.name) as [StepName, ...StepName[]];

/** Each step's playbook section: its options schema (the cutover's without policy and waves). */
function sectionOf(name: StepName, options: z.ZodType): z.ZodType {
  return name === 'cutover' ? cutoverSection : options;
}

const stepsKey = z
  .array(z.enum(STEP_NAMES, { error: `must be one of: ${STEP_NAMES.join(', ')}` }))
  .min(1)
  .superRefine((names, ctx) => {
    if (!Array.isArray(names)) return;
    names.forEach((n: unknown, i) => {
      if (typeof n !== 'string') return;
      if (names.indexOf(n as StepName) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${n} is listed twice` });
      const prev = names[i - 1];
      const order = (x: unknown) => STEP_NAMES.indexOf(x as StepName);
      if (i > 0 && order(n) >= 0 && order(prev) > order(n))
        ctx.addIssue({ code: 'custom', path: [i], message: `${n} must come before ${prev}: steps run in migration order (${STEP_NAMES.join(', ')})` });
    });
  }, evenWithOtherErrors)
  .describe(`the steps \`run\` runs, in migration order (${STEP_NAMES.join(', ')})`);

const shape: Record<string, z.ZodType> = {
  version: z.literal(PLAYBOOK_VERSION).describe('playbook format version'),
  description: z.string().optional().describe('what this playbook is for (shown in the run report)'),
  connection: connectionSchema.optional(),
  steps: stepsKey,
  ...Object.fromEntries(STEPS.map((s) => [s.name, sectionOf(s.name, s.options).optional().describe(`options of the ${s.title.toLowerCase()} step`)])),
  ...Object.fromEntries(Object.entries(CUTOVER_TOP_LEVEL).map(([k, v]) => [k, v.optional()])),
};

export const playbookSchema = z
  .object(shape)
  .strict()
  .superRefine((pb, ctx) => {
    const steps = Array.isArray(pb.steps) ? (pb.steps as unknown[]) : [];
    const cut = steps.indexOf('cutover');
    const waves = pb.waves;
    if (cut >= 0 && (waves === undefined || (Array.isArray(waves) && waves.length === 0))) ctx.addIssue({ code: 'custom', path: ['steps', cut], message: 'cutover needs at least one wave (the top-level waves key)' });
    const why = transitionProblem((pb.cutover as { transition?: unknown } | undefined)?.transition, pb.policy);
    if (why) ctx.addIssue({ code: 'custom', path: pb.policy ? ['policy', 'administratorAccountName'] : ['cutover', 'transition'], message: why });
  }, evenWithOtherErrors)
  .meta({ title: 'laps-migrate playbook', description: 'One migration from legacy Microsoft LAPS to Windows LAPS, run with `laps-migrate run --playbook FILE`.' });

/** A validated playbook: sections are kept as parsed; stepOptions() gives a step its options. */
export interface Playbook {
  version: number;
  description?: string;
  connection?: PlaybookConnection;
  steps: StepName[];
  [section: string]: unknown;
}
