import { describe, expect, it } from 'vitest';
import { parsePlaybook, playbookSections, stepOptions } from '../../../src/playbook/load.js';
import { playbookYaml } from '../../../src/cli/wizard/save-playbook.js';
import { STEPS } from '../../../src/steps/registry.js';
import { stringify } from 'yaml';

describe('playbooks written by tools read back unchanged', () => {
  it("the wizard's saved playbook (steps 1-3 with their defaults) validates and gives the same options", () => {
    const steps = ['inventory', 'schema', 'permissions'].map((name) => ({ name, options: STEPS.find((s) => s.name === name)!.options.parse({}) as Record<string, unknown> }));
    const pb = parsePlaybook(playbookYaml({ connection: { profile: 'lab' }, steps }), 'saved.yaml');
    for (const s of steps) expect(stepOptions(pb.playbook, s.name as 'inventory')).toEqual(s.options);
  });

  it('playbookSections puts the cutover policy and waves at the top level', () => {
    const cut = STEPS.find((s) => s.name === 'cutover')!.options.parse({ waves: [{ name: 'a', ous: ['OU=A'], gpo: 'G' }], policy: { historySize: 3 } }) as Record<string, unknown>;
    const doc = { version: 1, steps: ['cutover'], ...playbookSections('cutover', cut) };
    const pb = parsePlaybook(stringify(doc), 'cut.yaml');
    expect(stepOptions(pb.playbook, 'cutover')).toEqual(cut);
    expect(Object.keys(doc)).toEqual(['version', 'steps', 'cutover', 'policy', 'waves']);
  });
});
