/**
 * The cutover in the wizard: the playbook's `policy` and `waves` are too nested to ask key by key,
 * so the wizard asks a flat form (the pilot's OUs, the broad wave's OUs, who can decrypt, history,
 * rotation age, the pilot's gate) and this module turns the answers into the step's options (the
 * step's own schema then checks them, as it checks a playbook). Two waves, as most estates start:
 * a pilot and the rest; a playbook can hold more.
 */
import { z } from 'zod';
import { listOus } from '../../directory/organizational-units.js';
import { listSecurityGroups } from '../../directory/security-groups.js';
import { days, dn, principalName, wholeNumber } from '../option-kit.js';
import type { Choice, StepContext, WizardForm } from '../step.js';

export const cutoverWizardAnswers = z.object({
  pilotOus: z.array(dn).min(1).describe('Pilot wave: the OUs whose computers move first (space to select)'),
  broadOus: z.array(dn).describe('Broad wave: the OUs that follow once the pilot is verified (a pilot OU may sit inside one of them)'),
  principal: principalName.describe('Who can decrypt the passwords (ADPasswordEncryptionPrincipal): a security group of the domain'),
  historySize: wholeNumber(0, 12).default(12).describe('Encrypted passwords kept as history (0-12)'),
  passwordAgeDays: wholeNumber(1, 365).default(30).describe('Days between rotations'),
  minVerifiedPercent: wholeNumber(0, 100).default(95).describe('Pilot gate: % of the pilot verified before the broad wave starts'),
  soakDays: days.default(1).describe('Pilot gate: days after the pilot started before the broad wave may start'),
  transition: z
    .enum(['replace', 'side-by-side'])
    .default('replace')
    .describe('replace: Windows LAPS takes over the legacy account; side-by-side: it manages a second account'),
  administratorAccountName: z
    .string()
    .max(20)
    .default('')
    .describe('The local account Windows LAPS manages (empty = the built-in Administrator; side-by-side needs another one)'),
});

export type CutoverWizardAnswers = z.output<typeof cutoverWizardAnswers>;

export const PILOT_GPO = 'Windows LAPS - Pilot';
export const BROAD_GPO = 'Windows LAPS - Broad';

/** The cutover options input for the answers (encrypted, to the chosen principal; two waves). */
export function cutoverOptionsFromAnswers(raw: Record<string, unknown>): unknown {
  const a = cutoverWizardAnswers.parse(raw);
  const broad = a.broadOus.filter((o) => !a.pilotOus.includes(o));
  return {
    transition: a.transition,
    policy: { administratorAccountName: a.administratorAccountName, encryption: { enabled: true, principal: a.principal }, historySize: a.historySize, passwordAgeDays: a.passwordAgeDays },
    waves: [
      { name: 'pilot', ous: a.pilotOus, gpo: PILOT_GPO, gates: { minVerifiedPercent: a.minVerifiedPercent, maxFailures: 0, soakDays: a.soakDays } },
      ...(broad.length ? [{ name: 'broad', ous: broad, gpo: BROAD_GPO }] : []),
    ],
  };
}

async function choices(ctx: StepContext): Promise<Record<string, Choice[]>> {
  if (!ctx.dir) return {};
  const ous = (await listOus(ctx.dir, ctx.target.baseDn)).map((o) => ({ name: o.path, value: o.dn }));
  const domain = ctx.facts?.netbiosDomain;
  const groups = (await listSecurityGroups(ctx.dir, ctx.target.baseDn)).map((g) => {
    const value = domain ? `${domain}\\${g.name}` : `${g.name}@${ctx.target.domain}`;
    return { name: value, value, ...(g.description ? { description: g.description } : {}) };
  });
  return { pilotOus: ous, broadOus: ous, principal: groups };
}

export const cutoverWizardForm: WizardForm = {
  answers: cutoverWizardAnswers,
  keys: ['pilotOus', 'broadOus', 'principal', 'historySize', 'passwordAgeDays', 'minVerifiedPercent', 'soakDays', 'transition', 'administratorAccountName'],
  choices,
  toOptions: cutoverOptionsFromAnswers,
};
