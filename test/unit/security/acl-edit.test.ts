import { describe, expect, it } from 'vitest';
import {
  addAce,
  AceFlag,
  AceType,
  canonicalRank,
  Guids,
  isCanonical,
  mergeAce,
  parseSddl,
  parseSddlAce,
  parseSecurityDescriptor,
  removeAce,
  serializeSecurityDescriptor,
  toSddl,
  type Ace,
} from '../../../src/security/index.js';
import { attributeGuid, loadCorpus, sdOf, sidOf } from './corpus.js';

const readDelegation = (sid: string): Ace => ({
  type: AceType.ACCESS_ALLOWED_OBJECT,
  flags: AceFlag.CONTAINER_INHERIT | AceFlag.INHERIT_ONLY,
  mask: 0x110,
  sid,
  objectType: attributeGuid('ms-Mcs-AdmPwd'),
  inheritedObjectType: Guids.COMPUTER_CLASS,
});

describe('canonical insertion and idempotent merge on recorded OU descriptors', () => {
  const corpus = loadCorpus();
  it('every DACL Samba stored is in canonical order (explicit deny, explicit allow, inherited)', () => {
    const dacls = corpus.descriptors.map((d) => parseSecurityDescriptor(Buffer.from(d.base64, 'base64')).dacl).filter((a) => a !== null);
    expect(dacls.length).toBeGreaterThan(100);
    for (const acl of dacls) expect(isCanonical(acl)).toBe(true);
    // the recorded Servers OU has an explicit deny, placed first by samba-tool dsacl
    const servers = parseSecurityDescriptor(sdOf('OU=Servers,OU=Estate'));
    expect(canonicalRank(servers.dacl!.aces[0]!)).toBe(0);
  });
  it('merging the delegation that is already on OU=Estate is a no-op', () => {
    const estate = parseSecurityDescriptor(sdOf('OU=Estate'));
    const r = mergeAce(estate.dacl!, readDelegation(sidOf('LAPS Readers')));
    expect(r.outcome).toBe('present');
    expect(r.acl).toBe(estate.dacl);
    expect(serializeSecurityDescriptor({ ...estate, dacl: r.acl }).equals(sdOf('OU=Estate'))).toBe(true);
  });
  it('a narrower ACE than one present is covered; a new one goes after explicit allows, before inherited ACEs', () => {
    const ws = parseSecurityDescriptor(sdOf('OU=Workstations,OU=Estate'));
    const firstInherited = ws.dacl!.aces.findIndex((a) => a.flags & AceFlag.INHERITED);
    const added = mergeAce(ws.dacl!, readDelegation(sidOf('Helpdesk')));
    expect(added.outcome).toBe('added');
    expect(added.acl.aces[firstInherited]!.sid).toBe(sidOf('Helpdesk'));
    expect(isCanonical(added.acl)).toBe(true);
    const again = mergeAce(added.acl, readDelegation(sidOf('Helpdesk')));
    expect(again.outcome).toBe('present');
    const narrower = mergeAce(added.acl, { ...readDelegation(sidOf('Helpdesk')), mask: 0x100 });
    expect(narrower.outcome).toBe('covered');
    // the edited descriptor serialises and parses back to the same SDDL
    const edited = { ...ws, dacl: added.acl };
    expect(toSddl(parseSecurityDescriptor(serializeSecurityDescriptor(edited)), { domainSid: corpus.domainSid })).toBe(toSddl(edited, { domainSid: corpus.domainSid }));
  });
  it('a deny goes first; removing it restores the original bytes', () => {
    const raw = sdOf('OU=Workstations,OU=Estate');
    const ws = parseSecurityDescriptor(raw);
    const deny: Ace = { ...readDelegation(sidOf('Denied Readers')), type: AceType.ACCESS_DENIED_OBJECT };
    const withDeny = addAce(ws.dacl!, deny);
    expect(withDeny.aces[0]).toBe(deny);
    expect(isCanonical(withDeny)).toBe(true);
    const { acl, removed } = removeAce(withDeny, deny);
    expect(removed).toBe(1);
    expect(serializeSecurityDescriptor({ ...ws, dacl: acl }).equals(raw)).toBe(true);
  });
  it('never removes inherited ACEs', () => {
    const wsn = parseSecurityDescriptor(sdOf('CN=WS01,OU=Workstations,OU=Estate'));
    const inherited = wsn.dacl!.aces.find((a) => a.flags & AceFlag.INHERITED)!;
    expect(removeAce(wsn.dacl!, inherited).removed).toBe(0);
  });
});

describe('canonical order rules', () => {
  it('ranks explicit deny < explicit allow < inherited and detects a misplaced ACE', () => {
    const sd = parseSddl('D:(D;;RP;;;WD)(A;;RP;;;AU)(A;ID;RP;;;BA)');
    expect(sd.dacl!.aces.map(canonicalRank)).toEqual([0, 1, 2]);
    expect(isCanonical(sd.dacl)).toBe(true);
    expect(isCanonical(parseSddl('D:(A;;RP;;;AU)(D;;RP;;;WD)').dacl)).toBe(false);
    expect(isCanonical(parseSddl('D:(A;ID;RP;;;BA)(A;;RP;;;AU)').dacl)).toBe(false);
  });
  it('inserts without reordering a non-canonical ACL: a deny lands before the first allow', () => {
    const acl = parseSddl('D:(A;;RP;;;AU)(D;;WP;;;WD)(A;ID;RP;;;BA)').dacl!;
    const deny = parseSddl('D:(D;;CR;;;BG)').dacl!.aces[0]!;
    expect(toSddl({ ...parseSddl('D:'), dacl: addAce(acl, deny) })).toBe('D:(D;;CR;;;BG)(A;;RP;;;AU)(D;;WP;;;WD)(A;ID;RP;;;BA)');
  });
});

describe('building delegations from SDDL ACE text', () => {
  it('parses one ACE and merges it idempotently into a recorded DACL', () => {
    const corpus = loadCorpus();
    const text = `(OA;CIIO;RPCR;${attributeGuid('ms-Mcs-AdmPwd')};${Guids.COMPUTER_CLASS};${sidOf('LAPS Readers')})`;
    const ace = parseSddlAce(text, { domainSid: corpus.domainSid });
    expect(ace).toEqual({ ...readDelegation(sidOf('LAPS Readers')), objectFlags: 3 });
    const estate = parseSecurityDescriptor(sdOf('OU=Estate'));
    expect(mergeAce(estate.dacl!, ace).outcome).toBe('present');
  });
});
