/**
 * Options of step 6, cleanup: the single source for its flags, playbook section and questions.
 * Each part applies only where it is safe (issue 18); clearing a legacy password is irreversible
 * and still needs --confirm-irreversible whatever the playbook says.
 */
import { z } from 'zod';
import { dn } from '../option-kit.js';

export const cleanupOptions = z
  .object({
    ou: dn.optional().describe('only computers and OUs under this DN (default: the whole domain)'),
    clearLegacyPasswords: z
      .boolean()
      .default(true)
      .describe('clear ms-Mcs-AdmPwd and its expiration on computers verified on Windows LAPS (irreversible)'),
    removeLegacyDelegations: z.boolean().default(true).describe('remove legacy SELF, read and reset ACEs from OUs where no computer depends on legacy any more'),
    unlinkLegacyGpos: z.boolean().default(true).describe('unlink legacy LAPS GPOs (or remove their AdmPwd values) where nothing under them needs them; GPOs are never deleted'),
    removeClearTextWindowsLaps: z
      .boolean()
      .default(false)
      .describe('clear a leftover clear-text msLAPS-Password once the encrypted one is verified (irreversible)'),
  })
  .strict();

export type CleanupOptions = z.output<typeof cleanupOptions>;
