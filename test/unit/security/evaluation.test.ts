/**
 * Effective rights and "who can" on descriptors recorded from the Samba lab after the ACEs of
 * test/fixtures/sd-corpus/record.py were added there (see its README for the list). The expected
 * answers follow from those ACEs and MS-ADTS access rules, one route per test.
 */
import { describe, expect, it } from 'vitest';
import {
  ADS_RIGHT_DS_CONTROL_ACCESS,
  ADS_RIGHT_DS_READ_PROP,
  ADS_RIGHT_DS_WRITE_PROP,
  ADS_RIGHT_READ_CONTROL,
  ADS_RIGHT_WRITE_DAC,
  effectiveAccess,
  Guids,
  hasRights,
  parseSddl,
  parseSecurityDescriptor,
  READ_CONFIDENTIAL,
  selfCan,
  whoCan,
  whoCanOnChildren,
  WellKnownSids,
  type WhoCanResult,
} from '../../../src/security/index.js';
import { computerAttribute, loadCorpus, sdOf, sidOf, tokenOf } from './corpus.js';

const corpus = loadCorpus();
const sd = (dn: string) => parseSecurityDescriptor(sdOf(dn));
const canRead = (dn: string, who: string, attr = 'ms-Mcs-AdmPwd') =>
  hasRights(effectiveAccess(sd(dn), tokenOf(who), computerAttribute(attr)), READ_CONFIDENTIAL);
const entry = (r: WhoCanResult, sid: string) => r.entries.find((e) => e.sid === sid);

