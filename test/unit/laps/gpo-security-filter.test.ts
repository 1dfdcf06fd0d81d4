/**
 * GPO security filtering on a recorded descriptor: the "Windows LAPS - Broad" GPO of the
 * migration-rehearsal lab as Samba stores it (DACL only, sdFlags 4: GPMC's defaults).
 */
import { describe, expect, it } from 'vitest';
import { parseSddl, parseSecurityDescriptor, serializeSecurityDescriptor, toSddl } from '../../../src/security/index.js';
import { APPLY_GROUP_POLICY_GUID, gpoAppliesTo, securityFilterEdit } from '../../../src/laps/gpo-security-filter.js';

const DOMAIN = 'S-1-5-21-2049620573-3262611724-2666067442';
const RECORDED =
  'AQAEkAAAAAAAAAAAAAAAABQAAAAEAOwACAAAAAACJAD/AA8AAQUAAAAAAAUVAAAAXboqegyBd8Ly9eieAAIAAAACJAD/AA8AAQUAAAAAAAUVAAAAXboqegyBd8Ly9eieBwIAAAAKFAD/AA8AAQEAAAAAAAMAAAAAAAAkAP8ADwABBQAAAAAABRUAAABduip6DIF3wvL16J4AAgAAAAIUAP8ADwABAQAAAAAABRIAAAAAAhQAlAACAAEBAAAAAAAFCwAAAAUCKAAAAQAAAQAAAI/9rO2z/9ERtB0AoMlo+TkBAQAAAAAABQsAAAAAAhQAlAACAAEBAAAAAAAFCQAAAA==';
const GROUP = `${DOMAIN}-1201`;
const MEMBER = `${DOMAIN}-1300`;
const OTHER = `${DOMAIN}-1301`;
const AU = 'S-1-5-11';
/** What any domain computer's token holds besides its own SID and groups. */
const base = (...sids: string[]) => [...sids, AU, 'S-1-1-0', `${DOMAIN}-515`];

describe('securityFilterEdit', () => {
  const sd = parseSecurityDescriptor(Buffer.from(RECORDED, 'base64'));

  it('the recorded GPO applies to every computer (Authenticated Users have Read and Apply)', () => {
    expect(toSddl(sd)).toContain(`(OA;CI;CR;${APPLY_GROUP_POLICY_GUID};;AU)`);
    expect(gpoAppliesTo(sd, base(OTHER))).toBe(true);
  });

  it('takes Apply from Authenticated Users, keeps their Read, grants the group Read + Apply: only members apply', () => {
    const e = securityFilterEdit(sd, [GROUP], DOMAIN);
    expect(e.problems).toEqual([]);
    expect(e.changes).toEqual([`remove Apply Group Policy from ${AU}`, `grant ${GROUP} Read`, `grant ${GROUP} Apply Group Policy`]);
    const after = e.after!;
    const sddl = toSddl(after);
    expect(sddl).toContain('(A;CI;RPLCLORC;;;AU)');
    expect(sddl).not.toContain(`${APPLY_GROUP_POLICY_GUID};;AU`);
    expect(sddl).toContain(`(OA;CI;CR;${APPLY_GROUP_POLICY_GUID};;${GROUP})`);
    expect(gpoAppliesTo(after, base(MEMBER, GROUP))).toBe(true);
    expect(gpoAppliesTo(after, base(OTHER))).toBe(false);
    // Domain Admins keep full control of the GPO; the other ACEs are untouched and in order
    const untouched = sd.dacl!.aces.filter((a) => a.objectType !== APPLY_GROUP_POLICY_GUID);
    expect(after.dacl!.aces.filter((a) => a.sid !== GROUP)).toEqual(untouched);
  });

  it('is idempotent: a filtered descriptor (through bytes) needs no change and no duplicate ACE appears', () => {
    const once = securityFilterEdit(sd, [GROUP], DOMAIN).after!;
    const again = securityFilterEdit(parseSecurityDescriptor(serializeSecurityDescriptor(once)), [GROUP], DOMAIN);
    expect(again.after).toBeUndefined();
    expect(again.changes).toEqual([]);
  });

  it('computer-list waves: each computer gets Read + Apply', () => {
    const e = securityFilterEdit(sd, [MEMBER, OTHER], DOMAIN);
    expect(gpoAppliesTo(e.after!, base(MEMBER))).toBe(true);
    expect(gpoAppliesTo(e.after!, base(OTHER))).toBe(true);
    expect(gpoAppliesTo(e.after!, base(`${DOMAIN}-1302`))).toBe(false);
  });

  it('a wider ACE of Authenticated Users loses only its extended rights; Read stays', () => {
    const wide = parseSddl('D:(A;CI;RPWPCRLCLORC;;;AU)(A;CI;GA;;;DA)', { domainSid: DOMAIN });
    const e = securityFilterEdit(wide, [GROUP], DOMAIN);
    expect(toSddl(e.after!, { domainSid: DOMAIN })).toContain('(A;CI;RPWPLCLORC;;;AU)');
    expect(gpoAppliesTo(e.after!, base(OTHER))).toBe(false);
    expect(gpoAppliesTo(e.after!, base(GROUP))).toBe(true);
  });

  it('MS16-072: when no broad trustee can read any more, Authenticated Users get Read back', () => {
    const noRead = parseSddl(`D:(A;CI;GA;;;DA)(OA;CI;CR;${APPLY_GROUP_POLICY_GUID};;AU)`, { domainSid: DOMAIN });
    const e = securityFilterEdit(noRead, [GROUP], DOMAIN);
    expect(e.changes).toContain(`grant ${AU} Read (MS16-072: every computer must read the GPO)`);
    expect(toSddl(e.after!, { domainSid: DOMAIN })).toContain('(A;CI;RPLCLORC;;;AU)');
  });

  it('an inherited Apply for everyone cannot be filtered here: a problem, not a silent edit', () => {
    const inherited = parseSddl(`D:(OA;CIID;CR;${APPLY_GROUP_POLICY_GUID};;AU)(A;CIID;RPLCLORC;;;AU)`, { domainSid: DOMAIN });
    const e = securityFilterEdit(inherited, [GROUP], DOMAIN);
    expect(e.problems[0]).toMatch(/inherited ACE/);
  });

  it('a deny on the trustee is reported', () => {
    const denied = parseSddl(`D:(OD;;CR;${APPLY_GROUP_POLICY_GUID};;${GROUP})(A;CI;RPLCLORC;;;AU)`, { domainSid: DOMAIN });
    expect(securityFilterEdit(denied, [GROUP], DOMAIN).problems).toEqual([`${GROUP} still cannot apply the GPO (a deny ACE on it?)`]);
  });
});
