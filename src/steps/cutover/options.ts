/**
 * Options of step 5, cutover. It owns the playbook's top-level `policy` (the Windows LAPS policy
 * the waves' GPOs carry, LAPS-FACTS 3) and `waves` keys; its own `cutover:` section holds the rest.
 * Ranges and defaults are those of LAPS-FACTS 3: an omitted key is what Windows does without it.
 * Build-dependent settings (complexity 5-8, passphrases, post-authentication action 11 need build
 * 26100+) are valid here; the cutover's preflight flags them per wave from the builds it finds.
 */
import { z } from 'zod';
import { dnKey } from '../../directory/dn.js';
import { days, dn, evenWithOtherErrors, principalName, wholeNumber } from '../option-kit.js';
import { DEFAULT_CUTOVER_PARALLEL } from './defaults.js';

/** Characters Windows refuses in a local account name (and its 20-character limit). */
const ACCOUNT_NAME_FORBIDDEN = /["/\\[\]:;|=,+*?<>@]/;

export const policyOptions = z
  .object({
    backupDirectory: z
      .enum(['ad', 'entra', 'off'])
      .default('ad')
      .describe('where passwords are backed up (BackupDirectory): ad, entra or off (off makes every other setting ignored); default ad, the point of this migration'),
    administratorAccountName: z
      .string()
      .max(20, 'must be at most 20 characters (a Windows account name)')
      .refine((v) => !ACCOUNT_NAME_FORBIDDEN.test(v), 'must not contain " / \\ [ ] : ; | = , + * ? < > @')
      .default('')
      .describe('the local account managed (AdministratorAccountName); empty = the built-in Administrator (RID 500)'),
    passwordAgeDays: wholeNumber(1, 365).default(30).describe('days between rotations (PasswordAgeDays, 1-365)'),
    passwordLength: wholeNumber(8, 64).default(14).describe('password length (PasswordLength, 8-64)'),
    passwordComplexity: wholeNumber(1, 8)
      .default(4)
      .describe('PasswordComplexity: 1 upper, 2 +lower, 3 +digits, 4 +specials; 5 readable, 6-8 passphrases (5-8 need build 26100+)'),
    passphraseLength: wholeNumber(3, 10).optional().describe('words in a passphrase (PassphraseLength, 3-10, default 6); only with passwordComplexity 6-8'),
    passwordExpirationProtection: z.boolean().default(true).describe('never let a password live past its age (PasswordExpirationProtectionEnabled)'),
    encryption: z
      .object({
        enabled: z.boolean().default(true).describe('encrypt passwords in AD (ADPasswordEncryptionEnabled; needs domain functional level 2016)'),
        principal: principalName.optional().describe('who can decrypt (ADPasswordEncryptionPrincipal): a SID, DOMAIN\\name or name@domain; default Domain Admins'),
      })
      .strict()
      .default({ enabled: true })
      .describe('DPAPI-NG encryption of the password in AD'),
    historySize: wholeNumber(0, 12).default(0).describe('encrypted passwords kept as history (ADEncryptedPasswordHistorySize, 0-12; needs encryption)'),
    backupDsrm: z.boolean().default(false).describe("also back up domain controllers' DSRM password (ADBackupDSRMPassword; needs encryption)"),
    postAuthentication: z
      .object({
        resetDelayHours: wholeNumber(0, 24).default(24).describe('hours after a use of the password before the actions run (PostAuthenticationResetDelay, 0-24; 0 = never)'),
        actions: z
          .union([z.literal(1), z.literal(3), z.literal(5), z.literal(11)])
          .default(3)
          .describe('PostAuthenticationActions: 1 reset the password, 3 also log off, 5 also reboot, 11 also terminate processes (build 26100+)'),
      })
      .strict()
      .default({ resetDelayHours: 24, actions: 3 })
      .describe('what happens after the managed account is used'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const enc = p.encryption as { enabled?: unknown } | undefined;
    const encrypted = enc?.enabled !== false && p.backupDirectory !== 'entra' && p.backupDirectory !== 'off';
    const why = p.backupDirectory === 'ad' || p.backupDirectory === undefined ? 'encryption.enabled is false' : `backupDirectory is ${String(p.backupDirectory)}`;
    if (typeof p.historySize === 'number' && p.historySize > 0 && !encrypted) ctx.addIssue({ code: 'custom', path: ['historySize'], message: `needs encryption in AD (${why}); set it to 0` });
    if (p.backupDsrm === true && !encrypted) ctx.addIssue({ code: 'custom', path: ['backupDsrm'], message: `needs encryption in AD (${why})` });
    if ((p.backupDirectory === 'entra' || p.backupDirectory === 'off') && enc && 'principal' in enc)
      ctx.addIssue({ code: 'custom', path: ['encryption', 'principal'], message: `only applies to backups in AD (backupDirectory is ${p.backupDirectory})` });
    if (p.passphraseLength !== undefined && typeof p.passwordComplexity === 'number' && p.passwordComplexity < 6)
      ctx.addIssue({ code: 'custom', path: ['passphraseLength'], message: `only applies with passwordComplexity 6-8 (it is ${p.passwordComplexity})` });
    if (p.backupDirectory === 'entra' && typeof p.passwordAgeDays === 'number' && p.passwordAgeDays < 7)
      ctx.addIssue({ code: 'custom', path: ['passwordAgeDays'], message: 'must be at least 7 when backing up to Entra ID' });
  }, evenWithOtherErrors);

export type PolicyOptions = z.output<typeof policyOptions>;

export const gateOptions = z
  .object({
    minVerifiedPercent: wholeNumber(0, 100).default(100).describe('verified computers, in % of those expected to migrate, before the next wave starts'),
    maxFailures: z.number().int('must be a whole number').min(0, 'must be 0 or more').default(0).describe('failed or stuck computers tolerated'),
    soakDays: days.default(0).describe('days after the wave started before the next one may start'),
  })
  .strict();

const wave = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'must start with a letter or digit and hold only letters, digits, spaces, . _ -')
      .max(64, 'must be at most 64 characters')
      .describe('the wave name (unique; used in reports and --wave)'),
    ous: z.array(dn).min(1).optional().describe('OUs (with their subtrees), relative to the base DN (OU=Pilot,OU=Workstations) or absolute'),
    group: z.string().min(1).optional().describe('a group whose computer members form the wave (GPO security filtering)'),
    computers: z.array(z.string().min(1)).min(1).optional().describe('computer names (sAMAccountName without $, or DNs) forming the wave'),
    gpo: z.string().min(1).describe('display name of the GPO that carries the policy for this wave'),
    gates: gateOptions.default({ minVerifiedPercent: 100, maxFailures: 0, soakDays: 0 }).describe('what must hold before the NEXT wave starts'),
  })
  .strict()
  .superRefine((w, ctx) => {
    const given = (['ous', 'group', 'computers'] as const).filter((k) => w[k] !== undefined);
    if (given.length === 0) ctx.addIssue({ code: 'custom', path: ['name'], message: 'a wave needs one of ous, group or computers' });
    for (const k of given.slice(1)) ctx.addIssue({ code: 'custom', path: [k], message: `a wave takes one of ous, group or computers (it already has ${given[0]})` });
  }, evenWithOtherErrors);

