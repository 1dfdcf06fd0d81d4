import { describe, expect, it } from 'vitest';
import {
  AceFlag,
  inheritedDacl,
  inheritFromParent,
  parseSddl,
  parseSecurityDescriptor,
  SdControl,
  toSddl,
  type Ace,
  type SecurityDescriptor,
} from '../../../src/security/index.js';
import { bytesOf, loadCorpus, sdOf } from './corpus.js';

const COMPUTER = 'bf967a86-0de6-11d0-a285-00aa003049e2';
const OU = 'bf967aa5-0de6-11d0-a285-00aa003049e2';

function parentDn(dn: string): string {
  return dn.slice(dn.indexOf(',') + 1);
}

function sddlOfAces(aces: Ace[], domainSid: string): string {
  return toSddl({ revision: 1, sbz1: 0, control: SdControl.SELF_RELATIVE | SdControl.DACL_PRESENT, sacl: null, dacl: { revision: 4, aces } }, { domainSid });
}

describe('inheritance, differential against what Samba stored on every recorded child', () => {
  const corpus = loadCorpus();
  const byDn = new Map(corpus.objects.map((o) => [o.dn.toLowerCase(), o]));
  const sdById = new Map(corpus.descriptors.map((d) => [d.id, d]));
  const pairs: Array<{ dn: string; child: SecurityDescriptor; parent: SecurityDescriptor; classGuid: string }> = [];
  for (const o of corpus.objects) {
    const p = byDn.get(parentDn(o.dn).toLowerCase());
    // naming-context heads (configuration, schema) do not inherit from the DN above them
    if (!p || !o.classGuid || o.dn === corpus.configDn || o.dn === corpus.schemaDn) continue;
    pairs.push({
      dn: o.dn,
      child: parseSecurityDescriptor(bytesOf(sdById.get(o.sd)!)),
      parent: parseSecurityDescriptor(bytesOf(sdById.get(p.sd)!)),
      classGuid: o.classGuid,
    });
  }

  it('covers a useful part of the corpus', () => {
    expect(pairs.length).toBeGreaterThan(150);
    expect(pairs.filter((p) => p.dn.includes('OU=Estate')).length).toBeGreaterThan(30);
  });

  it('computes exactly the inherited DACL and SACL ACEs Samba stored (in order)', () => {
    let compared = 0;
    for (const { dn, child, parent, classGuid } of pairs) {
      const opts = { classGuids: [classGuid], owner: child.owner!, group: child.group! };
      const storedD = (child.dacl?.aces ?? []).filter((a) => a.flags & AceFlag.INHERITED);
      const storedS = (child.sacl?.aces ?? []).filter((a) => a.flags & AceFlag.INHERITED);
      const wantD = child.control & SdControl.DACL_PROTECTED ? [] : inheritFromParent(parent.dacl, opts);
      const wantS = child.control & SdControl.SACL_PROTECTED ? [] : inheritFromParent(parent.sacl, opts);
      expect(sddlOfAces(wantD, corpus.domainSid), `DACL of ${dn}`).toBe(sddlOfAces(storedD, corpus.domainSid));
      expect(wantD, dn).toEqual(storedD);
      expect(sddlOfAces(wantS, corpus.domainSid), `SACL of ${dn}`).toBe(sddlOfAces(storedS, corpus.domainSid));
      compared++;
    }
    expect(compared).toBe(pairs.length);
  });
});

