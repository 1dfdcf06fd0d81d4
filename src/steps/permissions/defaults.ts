/**
 * Defaults the permissions flag help needs without loading the options schema (zod) at start-up.
 * DEFAULT_PARALLEL was measured on the 10k bench lab (README, permissions section).
 */
export const DEFAULT_PARALLEL = 2;
