/**
 * Which of a playbook's steps a `run` runs: all of them, one (--step), or from one on (--from).
 * Every selected step must be built (have a loader in the registry): a step that is not is
 * refused before anything connects, so a run never stops half-way for that reason.
 */
import { InputError } from '../errors.js';
import type { StepEntry } from '../steps/registry.js';
import type { LoadedPlaybook } from './load.js';

export interface Selection {
  /** The steps to run, in order. */
  run: StepEntry[];
  /** Steps of the playbook skipped by --step / --from (reported as "not run"). */
  skipped: StepEntry[];
}

export function selectSteps(pb: LoadedPlaybook, choice: { step?: string; from?: string }): Selection {
  if (choice.step !== undefined && choice.from !== undefined) throw new InputError('--step and --from exclude each other', { advice: '--step NAME runs one step; --from NAME runs that step and the ones after it.' });
  const names = pb.steps.map((s) => s.name);
  const pick = choice.step ?? choice.from;
  let run = pb.steps;
  if (pick !== undefined) {
    const at = names.indexOf(pick as (typeof names)[number]);
    const flag = choice.step !== undefined ? '--step' : '--from';
    if (at < 0) throw new InputError(`${flag} ${pick}: not one of this playbook's steps (${names.join(', ')})`, { advice: `Add ${pick} to "steps" in ${pb.file}, or pick one of its steps.` });
    run = choice.step !== undefined ? [pb.steps[at]!] : pb.steps.slice(at);
  }
  const unbuilt = run.filter((s) => !s.load);
  if (unbuilt.length) {
    const list = unbuilt.map((s) => s.name).join(', ');
    throw new InputError(`step${unbuilt.length > 1 ? 's' : ''} ${list} ${unbuilt.length > 1 ? 'are' : 'is'} not available yet in this version of laps-migrate; nothing was run`, {
      reason: 'STEP_NOT_AVAILABLE',
      advice: `The playbook is valid. Run the steps that exist with --step NAME, or drop ${list} from "steps" in ${pb.file} for now.`,
    });
  }
  return { run, skipped: pb.steps.filter((s) => !run.includes(s)) };
}