describe('inheritance rules on recorded delegations', () => {
  const corpus = loadCorpus();
  const estate = parseSecurityDescriptor(sdOf('OU=Estate'));
  it('an OA;CIIO delegation scoped to computers becomes effective on computers, stays inherit-only elsewhere', () => {
    const readers = estate.dacl!.aces.find((a) => a.mask === 0x110 && a.inheritedObjectType === COMPUTER)!;
    expect(readers).toBeDefined();
    const onComputer = inheritFromParent(estate.dacl, { classGuids: [COMPUTER] }).find((a) => a.sid === readers.sid && a.mask === 0x110)!;
    expect(onComputer.flags).toBe(AceFlag.CONTAINER_INHERIT | AceFlag.INHERITED);
    const onOu = inheritFromParent(estate.dacl, { classGuids: [OU] }).find((a) => a.sid === readers.sid && a.mask === 0x110)!;
    expect(onOu.flags).toBe(AceFlag.CONTAINER_INHERIT | AceFlag.INHERIT_ONLY | AceFlag.INHERITED);
  });
  it('a protected OU inherits nothing: its computers see only its own delegation', () => {
    const prot = parseSecurityDescriptor(sdOf('OU=Protected,OU=Estate'));
    expect(prot.control & SdControl.DACL_PROTECTED).toBeTruthy();
    const chain = [
      { sd: parseSecurityDescriptor(sdOf(corpus.domainDn)) },
      { sd: estate, classGuids: [OU] },
      { sd: prot, classGuids: [OU] },
    ];
    const got = inheritedDacl(chain, { classGuids: [COMPUTER] });
    const readersSid = estate.dacl!.aces.find((a) => a.mask === 0x110 && a.inheritedObjectType === COMPUTER)!.sid;
    expect(got.some((a) => a.sid === readersSid)).toBe(false);
    expect(got.filter((a) => !(a.flags & AceFlag.INHERIT_ONLY)).length).toBe(1);
  });
  it('NO_PROPAGATE applies to direct children only; OBJECT_INHERIT alone stays inherit-only on containers', () => {
    const np = parseSecurityDescriptor(sdOf('OU=NoPropagate,OU=Estate'));
    const child = inheritFromParent(np.dacl, { classGuids: [OU] });
    const grandchild = inheritFromParent({ revision: 4, aces: child }, { classGuids: [COMPUTER] });
    const npAce = np.dacl!.aces.find((a) => a.flags === (AceFlag.CONTAINER_INHERIT | AceFlag.NO_PROPAGATE_INHERIT))!;
    expect(child.filter((a) => a.sid === npAce.sid).map((a) => a.flags)).toEqual([AceFlag.INHERITED]);
    expect(grandchild.some((a) => a.sid === npAce.sid)).toBe(false);
    const oiAce = np.dacl!.aces.find((a) => a.flags === AceFlag.OBJECT_INHERIT)!;
    expect(child.find((a) => a.sid === oiAce.sid)!.flags).toBe(AceFlag.OBJECT_INHERIT | AceFlag.INHERIT_ONLY | AceFlag.INHERITED);
  });
  it('recomputes a changed chain: an ACE added at the top reaches computers two OUs down', () => {
    const root = parseSddl('O:BAG:BAD:(A;;RPWP;;;BA)(OA;CIIO;RPCR;11111111-2222-3333-4444-555555555555;' + COMPUTER + ';S-1-5-21-1-2-3-1200)');
    const mid = parseSddl('D:AI(A;;RP;;;AU)');
    const low = parseSddl('D:AI(OD;CI;RP;11111111-2222-3333-4444-555555555555;;S-1-5-21-1-2-3-1200)');
    const got = inheritedDacl([{ sd: root }, { sd: mid, classGuids: [OU] }, { sd: low, classGuids: [OU] }], { classGuids: [COMPUTER] });
    expect(toSddl({ ...low, dacl: { revision: 4, aces: got } })).toBe(
      'D:AI(OD;CIID;RP;11111111-2222-3333-4444-555555555555;;S-1-5-21-1-2-3-1200)(OA;CIID;RPCR;11111111-2222-3333-4444-555555555555;' + COMPUTER + ';S-1-5-21-1-2-3-1200)',
    );
  });
  it('expands CREATOR OWNER and generic rights into an effective copy plus an inherit-only original', () => {
    const parent = parseSddl('D:(A;CI;GA;;;CO)(OA;CI;GR;;' + COMPUTER + ';S-1-5-21-1-2-3-1300)');
    const got = inheritFromParent(parent.dacl, { classGuids: [COMPUTER], owner: 'S-1-5-21-1-2-3-1400' });
    expect(toSddl({ ...parent, dacl: { revision: 4, aces: got } })).toBe(
      'D:(A;ID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;S-1-5-21-1-2-3-1400)(A;CIIOID;GA;;;CO)(A;ID;RPLCLORC;;;S-1-5-21-1-2-3-1300)(OA;CIIOID;GR;;' + COMPUTER + ';S-1-5-21-1-2-3-1300)',
    );
  });
});
