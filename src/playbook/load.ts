/**
 * Loading a playbook: the whole file is validated (every problem at its file:line:col, exit 2)
 * before anything connects, and each step's options come out typed with their defaults filled.
 */
import { readYamlInput, parseYamlInput } from '../config/yaml-input.js';
import { STEPS, type StepEntry } from '../steps/registry.js';
import type { StepName } from '../model/step-result.js';
import { CUTOVER_TOP_LEVEL } from '../steps/cutover/options.js';
import { playbookSchema, type Playbook } from './schema.js';

export interface LoadedPlaybook {
  file: string;
  playbook: Playbook;
  /** The registry entries of the playbook's steps, in order. */
  steps: StepEntry[];
}

function loaded(file: string, playbook: Playbook): LoadedPlaybook {
  return { file, playbook, steps: playbook.steps.map((n) => STEPS.find((s) => s.name === n)!) };
}

export function loadPlaybook(file: string): LoadedPlaybook {
  return loaded(file, readYamlInput(file, playbookSchema) as Playbook);
}

export function parsePlaybook(text: string, file: string): LoadedPlaybook {
  return loaded(file, parseYamlInput(text, file, playbookSchema) as Playbook);
}

/**
 * The options a step runs with: its section (or, for the cutover, its section plus the top-level
 * policy and waves), parsed by the step's own schema so that defaults are filled.
 */
export function stepOptions(pb: Playbook, name: StepName): unknown {
  const entry = STEPS.find((s) => s.name === name);
  if (!entry) throw new Error(`no step named ${name}`);
  const section = (pb[name] ?? {}) as Record<string, unknown>;
  if (name !== 'cutover') return entry.options.parse(section);
  const top = Object.fromEntries(Object.keys(CUTOVER_TOP_LEVEL).flatMap((k) => (pb[k] === undefined ? [] : [[k, pb[k]]])));
  return entry.options.parse({ ...section, ...top });
}

/**
 * The inverse of stepOptions: a step's options as playbook keys (for writers such as the wizard):
 * the cutover's policy and waves go to the top level, everything else into the step's section.
 */
export function playbookSections(name: StepName, options: Record<string, unknown>): Record<string, unknown> {
  if (name !== 'cutover') return { [name]: options };
  const top = Object.keys(CUTOVER_TOP_LEVEL);
  const section = Object.fromEntries(Object.entries(options).filter(([k]) => !top.includes(k)));
  return { [name]: section, ...Object.fromEntries(Object.entries(options).filter(([k]) => top.includes(k))) };
}