describe('effective rights of seeded accounts on recorded computers', () => {
  it('explicit read delegation: LAPS Readers (and nested Helpdesk) read ms-Mcs-AdmPwd, a plain user does not', () => {
    expect(canRead('CN=WS01,OU=Workstations,OU=Estate', 'reader1')).toBe(true);
    expect(canRead('CN=WS01,OU=Workstations,OU=Estate', 'helpdesk1')).toBe(true);
    expect(canRead('CN=WS01,OU=Workstations,OU=Estate', 'plain1')).toBe(false);
    // the plain user still has READ_PROPERTY on everything, only CONTROL_ACCESS is missing
    const a = effectiveAccess(sd('CN=WS01,OU=Workstations,OU=Estate'), tokenOf('plain1'), computerAttribute('ms-Mcs-AdmPwd'));
    expect(a.granted & ADS_RIGHT_DS_READ_PROP).toBeTruthy();
    expect(a.granted & ADS_RIGHT_DS_CONTROL_ACCESS).toBe(0);
    // the delegation names ms-Mcs-AdmPwd only: it does not open msLAPS-Password
    expect(canRead('CN=WS01,OU=Workstations,OU=Estate', 'reader1', 'msLAPS-Password')).toBe(false);
  });

  it('deny before allow: Denied Readers lose the read on servers, keep it elsewhere', () => {
    expect(canRead('CN=SRV01,OU=Servers,OU=Estate', 'denied1')).toBe(false);
    expect(canRead('CN=WS01,OU=Workstations,OU=Estate', 'denied1')).toBe(true);
    const a = effectiveAccess(sd('CN=SRV01,OU=Servers,OU=Estate'), tokenOf('denied1'), computerAttribute('ms-Mcs-AdmPwd'));
    const deny = a.decisions.find((d) => d.right === ADS_RIGHT_DS_CONTROL_ACCESS)!;
    expect(deny.granted).toBe(false);
    expect(deny.ace!.sid).toBe(sidOf('Denied Readers'));
    expect(canRead('CN=SRV01,OU=Servers,OU=Estate', 'srvadmin')).toBe(true);
  });

  it('All Extended Rights on a nested OU opens every confidential attribute of the computers below it', () => {
    for (const attr of ['ms-Mcs-AdmPwd', 'msLAPS-Password', 'msLAPS-EncryptedPassword']) {
      expect(canRead('CN=WSN01,OU=Nested,OU=Workstations,OU=Estate', 'helpdesk1', attr)).toBe(true);
      expect(canRead('CN=WSD01,OU=Deep,OU=Nested,OU=Workstations,OU=Estate', 'helpdesk1', attr)).toBe(true);
    }
    expect(canRead('CN=WS01,OU=Workstations,OU=Estate', 'helpdesk1', 'msLAPS-Password')).toBe(false);
  });

  it('GenericAll (expanded by inheritance to full control) grants everything; GenericRead only READ_PROPERTY', () => {
    expect(canRead('CN=GEN01,OU=Generic,OU=Estate', 'generic1', 'msLAPS-Password')).toBe(true);
    const t = effectiveAccess(sd('CN=GEN01,OU=Generic,OU=Estate'), tokenOf('tier1'), computerAttribute('msLAPS-Password'));
    expect(t.granted & ADS_RIGHT_DS_READ_PROP).toBeTruthy();
    expect(hasRights(t, READ_CONFIDENTIAL)).toBe(false);
  });

  it('a protected OU blocks the estate-wide delegation; its own delegation works', () => {
    expect(canRead('CN=PROT01,OU=Protected,OU=Estate', 'reader1')).toBe(false);
    expect(canRead('CN=PROT01,OU=Protected,OU=Estate', 'tier1')).toBe(true);
  });

  it('no-propagate reaches direct children only; a user-scoped delegation does not reach computers', () => {
    expect(canRead('CN=NP01,OU=NoPropagate,OU=Estate', 'tier1')).toBe(true);
    expect(canRead('CN=NPC01,OU=Child,OU=NoPropagate,OU=Estate', 'tier1')).toBe(false);
    expect(canRead('CN=US01,OU=UserScoped,OU=Estate', 'plain1')).toBe(false);
  });

  it('owner: the non-admin who created JOINED01 owns it, has RC+WD implicitly and reads its password', () => {
    const joined = sd('CN=JOINED01,OU=Joined,OU=Estate');
    expect(joined.owner).toBe(sidOf('joiner'));
    const a = effectiveAccess(joined, tokenOf('joiner'), computerAttribute('ms-Mcs-AdmPwd'));
    expect(hasRights(a, READ_CONFIDENTIAL)).toBe(true);
    const rc = a.decisions.find((d) => d.right === ADS_RIGHT_WRITE_DAC)!;
    expect(rc.source).toBe('owner');
    expect(canRead('CN=WS01,OU=Workstations,OU=Estate', 'joiner')).toBe(false);
  });

  it('SELF: computers under OU=SelfWrite may write their own LAPS attributes, others may not', () => {
    const sw = sd('CN=SW01,OU=SelfWrite,OU=Estate');
    const sw01 = sidOf('SW01$');
    for (const attr of ['ms-Mcs-AdmPwd', 'ms-Mcs-AdmPwdExpirationTime', 'msLAPS-Password', 'msLAPS-EncryptedPassword', 'msLAPS-EncryptedPasswordHistory']) {
      expect(selfCan(sw, { ...computerAttribute(attr), rights: ADS_RIGHT_DS_WRITE_PROP }, sw01).effective, attr).toBe(true);
    }
    // reading its own encrypted password back needs CONTROL_ACCESS, given on the property set
    expect(selfCan(sw, { ...computerAttribute('msLAPS-EncryptedPassword'), rights: READ_CONFIDENTIAL }, sw01).effective).toBe(true);
    expect(selfCan(sw, { ...computerAttribute('ms-Mcs-AdmPwd'), rights: READ_CONFIDENTIAL }, sw01).effective).toBe(false);
    // a different computer is not SELF on SW01
    expect(hasRights(effectiveAccess(sw, tokenOf('SW02$'), { ...computerAttribute('ms-Mcs-AdmPwd'), objectSid: sw01 }), ADS_RIGHT_DS_WRITE_PROP)).toBe(false);
    const ws = sd('CN=WS01,OU=Workstations,OU=Estate');
    expect(selfCan(ws, { ...computerAttribute('ms-Mcs-AdmPwd'), rights: ADS_RIGHT_DS_WRITE_PROP }, sidOf('WS01$')).effective).toBe(false);
  });
});