export const wavesOptions = z
  .array(wave)
  .default([])
  .superRefine((waves, ctx) => {
    if (!Array.isArray(waves)) return;
    const names = new Map<string, number>();
    const ous = new Map<string, string>();
    const groups = new Map<string, string>();
    waves.forEach((w: unknown, i) => {
      if (!w || typeof w !== 'object') return;
      const { name, ous: list, group } = w as { name?: unknown; ous?: unknown; group?: unknown };
      if (typeof name === 'string') {
        const seen = names.get(name.toLowerCase());
        if (seen !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate wave name (waves[${seen}] is also "${name}")` });
        else names.set(name.toLowerCase(), i);
      }
      const label = typeof name === 'string' ? `"${name}"` : `waves[${i}]`;
      if (Array.isArray(list)) {
        list.forEach((ou: unknown, j) => {
          if (typeof ou !== 'string') return;
          const other = ous.get(dnKey(ou));
          if (other) ctx.addIssue({ code: 'custom', path: [i, 'ous', j], message: `${ou} is already in wave ${other} (nest a smaller OU instead: the first wave containing a computer wins)` });
          else ous.set(dnKey(ou), label);
        });
      }
      if (typeof group === 'string') {
        const other = groups.get(group.toLowerCase());
        if (other) ctx.addIssue({ code: 'custom', path: [i, 'group'], message: `group "${group}" is already wave ${other}` });
        else groups.set(group.toLowerCase(), label);
      }
    });
  }, evenWithOtherErrors)
  .describe('the waves, in order: each starts when the previous one meets its gates; a computer belongs to the first wave containing it');

export type WaveOptions = z.output<typeof wave>;

/** The `cutover:` playbook section: the cutover options that are not `policy` or `waves`. */
export const cutoverSection = z
  .object({
    transition: z
      .enum(['replace', 'side-by-side'])
      .default('replace')
      .describe('replace: Windows LAPS takes over the account the legacy policy managed; side-by-side: it manages a second account while legacy keeps its own'),
    graceDays: days.default(7).describe('days past a password expiry before a computer with nothing written counts as stuck'),
    parallel: wholeNumber(1, 16)
      .default(DEFAULT_CUTOVER_PARALLEL)
      .describe("connections that page each wave's computers at once, by OU (1-16; 1 = one paged search per OU, the gentlest on the DC)"),
  })
  .strict();

/** The side-by-side rule: Windows LAPS must manage another account than the legacy policy. */
export function transitionProblem(transition: unknown, policy: unknown): string | undefined {
  const name = (policy as { administratorAccountName?: unknown } | undefined)?.administratorAccountName;
  if (transition === 'side-by-side' && (name === undefined || name === '')) return 'side-by-side needs a second account: name it here (the legacy policy keeps managing its own)';
  return undefined;
}

/** Everything the cutover step runs with (the playbook fills policy and waves from top-level keys). */
export const cutoverOptions = cutoverSection
  .extend({ policy: policyOptions.default(policyOptions.parse({})), waves: wavesOptions })
  .superRefine((o, ctx) => {
    const why = transitionProblem(o.transition, o.policy);
    if (why) ctx.addIssue({ code: 'custom', path: ['policy', 'administratorAccountName'], message: why });
  }, evenWithOtherErrors);

export type CutoverOptions = z.output<typeof cutoverOptions>;
/** The top-level playbook keys the cutover step owns. */
export const CUTOVER_TOP_LEVEL = { policy: policyOptions, waves: wavesOptions } as const;
