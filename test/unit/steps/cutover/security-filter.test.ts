/** The security filter as a journaled change, on the recorded descriptor of the rehearsal lab's "Windows LAPS - Broad" GPO. */
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../../../src/directory/types.js';
import { planSecurityFilter, securityFilterNotes } from '../../../../src/steps/cutover/security-filter.js';

const DOMAIN = 'S-1-5-21-2049620573-3262611724-2666067442';
const RECORDED = Buffer.from(
  'AQAEkAAAAAAAAAAAAAAAABQAAAAEAOwACAAAAAACJAD/AA8AAQUAAAAAAAUVAAAAXboqegyBd8Ly9eieAAIAAAACJAD/AA8AAQUAAAAAAAUVAAAAXboqegyBd8Ly9eieBwIAAAAKFAD/AA8AAQEAAAAAAAMAAAAAAAAkAP8ADwABBQAAAAAABRUAAABduip6DIF3wvL16J4AAgAAAAIUAP8ADwABAQAAAAAABRIAAAAAAhQAlAACAAEBAAAAAAAFCwAAAAUCKAAAAQAAAQAAAI/9rO2z/9ERtB0AoMlo+TkBAQAAAAAABQsAAAAAAhQAlAACAAEBAAAAAAAFCQAAAA==',
  'base64',
);
const GPO = { dn: 'CN={7ED703C2-5CA6-4CBA-A2FD-579D104EDFC7},CN=Policies,CN=System,DC=lab,DC=example,DC=test', name: 'Windows LAPS - Broad' };

function holding(sd: Buffer | undefined): Directory & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    async read(dn: string, attributes: string[], options: unknown) {
      asked.push({ dn, attributes, options });
      return sd ? { dn, attributes: { ntsecuritydescriptor: [sd] } } : undefined;
    },
  } as unknown as Directory & { asked: unknown[] };
}

describe('planSecurityFilter', () => {
  const group = [{ sid: `${DOMAIN}-1303`, name: 'Wave Finance' }];

  it('one replace-dacl change read and written with SD flags 4, the before-image the bytes as read', async () => {
    const dir = holding(RECORDED);
    const p = await planSecurityFilter(dir, GPO, group, DOMAIN, 'finance');
    expect(dir.asked).toEqual([{ dn: GPO.dn, attributes: ['nTSecurityDescriptor'], options: { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 4 } }]);
    expect(p.problems).toEqual([]);
    expect(p.draft).toMatchObject({ kind: 'replace-dacl', dn: GPO.dn, sdFlags: 4, irreversible: false });
    const d = p.draft as unknown as { before: Buffer; after: Buffer; reason: string };
    expect(d.before.equals(RECORDED)).toBe(true);
    expect(d.reason).toContain('remove Apply Group Policy from Authenticated Users; grant Wave Finance');
    // a rerun on the written descriptor plans nothing
    expect((await planSecurityFilter(holding(d.after), GPO, group, DOMAIN, 'finance')).draft).toBeUndefined();
  });

  it('an unreadable descriptor or a computer list too long for one ACL is a problem, not a change', async () => {
    expect((await planSecurityFilter(holding(undefined), GPO, group, DOMAIN, 'finance')).problems[0]).toMatch(/cannot be read/);
    const many = Array.from({ length: 1200 }, (_, i) => ({ sid: `${DOMAIN}-${5000 + i}`, name: `PC${i}` }));
    const p = await planSecurityFilter(holding(RECORDED), GPO, many, DOMAIN, 'list');
    expect(p.draft).toBeUndefined();
    expect(p.problems[0]).toMatch(/over the 64 KB an ACL can hold \(1200 trustees\)/);
  });

  it('the plan text says how and gives the Set-GPPermission equivalent', () => {
    const notes = securityFilterNotes("Bob's GPO", group, 'group', ['remove Apply Group Policy from Authenticated Users']);
    expect(notes).toContain("  Set-GPPermission -Name 'Bob''s GPO' -TargetName 'Authenticated Users' -TargetType Group -PermissionLevel GpoRead -Replace");
    expect(notes).toContain("  Set-GPPermission -Name 'Bob''s GPO' -TargetName 'Wave Finance' -TargetType Group -PermissionLevel GpoApply");
    const computers = securityFilterNotes('G', Array.from({ length: 7 }, (_, i) => ({ name: `PC${i}` })), 'computers', []);
    expect(computers.filter((l) => l.includes('-TargetType Computer'))).toHaveLength(5);
    expect(computers.at(-1)).toBe('  (and 2 more computer(s))');
  });
});
