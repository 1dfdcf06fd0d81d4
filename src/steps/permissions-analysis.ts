/**
 * Step 3 analysis (pure: descriptors, SIDs and plain objects in, plain objects out): who can read
 * and reset LAPS passwords of both families on every container holding computers (and, per
 * computer, on each computer's own descriptor), by which route, whether each computer may write
 * its own LAPS attributes (SELF), the gaps between the legacy and the Windows LAPS delegations,
 * DirSync holders at the domain root, and the findings.
 *
 * Rules are Windows' access check (src/security effectiveAccess): reading a confidential
 * attribute takes READ_PROPERTY + CONTROL_ACCESS on it or on its property set; a reset is
 * WRITE_PROPERTY on the expiration time. A container's answer is the one for a computer created
 * there now: its class default ACEs (CREATOR OWNER standing for whoever creates it) and what it
 * inherits from the container's stored DACL. Principals are evaluated with their own SID, their
 * groups (resolved by the caller) and Everyone / Authenticated Users.
 *
 * Computers are fed one at a time (addComputer) while the directory is paged through; identical
 * descriptors are evaluated once, after the caller has resolved the SIDs they name.
 *
 * The code lives in steps/permissions/ by concept: model (types), principals (names, tokens,
 * tiers), evaluate (one descriptor), dirsync, analysis (the streaming class), findings. This
 * module is their public face for the step, the plan, the report and the tests.
 */
export type { Principal } from '../directory/principals.js';
export * from './permissions/model.js';
export * from './permissions/principals.js';
export * from './permissions/evaluate.js';
export * from './permissions/dirsync.js';
export * from './permissions/analysis.js';
export { permissionsFindings } from './permissions/findings.js';
