import { describe, expect, it } from 'vitest';
import { parseGpLink, type ScopeOfManagement } from '../../../../src/laps/gpo-links.js';
import { LEGACY_POLICY_KEY, WINDOWS_LAPS_GPO_KEY } from '../../../../src/laps/laps-policy.js';
import { dwordEntry, parseRegistryPol, stringEntry, writeRegistryPol, type PolicyEntry } from '../../../../src/laps/registry-pol.js';
import { policyFacts, type LapsGpo } from '../../../../src/steps/emulation/policy.js';

const G = (n: number) => `{00000000-0000-0000-0000-${String(n).padStart(12, '0')}}`;
const link = (n: number, opt = 0) => `[LDAP://cn=${G(n)},cn=policies,cn=system,DC=x;${opt}]`;
const chain = (domain: string, ou: string): ScopeOfManagement[] => [
  { dn: 'DC=x', links: parseGpLink(domain), blocksInheritance: false },
  { dn: 'OU=A,DC=x', links: parseGpLink(ou), blocksInheritance: false },
];
const gpo = (n: number, entries: PolicyEntry[] | undefined, over: Partial<LapsGpo> = {}): [string, LapsGpo] => [
  G(n),
  { guid: G(n), name: `GPO ${n}`, kinds: ['admin-templates'], computerSettingsDisabled: false, file: entries ? 'read' : 'no-sysvol', ...(entries ? { entries } : {}), ...over },
];
const legacy = [dwordEntry(LEGACY_POLICY_KEY, 'AdmPwdEnabled', 1), dwordEntry(LEGACY_POLICY_KEY, 'PasswordAgeDays', 14)];

describe('emulation policy facts', () => {
  it('a legacy GPO with AdmPwdEnabled=1 and no Windows LAPS GPO', () => {
    const p = policyFacts(chain('', link(1)), new Map([gpo(1, legacy, { kinds: ['legacy-laps'] })]));
    expect(p).toMatchObject({ legacyEnabled: 'yes', windowsPolicy: 'no', windowsDisabled: false, legacyCseListed: true, gpos: ['GPO 1'], unknown: [] });
    expect(p.legacy?.passwordAgeDays).toBe(14);
  });

  it('AdmPwdEnabled=0 set later (closer to the computer) wins', () => {
    const p = policyFacts(chain(link(1), link(2)), new Map([gpo(1, legacy), gpo(2, [dwordEntry(LEGACY_POLICY_KEY, 'AdmPwdEnabled', 0)])]));
    expect(p.legacyEnabled).toBe('no');
  });

  it('a Windows LAPS GPO value reaches it; BackupDirectory=0 pins it off', () => {
    const win = policyFacts(chain(link(1), link(2)), new Map([gpo(1, legacy), gpo(2, [dwordEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2)])]));
    expect(win).toMatchObject({ legacyEnabled: 'yes', windowsPolicy: 'yes', windowsDisabled: false });
    const pin = policyFacts(chain(link(1), link(2)), new Map([gpo(1, legacy), gpo(2, [dwordEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 0)])]));
    expect(pin).toMatchObject({ windowsPolicy: 'no', windowsDisabled: true });
  });

  it('**del. and **delvals. remove what an earlier GPO set', () => {
    const del = policyFacts(chain(link(1), link(2)), new Map([gpo(1, legacy), gpo(2, [stringEntry(LEGACY_POLICY_KEY, '**delvals.', ' ')])]));
    expect(del.legacyEnabled).toBe('no');
    // round trip through the file format on the way
    const bytes = writeRegistryPol([dwordEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2), stringEntry(WINDOWS_LAPS_GPO_KEY, '**del.BackupDirectory', ' ')]);
    const p = policyFacts(chain('', link(1)), new Map([gpo(1, parseRegistryPol(bytes))]));
    expect(p.windowsPolicy).toBe('no');
  });

  it('a disabled link, an unlinked GPO and disabled computer settings contribute nothing', () => {
    expect(policyFacts(chain(link(1, 1), ''), new Map([gpo(1, legacy)])).legacyEnabled).toBe('no');
    expect(policyFacts(chain('', ''), new Map([gpo(1, legacy)])).legacyEnabled).toBe('no');
    expect(policyFacts(chain('', link(1)), new Map([gpo(1, legacy, { computerSettingsDisabled: true })])).legacyEnabled).toBe('no');
  });

  it('an unread GPO (no --sysvol, missing or malformed) makes both answers unknown and says why', () => {
    const p = policyFacts(chain(link(1), link(2)), new Map([gpo(1, legacy), gpo(2, undefined, { kinds: ['legacy-laps'] })]));
    expect(p).toMatchObject({ legacyEnabled: 'unknown', windowsPolicy: 'unknown', legacyCseListed: true });
    expect(p.unknown).toEqual(['GPO 2: settings unknown without --sysvol']);
    const bad = policyFacts(chain('', link(1)), new Map([gpo(1, undefined, { file: 'malformed', error: 'Registry.pol: bad signature at byte 0' })]));
    expect(bad.unknown[0]).toContain('at byte 0');
    // a GPO that carries no LAPS extension and no values is not a source of doubt
    const other = policyFacts(chain(link(1), link(2)), new Map([gpo(1, legacy), gpo(2, undefined, { kinds: ['none'] })]));
    expect(other.legacyEnabled).toBe('yes');
  });
});

describe('emulation policy facts on damaged Registry.pol files (fuzz)', () => {
  it('a mutated file is either read or refused with a typed error naming the byte offset; policyFacts never throws', () => {
    const good = writeRegistryPol([...legacy, dwordEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2), stringEntry(WINDOWS_LAPS_GPO_KEY, 'ADPasswordEncryptionPrincipal', 'X\\LAPS Admins')]);
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(good);
      const edits = 1 + rnd(4);
      for (let k = 0; k < edits; k++) b[rnd(b.length)] = rnd(256);
      const cut = rnd(5) === 0 ? b.subarray(0, rnd(b.length)) : b;
      let entries: PolicyEntry[] | undefined;
      try {
        entries = parseRegistryPol(cut);
      } catch (e) {
        refused++;
        expect((e as Error).name).toBe('RegistryPolError');
        expect((e as Error).message).toMatch(/at byte \d+/);
      }
      const facts = policyFacts(chain('', link(1)), new Map([gpo(1, entries, entries ? {} : { file: 'malformed', error: 'x' })]));
      expect(['yes', 'no', 'unknown']).toContain(facts.legacyEnabled);
      expect(['yes', 'no', 'unknown']).toContain(facts.windowsPolicy);
    }
    expect(refused).toBeGreaterThan(100);
  });
});
