/** Options of step 3, permissions: the single source for flags, playbook section and questions. */
import { z } from 'zod';
import { dn } from '../option-kit.js';
import { DEFAULT_PARALLEL } from './defaults.js';

export const permissionsOptions = z
  .object({
    ou: z.array(dn).default([]).describe('containers (with their subtrees) the plan may change (default: all)'),
    perComputer: z.boolean().default(false).describe("read and evaluate every computer's own security descriptor"),
    /** Connections paging the computers at once with perComputer (partitions by OU); 1 = one paged search, the gentlest on the DC. */
    parallel: z.number().int().min(1).max(16).default(DEFAULT_PARALLEL).describe('with perComputer: connections that page the computers at once, by OU (1 = one paged search)'),
    explain: z.array(z.string().min(1)).default([]).describe('accounts whose access to each computer is predicted'),
    self: z.boolean().default(true).describe('grant the Windows LAPS SELF permission where computers lack it'),
    legacySelf: z.boolean().default(true).describe('grant the legacy SELF permission to legacy-managed computers that lack it'),
    mirror: z.boolean().default(true).describe('mirror legacy read/reset/deny delegations onto the Windows LAPS attributes'),
    removeAllExtendedRights: z.boolean().default(false).describe('remove All Extended Rights held by non-admin principals on computer OUs'),
    fixOwners: z.boolean().default(false).describe('make Domain Admins the owner of computers owned by a non-admin'),
  })
  .strict();

export type PermissionsOptions = z.output<typeof permissionsOptions>;
