import { describe, expect, it } from 'vitest';
import { questionsFor } from '../../../../src/cli/wizard/questions.js';
import { standingLines, type StepStanding } from '../../../../src/cli/wizard/standing.js';
import { playbookYaml } from '../../../../src/cli/wizard/save-playbook.js';
import { parsePlaybook, stepOptions } from '../../../../src/playbook/load.js';
import { cutoverOptions } from '../../../../src/steps/cutover/options.js';
import { cleanupOptions } from '../../../../src/steps/cleanup/options.js';
import { BROAD_GPO, cutoverOptionsFromAnswers, cutoverWizardAnswers, cutoverWizardForm, PILOT_GPO } from '../../../../src/steps/cutover/wizard.js';

const PILOT = 'OU=Finance,OU=Workstations,DC=lab,DC=example,DC=test';
const WS = 'OU=Workstations,DC=lab,DC=example,DC=test';
const SRV = 'OU=Servers,DC=lab,DC=example,DC=test';

describe('the cutover in the wizard: a flat form turned into policy and waves', () => {
  it('asks OUs as checkboxes (the pilot needs one), the principal as a pick from the groups, numbers with their ranges', () => {
    const ous = [{ name: 'Workstations', value: WS }];
    const groups = [{ name: 'LAB\\LAPS Helpdesk', value: 'LAB\\LAPS Helpdesk' }];
    const qs = questionsFor(cutoverWizardAnswers, cutoverWizardForm.keys, { pilotOus: ous, broadOus: ous, principal: groups });
    const by = Object.fromEntries(qs.map((q) => [q.key, q]));
    expect(by.pilotOus).toMatchObject({ kind: 'checkbox', required: true, choices: ous });
    expect(by.broadOus).toMatchObject({ kind: 'checkbox', required: false });
    expect(by.principal).toMatchObject({ kind: 'select', choices: groups, optional: false });
    expect(by.historySize).toMatchObject({ kind: 'number', default: 12, min: 0, max: 12 });
    expect(by.soakDays).toMatchObject({ kind: 'number', default: 1 });
    expect(by.transition).toMatchObject({ kind: 'select', default: 'replace' });
    // a text with a default may be left empty (the built-in Administrator)
    expect(by.administratorAccountName).toMatchObject({ kind: 'input', optional: true, default: undefined });
  });

  it('gives the options of a pilot and a broad wave, encrypted to the chosen principal, that the step schema accepts', () => {
    const input = cutoverOptionsFromAnswers({ pilotOus: [PILOT], broadOus: [WS, SRV], principal: 'LAB\\LAPS Helpdesk', historySize: 6 });
    const o = cutoverOptions.parse(input);
    expect(o.policy.encryption).toEqual({ enabled: true, principal: 'LAB\\LAPS Helpdesk' });
    expect(o.policy.historySize).toBe(6);
    expect(o.policy.passwordAgeDays).toBe(30);
    expect(o.waves.map((w) => [w.name, w.ous, w.gpo])).toEqual([
      ['pilot', [PILOT], PILOT_GPO],
      ['broad', [WS, SRV], BROAD_GPO],
    ]);
    expect(o.waves[0]!.gates).toEqual({ minVerifiedPercent: 95, maxFailures: 0, soakDays: 1 });
    expect(o.transition).toBe('replace');
  });

  it('drops a broad OU also picked for the pilot, and leaves out an empty broad wave', () => {
    const o = cutoverOptions.parse(cutoverOptionsFromAnswers({ pilotOus: [PILOT], broadOus: [PILOT], principal: 'S-1-5-21-1-2-3-1105' }));
    expect(o.waves.map((w) => w.name)).toEqual(['pilot']);
  });

  it('side-by-side without a second account is refused by the step schema, as in a playbook', () => {
    const r = cutoverOptions.safeParse(cutoverOptionsFromAnswers({ pilotOus: [PILOT], broadOus: [], principal: 'LAB\\LAPS Helpdesk', transition: 'side-by-side' }));
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('side-by-side needs a second account');
    expect(cutoverOptions.safeParse(cutoverOptionsFromAnswers({ pilotOus: [PILOT], broadOus: [], principal: 'LAB\\LAPS Helpdesk', transition: 'side-by-side', administratorAccountName: 'lapsadmin' })).success).toBe(true);
  });

  it("the saved playbook holds the waves and policy and gives back the same options", () => {
    const options = cutoverOptions.parse(cutoverOptionsFromAnswers({ pilotOus: [PILOT], broadOus: [WS], principal: 'LAB\\LAPS Helpdesk' })) as Record<string, unknown>;
    const pb = parsePlaybook(playbookYaml({ connection: { profile: 'lab' }, steps: [{ name: 'cutover', options }] }), 'saved.yaml');
    expect(stepOptions(pb.playbook, 'cutover')).toEqual(options);
  });
});

describe('cleanup started from the wizard without the cutover in the same session', () => {
  it("saves the cutover's waves and policy as playbook keys without running the cutover again", () => {
    const cut = cutoverOptions.parse(cutoverOptionsFromAnswers({ pilotOus: [PILOT], broadOus: [WS], principal: 'LAB\\LAPS Admins' })) as Record<string, unknown>;
    const clean = cleanupOptions.parse({}) as Record<string, unknown>;
    const pb = parsePlaybook(playbookYaml({ connection: { profile: 'lab' }, steps: [{ name: 'cutover', options: cut, sectionsOnly: true }, { name: 'cleanup', options: clean }] }), 'saved.yaml');
    expect(pb.steps.map((s) => s.name)).toEqual(['cleanup']);
    expect(stepOptions(pb.playbook, 'cleanup')).toEqual(clean);
    expect(stepOptions(pb.playbook, 'cutover')).toEqual(cut);
  });
});

describe('where the migration stands: the cutover waves from its last report', () => {
  it('lists each wave with its verified count and whether its gate is met', () => {
    const st: StepStanding[] = [
      {
        step: 'cutover',
        title: 'Cutover to Windows LAPS',
        available: true,
        lastReport: {
          at: '2026-12-03T10:00:00.000Z',
          blockers: 0,
          warnings: 1,
          folder: 'x',
          headline: [
            { label: 'Wave pilot', value: '12 / 12 verified', tone: 'good' },
            { label: 'Wave broad', value: '0 / 130 verified', tone: 'warn' },
            { label: 'Wave late', value: 'not started', tone: 'neutral' },
          ],
        },
      },
    ];
    expect(standingLines(st)[0]!.split('\n')).toEqual([
      '  Cutover to Windows LAPS    last run 2026-12-03 10:00 UTC: no blockers, 1 warning(s)',
      '    Wave pilot: 12 / 12 verified, gate met',
      '    Wave broad: 0 / 130 verified, gate not met yet',
      '    Wave late: not started',
    ]);
  });
});
