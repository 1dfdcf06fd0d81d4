/**
 * The steps in migration order. Each entry names the step, its options schema (loaded eagerly:
 * the playbook validates every section before anything connects) and a loader for the step
 * itself (lazy, so `--help` and validation stay fast). Adding a step = one Step module + one line.
 */
import type { z } from 'zod';
import type { AnyStep } from './step.js';
import type { StepName } from '../model/step-result.js';
import { inventoryOptions } from './inventory/options.js';
import { schemaOptions } from './schema/options.js';
import { permissionsOptions } from './permissions/options.js';
import { emulationOptions } from './emulation/options.js';
import { cutoverOptions } from './cutover/options.js';
import { cleanupOptions } from './cleanup/options.js';

export interface StepEntry {
  name: StepName;
  title: string;
  /** The step's options schema (also its playbook section). */
  options: z.ZodType;
  /** Undefined while the step is not built yet (playbooks validate it; `run` refuses it). */
  load?: () => Promise<AnyStep>;
  /** false: built, but the wizard does not offer it yet. */
  wizard?: false;
}

export const STEPS: readonly StepEntry[] = [
  { name: 'inventory', title: 'Inventory', options: inventoryOptions, load: async () => (await import('./inventory/step.js')).inventoryStep },
  { name: 'schema', title: 'Schema and prerequisites', options: schemaOptions, load: async () => (await import('./schema/step.js')).schemaStep },
  { name: 'permissions', title: 'Permissions', options: permissionsOptions, load: async () => (await import('./permissions/step.js')).permissionsStep },
  { name: 'emulation', title: 'Legacy emulation', options: emulationOptions, load: async () => (await import('./emulation/step.js')).emulationStep },
  { name: 'cutover', title: 'Cutover to Windows LAPS', options: cutoverOptions, load: async () => (await import('./cutover/step.js')).cutoverStep },
  { name: 'cleanup', title: 'Cleanup', options: cleanupOptions, load: async () => (await import('./cleanup/step.js')).cleanupStep },
];

export function stepEntry(name: string): StepEntry | undefined {
  return STEPS.find((s) => s.name === name);
}
