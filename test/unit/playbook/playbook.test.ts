import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/errors.js';
import { YamlInputError } from '../../../src/config/yaml-input.js';
import { loadPlaybook, parsePlaybook, stepOptions } from '../../../src/playbook/load.js';
import { DEFAULT_PARALLEL } from '../../../src/steps/inventory/defaults.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'playbooks');
const EXAMPLES = ['readiness.yaml', 'pilot-then-broad.yaml', 'immediate.yaml', 'side-by-side.yaml'];

function refused(text: string): YamlInputError {
  try {
    parsePlaybook(text, 'bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(YamlInputError);
    expect((e as YamlInputError).exitCode).toBe(ExitCode.USAGE);
    return e as YamlInputError;
  }
  throw new Error('the playbook was accepted');
}

const problems = (e: YamlInputError) => e.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);

describe('shipped playbooks', () => {
  it.each(EXAMPLES)('%s validates, points editors at the JSON Schema and hard-codes no SYSVOL path', (name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./laps-migrate.schema.json');
    const pb = loadPlaybook(join(dir, name));
    expect(pb.playbook.connection?.sysvol).toBeUndefined();
    expect(text).not.toMatch(/^\s*sysvol\s*:/m);
    for (const s of pb.steps) expect(() => stepOptions(pb.playbook, s.name)).not.toThrow();
  });

  it('readiness runs the first three steps with their defaults filled', () => {
    const pb = loadPlaybook(join(dir, 'readiness.yaml'));
    expect(pb.steps.map((s) => s.name)).toEqual(['inventory', 'schema', 'permissions']);
    expect(stepOptions(pb.playbook, 'inventory')).toEqual({ staleDays: 90, graceDays: 7, presence: true, parallel: DEFAULT_PARALLEL });
  });

  it('pilot-then-broad gives the cutover the top-level policy and waves', () => {
    const pb = loadPlaybook(join(dir, 'pilot-then-broad.yaml'));
    const o = stepOptions(pb.playbook, 'cutover') as { policy: { historySize: number; encryption: { principal: string } }; waves: Array<{ name: string; gates: unknown }>; transition: string };
    expect(o.policy.historySize).toBe(12);
    expect(o.policy.encryption.principal).toBe('LAB\\LAPS Helpdesk');
    expect(o.waves.map((w) => w.name)).toEqual(['pilot', 'broad']);
    expect(o.waves[1]!.gates).toEqual({ minVerifiedPercent: 100, maxFailures: 0, soakDays: 0 });
    expect(o.transition).toBe('replace');
  });
});

describe('malformed playbooks: every problem at file:line:col with its key path, exit 2', () => {
  it('bad YAML', () => {
    const e = refused('version: 1\nsteps: [inventory\n');
    expect(e.message).toMatch(/^(\d+ problems in bad\.yaml:\n)?bad\.yaml:\d+:\d+: /);
  });

  it('an unknown key at its own line, nested or top-level', () => {
    const e = refused('version: 1\nsteps: [inventory]\ninventory:\n  staleDays: 90\n  stale: 3\nwavez: []\n');
    expect(problems(e)).toEqual(['5:3 inventory.stale: unknown key', '6:1 wavez: unknown key']);
    expect(e.message).toBe('2 problems in bad.yaml:\nbad.yaml:5:3: inventory.stale: unknown key\nbad.yaml:6:1: wavez: unknown key');
  });

  it('out-of-range values, all listed', () => {
    const e = refused(
      [
        'version: 1',
        'steps: [cutover]',
        'policy:',
        '  passwordAgeDays: 400',
        '  passwordComplexity: 0',
        'waves:',
        '  - name: a',
        '    ous: [OU=A]',
        '    gpo: G',
        '  - name: b',
        '    ous: [OU=B]',
        '    gpo: G2',
        '    gates: { minVerifiedPercent: 120 }',
        '',
      ].join('\n'),
    );
    expect(problems(e)).toEqual(['4:3 policy.passwordAgeDays: must be 1-365', '5:3 policy.passwordComplexity: must be 1-8', '13:14 waves[1].gates.minVerifiedPercent: must be 0-100']);
  });

  it('a duplicate wave name and the same OU in two waves, at the key that breaks the rule', () => {
    const e = refused(['version: 1', 'steps: [cutover]', 'waves:', '  - name: pilot', '    ous: [OU=Pilot]', '    gpo: G1', '  - name: pilot', '    ous: [OU=Other, ou=pilot]', '    gpo: G2', ''].join('\n'));
    expect(problems(e)).toEqual(['7:5 waves[1].name: duplicate wave name (waves[0] is also "pilot")', expect.stringMatching(/^8:21 waves\[1\]\.ous\[1\]: ou=pilot is already in wave "pilot"/)]);
  });

  it('history without encryption, at the history key, with the other errors', () => {
    const e = refused('version: 1\nsteps: [inventory]\ninventory: { staleDays: -1 }\npolicy:\n  encryption: { enabled: false }\n  historySize: 4\n');
    expect(problems(e)).toEqual(['3:14 inventory.staleDays: must be 0-3650', '6:3 policy.historySize: needs encryption in AD (encryption.enabled is false); set it to 0']);
  });

  it('a password in the connection says why it is refused', () => {
    const e = refused('version: 1\nconnection:\n  server: ldaps://dc.example.com\n  password: hunter2\nsteps: [inventory]\n');
    expect(problems(e)).toEqual(['4:3 connection.password: a playbook never holds a password: use passwordFile (a 0600 file), LAPS_MIGRATE_PASSWORD or the prompt']);
    expect(e.message).not.toContain('hunter2');
  });

  it('steps: unknown, repeated, out of order; cutover without waves; side-by-side without a second account', () => {
    const e = refused('version: 1\nsteps: [schema, inventory, schema, deploy, cutover]\ncutover: { transition: side-by-side }\n');
    expect(problems(e)).toEqual([
      '2:17 steps[1]: inventory must come before schema: steps run in migration order (inventory, schema, permissions, emulation, cutover, cleanup)',
      '2:28 steps[2]: schema is listed twice',
      '2:36 steps[3]: must be one of: inventory, schema, permissions, emulation, cutover, cleanup',
      '2:44 steps[4]: cutover needs at least one wave (the top-level waves key)',
      '3:12 cutover.transition: side-by-side needs a second account: name it here (the legacy policy keeps managing its own)',
    ]);
  });

  it('a missing version and steps', () => {
    expect(problems(refused('inventory: {}\n'))).toEqual(['1:1 version: is required (1)', '1:1 steps: is required (a list)']);
  });
});