describe('whoCan: principals and routes on recorded computers', () => {
  it('explicit delegation, full control, all extended rights and owner on WS01', () => {
    const r = whoCan(sd('CN=WS01,OU=Workstations,OU=Estate'), { ...computerAttribute('ms-Mcs-AdmPwd'), rights: READ_CONFIDENTIAL }, { domainSid: corpus.domainSid });
    const readers = entry(r, sidOf('LAPS Readers'))!;
    expect(readers.effective).toBe(true);
    // the group's own ACE gives both READ_PROPERTY and CONTROL_ACCESS on the attribute
    expect(readers.routes).toEqual(['explicit']);
    expect(readers.grantedBy.find((g) => g.rights & ADS_RIGHT_DS_CONTROL_ACCESS)!.route).toBe('explicit');
    const da = entry(r, `${corpus.domainSid}-512`)!;
    expect(da.name).toBe('Domain Admins');
    expect(da.routes).toContain('full-control');
    expect(da.routes).toContain('owner');
    expect(entry(r, WellKnownSids.SYSTEM)!.routes).toEqual(['full-control', 'write-dac', 'write-owner']);
    // BUILTIN\Administrators: inherited RPWPCRCCLCLORCWOWDSDSW is not full control, CR comes as all extended rights
    expect(entry(r, WellKnownSids.BUILTIN_ADMINISTRATORS)!.routes).toEqual(['all-extended-rights', 'write-dac', 'write-owner']);
    expect(entry(r, WellKnownSids.AUTHENTICATED_USERS)).toBeUndefined();
    expect(r.denies).toEqual([]);
  });

  it('lists the deny ACE and the group it names on SRV01', () => {
    const r = whoCan(sd('CN=SRV01,OU=Servers,OU=Estate'), { ...computerAttribute('ms-Mcs-AdmPwd'), rights: READ_CONFIDENTIAL });
    expect(r.denies.map((d) => d.ace.sid)).toEqual([sidOf('Denied Readers')]);
    expect(entry(r, sidOf('Server Admins'))!.routes).toEqual(['explicit']);
    // with group membership known, LAPS Readers' member denied1 is evaluated as itself
    const withGroups = whoCan(sd('CN=SRV01,OU=Servers,OU=Estate'), { ...computerAttribute('ms-Mcs-AdmPwd'), rights: READ_CONFIDENTIAL }, {
      groupsOf: (sid) => (sid === sidOf('LAPS Readers') ? [sidOf('Denied Readers')] : []),
    });
    expect(entry(withGroups, sidOf('LAPS Readers'))!.effective).toBe(false);
    expect(entry(withGroups, sidOf('LAPS Readers'))!.denied).toBe(READ_CONFIDENTIAL);
  });

  it('All Extended Rights route on WSN01', () => {
    const r = whoCan(sd('CN=WSN01,OU=Nested,OU=Workstations,OU=Estate'), { ...computerAttribute('msLAPS-Password'), rights: READ_CONFIDENTIAL });
    expect(entry(r, sidOf('Helpdesk'))!.routes).toEqual(['all-properties', 'all-extended-rights']);
  });

  it('GenericAll route on GEN01', () => {
    const r = whoCan(sd('CN=GEN01,OU=Generic,OU=Estate'), { ...computerAttribute('ms-Mcs-AdmPwd'), rights: READ_CONFIDENTIAL });
    expect(entry(r, sidOf('Generic Admins'))!.routes).toEqual(['full-control', 'write-dac', 'write-owner']);
  });

  it('owner route for the non-admin joiner on JOINED01', () => {
    const r = whoCan(sd('CN=JOINED01,OU=Joined,OU=Estate'), { ...computerAttribute('ms-Mcs-AdmPwd'), rights: READ_CONFIDENTIAL });
    const j = entry(r, sidOf('joiner'))!;
    expect(j.effective).toBe(true);
    // CREATOR OWNER's RPCRLCLORCSDDT from the computer class default became the joiner's ACE
    expect(j.routes).toEqual(['all-extended-rights', 'owner']);
  });

  it('who can write: SELF appears with the explicit route, the property set shows as such', () => {
    const w = whoCan(sd('CN=SW01,OU=SelfWrite,OU=Estate'), { ...computerAttribute('ms-Mcs-AdmPwd'), rights: ADS_RIGHT_DS_WRITE_PROP });
    expect(entry(w, WellKnownSids.SELF)!.routes).toEqual(['explicit']);
    const e = whoCan(sd('CN=SW01,OU=SelfWrite,OU=Estate'), { ...computerAttribute('msLAPS-EncryptedPassword'), rights: READ_CONFIDENTIAL });
    expect(entry(e, WellKnownSids.SELF)!.routes).toEqual(['property-set']);
    expect(entry(e, sidOf('Tier1 Admins'))!.routes).toEqual(['property-set']);
  });

  it('who can read on the computers an OU will hold: the class default gives CREATOR OWNER the read', () => {
    const ou = sd('OU=Workstations,OU=Estate');
    const def = parseSddl(corpus.schema.classes['computer']!.defaultSecurityDescriptor, { domainSid: corpus.domainSid });
    const r = whoCanOnChildren(ou.dacl, { classGuids: [Guids.COMPUTER_CLASS], defaultSd: def }, { ...computerAttribute('ms-Mcs-AdmPwd'), rights: READ_CONFIDENTIAL });
    const creator = entry(r, WellKnownSids.CREATOR_OWNER)!;
    expect(creator.effective).toBe(true);
    expect(creator.routes).toContain('all-extended-rights');
    expect(creator.routes).toContain('owner');
    expect(entry(r, sidOf('LAPS Readers'))!.routes).toEqual(['explicit']);
  });
});

