/** Options of step 1, inventory: the single source for its flags, playbook section and questions. */
import { z } from 'zod';
import { days, dn } from '../option-kit.js';
import { DEFAULT_PARALLEL } from './defaults.js';

export const inventoryOptions = z
  .object({
    /** Only computers under this DN (--ou). */
    ou: dn.optional().describe('only computers under this DN (default: the whole domain)'),
    staleDays: days.default(90).describe('no logon for more than N days = stale'),
    graceDays: days.default(7).describe('days past expiry before a password counts as not rotating'),
    /** The filter-only searches that tell whether password attributes hold a value. */
    presence: z.boolean().default(true).describe('check whether password attributes hold a value (filter-only searches; no password is read)'),
    /** Connections paging the computers at once (partitions by OU); 1 = one paged search, the gentlest on the DC. */
    parallel: z.number().int().min(1).max(16).default(DEFAULT_PARALLEL).describe('connections that page the computers at once, by OU (1 = one paged search)'),
  })
  .strict();

export type InventoryOptions = z.output<typeof inventoryOptions>;
