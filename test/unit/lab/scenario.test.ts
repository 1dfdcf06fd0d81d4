import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { listScenarios, loadScenario, parseScenario } from '../../../src/lab/scenario-load.js';
import { expandComputers, ouDn, seededRandom } from '../../../src/lab/scenario-build.js';
import { scenarioPolicyEntries } from '../../../src/lab/gpo-folder.js';
import { decodeGpoLapsPolicy } from '../../../src/laps/laps-policy.js';
import { deviceRow, deviceView, inSubtree, type DeviceState } from '../../../src/lab/device-state.js';
import { somChain } from '../../../src/lab/simulate-world.js';
import { generateLapsPassword } from '../../../src/laps/generate-password.js';

function problems(text: string): string[] {
  try {
    parseScenario(text, 's.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message.split('\n').slice(1);
  }
  throw new Error('no error');
}

describe('scenario files', () => {
  it('ships legacy-estate, migration-rehearsal and large, all valid', () => {
    const names = listScenarios().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['legacy-estate', 'migration-rehearsal', 'large']));
    const mr = loadScenario('migration-rehearsal');
    expect(mr.builtin).toBeUndefined();
    if (!mr.builtin) {
      expect(mr.scenario.functionalLevel).toBe('2016');
      expect(mr.scenario.windowsLapsSchema).toBe(false);
    }
    expect(loadScenario(undefined).builtin).toBe('legacy-estate');
  });

  it('reports every problem with file:line:col and the key path', () => {
    const lines = problems('name: Bad\ndescription: x\nfunctionalLevel: "2012"\ncomputers:\n  - { name: A, ou: X }\ngpos:\n  - name: G\n    links: [{ ou: Missing }]\n    extra: 1\n');
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^s\.yaml:1:\d+: name: /),
      expect.stringMatching(/^s\.yaml:3:\d+: functionalLevel: /),
      expect.stringMatching(/^s\.yaml:9:5: gpos\[0\]\.extra: unknown key/),
    ]));
  });

  it('checks cross-references (OUs, principals) after the shape', () => {
    const lines = problems('name: ok\ndescription: x\ngroups:\n  - { name: G, ou: People, members: [nobody] }\ncomputers:\n  - { name: A, ou: X }\ndelegations:\n  - { ou: Y, legacyRead: [ghost] }\n');
    expect(lines.join('\n')).toMatch(/s\.yaml:4:\d+: groups\[0\]\.members\[0\]: no user or group "nobody"/);
    expect(lines.join('\n')).toMatch(/computers\[0\]: give a build/);
    expect(lines.join('\n')).toMatch(/delegations\[0\]\.ou: no OU "Y"/);
    expect(lines.join('\n')).toMatch(/delegations\[0\]\.legacyRead\[0\]: no user or group "ghost"/);
  });

  it('malformed YAML and unknown scenarios are InputErrors', () => {
    expect(() => parseScenario('name: [unclosed', 's.yaml')).toThrow(/s\.yaml:1:/);
    expect(() => loadScenario('no-such-scenario')).toThrow(InputError);
  });
});

describe('scenario expansion', () => {
  it('is deterministic for a seed: names, cycled builds and the CSE ratio', () => {
    const list = [{ name: 'WS', ou: 'A', count: 20, build: [22631, 14393], cse: 0.5, legacy: 'rotating' as const, disabled: false }];
    const a = expandComputers(list, 0, seededRandom(3));
    const b = expandComputers(list, 0, seededRandom(3));
    expect(a).toEqual(b);
    expect(a.map((c) => c.name).slice(0, 2)).toEqual(['WS01', 'WS02']);
    expect(a.map((c) => c.build).slice(0, 3)).toEqual([22631, 14393, 22631]);
    const installed = a.filter((c) => c.cseInstalled).length;
    expect(installed).toBeGreaterThan(3);
    expect(installed).toBeLessThan(17);
    expect(expandComputers([{ ...list[0]!, count: '$computers' }], 1500, seededRandom(1))).toHaveLength(1500);
  });

  it('OU paths become DNs', () => {
    expect(ouDn('Workstations/Pilot', 'DC=x')).toBe('OU=Pilot,OU=Workstations,DC=x');
    expect(ouDn('', 'DC=x')).toBe('DC=x');
  });

  it("GPO settings round-trip through Registry.pol entries and the policy decoder", () => {
    const entries = scenarioPolicyEntries({ name: 'G', links: [], computerSettingsDisabled: false, windowsLaps: { backupDirectory: 2, encryption: true, encryptionPrincipal: 'LAB\\LAPS Admins', historySize: 12 }, legacy: { enabled: true, passwordComplexity: 3, passwordLength: 16, passwordAgeDays: 7 } });
    const p = decodeGpoLapsPolicy(entries);
    expect(p.windows).toMatchObject({ backupDirectory: 'ad', encryptionEnabled: true, encryptionPrincipal: 'LAB\\LAPS Admins', historySize: 12 });
    expect(p.legacy).toMatchObject({ enabled: true, passwordComplexity: 3, passwordLength: 16, passwordAgeDays: 7 });
  });
});

describe('devices', () => {
  const d: DeviceState = { name: 'WS01', dn: 'CN=WS01,OU=A,DC=x', build: 22631, os: 'Windows 11', dc: false, cseInstalled: true, mode: 'legacy-cse', account: 'Administrator', localPassword: 'secret-pw', passwordUpdatedAt: null, events: [{ id: 10033, time: 't', message: 'm' }], bind: { kind: 'computer', upn: 'WS01$@x', password: 'machine-pw' }, lastWindowsPolicy: null };

  it('the view shows the local password (null when unmanaged), never the account password; rows show none', () => {
    expect(deviceView(d).password).toBe('secret-pw');
    expect(JSON.stringify(deviceView(d))).not.toContain('machine-pw');
    expect(deviceView({ ...d, mode: 'unmanaged' }).password).toBeNull();
    const row = JSON.stringify(deviceRow(d));
    expect(row).not.toContain('secret-pw');
    expect(row).not.toContain('machine-pw');
    expect(deviceRow(d).lastEvent?.id).toBe(10033);
  });

  it('subtree test and the containers that carry links', () => {
    expect(inSubtree('CN=WS01,OU=A, DC=x', 'ou=a,dc=x')).toBe(true);
    expect(inSubtree('CN=WS01,OU=AB,DC=x', 'OU=B,DC=x')).toBe(false);
    const soms = new Map([['dc=x', { dn: 'DC=x', links: [], blocksInheritance: false }], ['ou=a,dc=x', { dn: 'OU=A,DC=x', links: [], blocksInheritance: false }]]);
    expect(somChain({ soms, baseDn: 'DC=x' }, 'CN=WS01,OU=A,DC=x').map((s) => s.dn)).toEqual(['DC=x', 'OU=A,DC=x']);
    expect(somChain({ soms, baseDn: 'DC=x' }, 'CN=WS02,CN=Computers,DC=x').map((s) => s.dn)).toEqual(['DC=x']);
  });

  it('generated passwords honour length and complexity', () => {
    for (const [len, cx] of [[8, 1], [14, 2], [20, 3], [64, 4], [14, 6]] as const) {
      const p = generateLapsPassword(len, cx);
      expect(p).toHaveLength(len);
      expect(/[A-Z]/.test(p)).toBe(true);
      expect(/[a-z]/.test(p)).toBe(cx >= 2);
      expect(/[0-9]/.test(p)).toBe(cx >= 3);
      expect(/[^A-Za-z0-9]/.test(p)).toBe(cx >= 4);
    }
  });
});
