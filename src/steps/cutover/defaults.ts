/**
 * Defaults the cutover flag help needs without loading the options schema (zod) at start-up.
 * DEFAULT_CUTOVER_PARALLEL was measured on the 10k cutover bench (README, cutover section): a
 * second connection shortens the read, which the DC paces.
 */
export const DEFAULT_CUTOVER_PARALLEL = 2;