describe('access rules on small hand-made descriptors', () => {
  const D = 'S-1-5-21-1-2-3';
  it('the owner keeps READ_CONTROL and WRITE_DAC even against a deny, unless OWNER RIGHTS ACEs exist', () => {
    const s = parseSddl(`O:${D}-1000D:(D;;RCWD;;;${D}-1000)`);
    expect(effectiveAccess(s, [`${D}-1000`]).granted).toBe(ADS_RIGHT_READ_CONTROL | ADS_RIGHT_WRITE_DAC);
    const ow = parseSddl(`O:${D}-1000D:(A;;RC;;;OW)`);
    expect(effectiveAccess(ow, [`${D}-1000`]).granted).toBe(ADS_RIGHT_READ_CONTROL);
  });
  it('order decides: an allow before a deny wins, as Windows evaluates a non-canonical DACL', () => {
    const s = parseSddl(`D:(A;;RP;;;${D}-1000)(D;;RP;;;${D}-1000)`);
    expect(effectiveAccess(s, [`${D}-1000`]).granted).toBe(ADS_RIGHT_DS_READ_PROP);
  });
  it('maps GenericWrite and GenericRead on an effective ACE before evaluating', () => {
    const s = parseSddl(`D:(A;;GW;;;${D}-1000)(A;;GR;;;${D}-1001)`);
    expect(effectiveAccess(s, [`${D}-1000`]).granted).toBe(0x20028);
    expect(effectiveAccess(s, [`${D}-1001`]).granted).toBe(0x20094);
  });
  it('a NULL DACL grants everything; an empty DACL nothing', () => {
    expect(effectiveAccess(parseSddl('D:NO_ACCESS_CONTROL'), ['S-1-1-0']).granted).toBe(0xffffffff);
    expect(effectiveAccess(parseSddl('D:'), ['S-1-1-0']).granted).toBe(0);
  });
  it('ACEs for other attributes, other classes or inherit-only do not count', () => {
    const x = '11111111-1111-1111-1111-111111111111';
    const s = parseSddl(`D:(OA;;RPCR;22222222-2222-2222-2222-222222222222;;WD)(OA;CIIO;RPCR;;;WD)(OA;;CR;${Guids.USER_CLASS};;WD)(OA;;RP;${Guids.COMPUTER_CLASS};;WD)`);
    const a = effectiveAccess(s, ['S-1-1-0'], { objectClassGuids: [Guids.COMPUTER_CLASS], attribute: { guid: x } });
    expect(a.granted).toBe(ADS_RIGHT_DS_READ_PROP);
  });
});
