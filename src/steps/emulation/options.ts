/**
 * Options of step 4, emulation (legacy emulation mode: Windows LAPS standing in for the legacy
 * CSE, LAPS-FACTS 1): the single source for its flags, playbook section and questions. The SYSVOL
 * path is a connection setting (profile or --sysvol), never a playbook key: playbooks are shared.
 */
import { z } from 'zod';
import { days, dn, isoDate } from '../option-kit.js';

export const emulationOptions = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('go through legacy emulation before native Windows LAPS; false: only report where emulation would start unexpectedly, grant nothing, ship no CSE removal scripts'),
    ou: dn.optional().describe('only computers under this DN (default: the whole domain)'),
    grantLegacySelf: z.boolean().default(true).describe('grant the legacy SELF permission where emulation-bound computers lack it (event 10065 otherwise)'),
    artifacts: z.boolean().default(true).describe('write the CSE removal and emulation pin scripts into the report folder'),
    since: isoDate.optional().describe('monitor rotation from this date (default: the first emulation --apply in the journal)'),
    graceDays: days.default(7).describe('days past a password expiry before a computer that has not rotated counts as stuck'),
  })
  .strict();

export type EmulationOptions = z.output<typeof emulationOptions>;
