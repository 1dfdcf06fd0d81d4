/**
 * GPT.INI versions, gPLink edits and gPCMachineExtensionNames merges: each edit changes only
 * what it must, and leaves the rest of the text exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import { bumpMachineVersion, machineVersion, newGptIni, parseGptIni, setGptIniVersion, userVersion } from '../../../src/laps/gpt-ini.js';
import { editGpLink, linkOrder, linkSegments } from '../../../src/laps/gplink-edit.js';
import { addExtensionPair, removeExtensionPair, REGISTRY_TOOL } from '../../../src/laps/gpo-extensions.js';
import { ADMIN_TEMPLATES_CSE, LEGACY_LAPS_CSE } from '../../../src/laps/gpo-links.js';
import { InputError } from '../../../src/errors.js';

describe('GPT.INI', () => {
  it('reads Version and displayName; changing Version leaves every other byte', () => {
    const ini = Buffer.from('[General]\r\ndisplayName=Caf\xe9 LAPS\r\nVersion=65539\r\n[Extra]\r\nVersion=9\r\n', 'latin1');
    expect(parseGptIni(ini)).toEqual({ version: 65539, displayName: 'Caf\xe9 LAPS' });
    const out = setGptIniVersion(ini, 65540);
    expect(out.toString('latin1')).toBe('[General]\r\ndisplayName=Caf\xe9 LAPS\r\nVersion=65540\r\n[Extra]\r\nVersion=9\r\n');
    expect(setGptIniVersion(out, 65539).equals(ini)).toBe(true);
  });

  it('keeps LF line endings and spacing; adds Version when missing', () => {
    expect(setGptIniVersion(Buffer.from('[general]\nVersion = 3\n'), 4).toString()).toBe('[general]\nVersion = 4\n');
    expect(setGptIniVersion(Buffer.from('[General]\r\ndisplayName=X\r\n'), 2).toString()).toBe('[General]\r\nVersion=2\r\ndisplayName=X\r\n');
    expect(setGptIniVersion(Buffer.from(''), 1).toString()).toBe('[General]\r\nVersion=1\r\n');
    expect(newGptIni(65537, 'N').toString()).toBe('[General]\r\nVersion=65537\r\ndisplayName=N\r\n');
  });

  it('a malformed Version is an InputError naming the line', () => {
    expect(() => parseGptIni(Buffer.from('[General]\r\nVersion=12x\r\n'), 'GPT.INI')).toThrow(/GPT.INI line 2: Version must be an integer/);
    expect(() => parseGptIni(Buffer.from('[General]\r\nVersion=99999999999\r\n'))).toThrow(InputError);
  });

  it('machine half is the low 16 bits; a machine edit bumps only it', () => {
    expect(machineVersion(0x0003_0007)).toBe(7);
    expect(userVersion(0x0003_0007)).toBe(3);
    expect(bumpMachineVersion(0x0003_0007)).toBe(0x0003_0008);
    expect(bumpMachineVersion(0)).toBe(1);
    expect(bumpMachineVersion(0x0002_ffff)).toBe(0x0002_0001);
    expect(bumpMachineVersion(0xffff_fffe)).toBe(0xffff_ffff);
  });
});

const A = 'cn={AAAAAAAA-0000-0000-0000-000000000001},cn=policies,cn=system,DC=lab,DC=test';
const B = 'CN={BBBBBBBB-0000-0000-0000-000000000002},CN=Policies,CN=System,DC=lab,DC=test';
const NEW = 'CN={CCCCCCCC-0000-0000-0000-000000000003},CN=Policies,CN=System,DC=lab,DC=test';

describe('gPLink edits', () => {
  const value = `[LDAP://${A};0][LDAP://${B};2]`;

  it('links a new GPO last in link order (first in the string), others untouched', () => {
    const out = editGpLink(value, NEW, { action: 'link' })!;
    expect(out).toBe(`[LDAP://${NEW};0]${value}`);
    expect(linkOrder(out, '{CCCCCCCC-0000-0000-0000-000000000003}')).toBe(3);
    expect(linkOrder(out, '{BBBBBBBB-0000-0000-0000-000000000002}')).toBe(1);
    expect(editGpLink(undefined, NEW, { action: 'link', enforced: true, enabled: false })).toBe(`[LDAP://${NEW};3]`);
  });

  it('linking an already linked GPO changes only the named flags; same string when nothing changes', () => {
    expect(editGpLink(value, B, { action: 'link' })).toBe(value);
    expect(editGpLink(value, B, { action: 'link', enforced: false })).toBe(`[LDAP://${A};0][LDAP://${B};0]`);
  });

  it('enable / disable / enforce / unenforce keep the other links and the order', () => {
    expect(editGpLink(value, A.toUpperCase(), { action: 'disable' })).toBe(`[LDAP://${A};1][LDAP://${B};2]`);
    expect(editGpLink(value, B, { action: 'disable' })).toBe(`[LDAP://${A};0][LDAP://${B};3]`);
    expect(editGpLink(`[LDAP://${A};1]`, A, { action: 'enable' })).toBe(`[LDAP://${A};0]`);
    expect(editGpLink(value, A, { action: 'enforce' })).toBe(`[LDAP://${A};2][LDAP://${B};2]`);
    expect(editGpLink(value, B, { action: 'unenforce' })).toBe(`[LDAP://${A};0][LDAP://${B};0]`);
    expect(editGpLink(value, A, { action: 'enforce' })!.length).toBe(value.length);
    expect(() => editGpLink(value, NEW, { action: 'enforce' })).toThrow(/not linked here/);
  });

  it('unlink removes exactly that link; the last one removes the attribute', () => {
    expect(editGpLink(value, A, { action: 'unlink' })).toBe(`[LDAP://${B};2]`);
    expect(editGpLink(value, NEW, { action: 'unlink' })).toBe(value);
    expect(editGpLink(`[LDAP://${B};2]`, B, { action: 'unlink' })).toBeUndefined();
    expect(editGpLink(` [LDAP://${B};2]`, B, { action: 'unlink' })).toBeUndefined();
  });

  it('a DN without a {GUID} is refused', () => {
    expect(() => editGpLink(value, 'CN=x,DC=lab', { action: 'link' })).toThrow(InputError);
    expect(linkSegments(value).map((s) => s.options)).toEqual([0, 2]);
  });
});

describe('gPCMachineExtensionNames', () => {
  const admin = { cse: ADMIN_TEMPLATES_CSE, tool: REGISTRY_TOOL };
  const legacy = { cse: LEGACY_LAPS_CSE, tool: REGISTRY_TOOL };
  const SECURITY = '[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]';

  it('adds a pair sorted by CSE as GPMC writes it', () => {
    expect(addExtensionPair(undefined, admin)).toBe(`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}]`);
    expect(addExtensionPair(SECURITY, admin)).toBe(`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}]${SECURITY}`);
    expect(addExtensionPair(`[${LEGACY_LAPS_CSE}${REGISTRY_TOOL}]`, admin)).toBe(`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}][${LEGACY_LAPS_CSE}${REGISTRY_TOOL}]`);
    // a second tool joins the CSE's group, tools sorted
    expect(addExtensionPair(`[${ADMIN_TEMPLATES_CSE}{FFFFFFFF-0000-0000-0000-000000000000}]`, admin)).toBe(`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}{FFFFFFFF-0000-0000-0000-000000000000}]`);
  });

  it('a value that already lists the pair comes back unchanged, even in lower case', () => {
    const lower = `[${ADMIN_TEMPLATES_CSE.toLowerCase()}${REGISTRY_TOOL.toLowerCase()}]`;
    expect(addExtensionPair(lower, admin)).toBe(lower);
  });

  it('removes a pair; nothing left is undefined', () => {
    const both = `[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}][${LEGACY_LAPS_CSE}${REGISTRY_TOOL}]`;
    expect(removeExtensionPair(both, legacy)).toBe(`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}]`);
    expect(removeExtensionPair(`[${LEGACY_LAPS_CSE}${REGISTRY_TOOL}]`, legacy)).toBeUndefined();
    expect(removeExtensionPair(SECURITY, legacy)).toBe(SECURITY);
  });
});
