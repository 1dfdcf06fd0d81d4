/**
 * Saves the wizard's decisions as a playbook that `laps-migrate run --playbook FILE` accepts
 * unchanged: the connection (a profile name, or server/user/CA: never a password), the steps in
 * order and each step's options as the step's own schema parsed them.
 */
import { stringify } from 'yaml';
import { writePrivateFile } from '../../config/paths.js';
import type { ConnectionFlags } from '../connection-options.js';
import { playbookSections } from '../../playbook/load.js';
import type { StepName } from '../../model/step-result.js';

export interface WizardDecisions {
  connection: ConnectionFlags & { profile?: string };
  /** sectionsOnly: the step's playbook keys are written but it is not in `steps` (the cutover's waves that cleanup needs). */
  steps: Array<{ name: string; options: Record<string, unknown>; sectionsOnly?: boolean }>;
}

export function playbookYaml(d: WizardDecisions): string {
  const c = d.connection;
  const connection = c.profile
    ? { profile: c.profile }
    : { ...(c.server ? { server: c.server } : {}), ...(c.user ? { user: c.user } : {}), ...(c.caFile ? { caFile: c.caFile } : {}), ...(c.starttls ? { startTls: true } : {}), ...(c.baseDn ? { baseDn: c.baseDn } : {}) };
  const doc: Record<string, unknown> = { version: 1, connection, steps: d.steps.filter((s) => !s.sectionsOnly).map((s) => s.name) };
  for (const s of d.steps) Object.assign(doc, playbookSections(s.name as StepName, s.options));
  return `# Saved by the laps-migrate wizard on ${new Date().toISOString().slice(0, 10)}.\n# Rerun with: laps-migrate run --playbook <this file> [--apply --yes]\n${stringify(doc)}`;
}

export function savePlaybook(path: string, d: WizardDecisions): void {
  writePrivateFile(path, playbookYaml(d));
}
