/**
 * The lab scenario format (YAML, README "Lab scenarios"): the estate `lab up --scenario` builds.
 * Containers are written as slash paths from the domain head ("Workstations/Pilot"); "" is the
 * domain head itself. Validation only; scenario-build.ts writes it.
 */
import { z } from 'zod';

const name = z.string().min(1).max(64);
const ouPath = z.string().regex(/^([^/=,+"\\<>;#]+(\/[^/=,+"\\<>;#]+)*)?$/, 'an OU path like "Workstations/Pilot" ("" = the domain)');

export const scenarioOu = z.strictObject({
  path: ouPath.min(1),
  description: z.string().optional(),
  blockInheritance: z.boolean().default(false),
  /** DACL protected: inherited delegations stop here. */
  protect: z.boolean().default(false),
});

export const scenarioComputer = z.strictObject({
  /** The name, or with `count` the prefix of NAME01, NAME02... */
  name: z.string().regex(/^[A-Za-z0-9-]{1,12}$/, 'letters, digits and "-", at most 12 characters'),
  ou: ouPath,
  /** A number, or "$computers" for the value of `lab up --computers N`. */
  count: z.union([z.number().int().min(1).max(100_000), z.literal('$computers')]).optional(),
  /** OS build(s): one number, or a list cycled over the computers. Omit for non-Windows. */
  build: z.union([z.number().int().min(1000).max(99999), z.array(z.number().int().min(1000).max(99999)).min(1)]).optional(),
  os: z.string().optional(),
  /** For non-Windows computers (no build). */
  osVersion: z.string().optional(),
  /** Legacy CSE installed: true, false, or a ratio 0..1 of the computers (deterministic for the seed). */
  cse: z.union([z.boolean(), z.number().min(0).max(1)]).default(false),
  legacy: z.enum(['rotating', 'expired', 'none']).default('none'),
  disabled: z.boolean().default(false),
});

const legacyPolicy = z.strictObject({
  enabled: z.boolean().default(true),
  adminAccountName: z.string().optional(),
  passwordComplexity: z.number().int().min(1).max(4).default(4),
  passwordLength: z.number().int().min(8).max(64).default(14),
  passwordAgeDays: z.number().int().min(1).max(365).default(30),
  expirationProtection: z.boolean().optional(),
});

const windowsPolicy = z.strictObject({
  backupDirectory: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(2),
  administratorAccountName: z.string().optional(),
  passwordAgeDays: z.number().int().min(1).max(365).optional(),
  passwordLength: z.number().int().min(8).max(64).optional(),
  passwordComplexity: z.number().int().min(1).max(8).optional(),
  expirationProtection: z.boolean().optional(),
  encryption: z.boolean().optional(),
  /** SID, DOMAIN\name or name@domain. */
  encryptionPrincipal: z.string().optional(),
  historySize: z.number().int().min(0).max(12).optional(),
  backupDsrm: z.boolean().optional(),
});

export const scenarioGpo = z.strictObject({
  name,
  legacy: legacyPolicy.optional(),
  windowsLaps: windowsPolicy.optional(),
  links: z.array(z.strictObject({ ou: ouPath, enforced: z.boolean().default(false), disabled: z.boolean().default(false) })).default([]),
  computerSettingsDisabled: z.boolean().default(false),
});

export const scenarioDelegation = z.strictObject({
  ou: ouPath,
  /** Set-AdmPwdComputerSelfPermission. */
  legacySelf: z.boolean().default(false),
  /** Set-AdmPwdReadPasswordPermission for these groups/users. */
  legacyRead: z.array(name).default([]),
  /** Set-AdmPwdResetPasswordPermission. */
  legacyReset: z.array(name).default([]),
  /** Set-LapsADComputerSelfPermission (needs the Windows LAPS schema). */
  windowsSelf: z.boolean().default(false),
  /** Set-LapsADReadPasswordPermission. */
  windowsRead: z.array(name).default([]),
  /** Raw SDDL ACEs; {computer}, {legacyPwd}, {legacyExp}, {lapsSet}, {sid:NAME} are replaced. */
  aces: z.array(z.string().regex(/^\(.*\)$/, 'an SDDL ACE in parentheses')).default([]),
});

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and "-"'),
  description: z.string().min(1),
  functionalLevel: z.enum(['2008R2', '2016']).default('2008R2'),
  legacySchema: z.enum(['standard', 'renamed', 'none']).default('standard'),
  windowsLapsSchema: z.boolean().default(false),
  /** Usable KDS root keys to create (effective 10 hours ago, as after Add-KdsRootKey and the wait). */
  kdsRootKeys: z.number().int().min(0).max(3).default(0),
  /** The lab DC (dc1) as a simulated device. */
  domainController: z.strictObject({ build: z.number().int().default(20348) }).default({ build: 20348 }),
  ous: z.array(scenarioOu).default([]),
  groups: z.array(z.strictObject({ name, ou: ouPath, description: z.string().optional(), members: z.array(name).default([]) })).default([]),
  users: z.array(z.strictObject({ name, ou: ouPath, description: z.string().optional() })).default([]),
  computers: z.array(scenarioComputer).default([]),
  gpos: z.array(scenarioGpo).default([]),
  delegations: z.array(scenarioDelegation).default([]),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioComputer = z.infer<typeof scenarioComputer>;
export type ScenarioGpo = z.infer<typeof scenarioGpo>;
