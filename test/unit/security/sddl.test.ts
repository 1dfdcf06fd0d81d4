import { describe, expect, it } from 'vitest';
import {
  AceType,
  maskToSddl,
  parseSddl,
  parseSecurityDescriptor,
  SddlError,
  serializeSecurityDescriptor,
  toSddl,
} from '../../../src/security/index.js';
import { bytesOf, loadCorpus } from './corpus.js';

describe('SDDL differential test against Samba 4.17 (recorded as_sddl())', () => {
  const corpus = loadCorpus();
  it('matches Samba without a domain SID for every recorded descriptor', () => {
    let n = 0;
    for (const d of corpus.descriptors) {
      expect(toSddl(parseSecurityDescriptor(bytesOf(d))), d.id).toBe(d.sddl);
      n++;
    }
    expect(n).toBe(corpus.descriptors.length);
  });
  it('matches Samba with the domain SID for every recorded descriptor', () => {
    for (const d of corpus.descriptors) {
      expect(toSddl(parseSecurityDescriptor(bytesOf(d)), { domainSid: corpus.domainSid }), d.id).toBe(d.sddlWithDomainSid);
    }
  });
  it('parses Samba SDDL back into the same structure', () => {
    for (const d of corpus.descriptors) {
      const fromBytes = parseSecurityDescriptor(bytesOf(d));
      const fromText = parseSddl(d.sddlWithDomainSid, { domainSid: corpus.domainSid });
      expect(fromText.owner, d.id).toBe(fromBytes.owner);
      expect(fromText.group, d.id).toBe(fromBytes.group);
      expect(fromText.dacl?.aces, d.id).toEqual(fromBytes.dacl?.aces);
      expect(fromText.sacl?.aces ?? null, d.id).toEqual(fromBytes.sacl?.aces ?? null);
      expect(toSddl(fromText, { domainSid: corpus.domainSid })).toBe(d.sddlWithDomainSid);
    }
  });
  it('rebuilds the exact bytes from Samba SDDL when the control bits are all expressed in SDDL', () => {
    let exact = 0;
    const differingBits = new Set<number>();
    for (const d of corpus.descriptors) {
      const raw = bytesOf(d);
      const sd = parseSddl(d.sddl);
      const out = serializeSecurityDescriptor(sd);
      if (out.equals(raw)) exact++;
      else {
        // the only allowed difference: control bits SDDL cannot carry (e.g. SACL_AUTO_INHERITED kept
        // by Samba in a DACL-only SD-flags answer)
        const orig = parseSecurityDescriptor(raw);
        expect(serializeSecurityDescriptor({ ...sd, control: orig.control }).equals(raw), d.id).toBe(true);
        differingBits.add(orig.control ^ sd.control);
      }
    }
    expect(exact).toBeGreaterThan(0);
    // SDDL has no place for OWNER_DEFAULTED (0x1) / GROUP_DEFAULTED (0x2), which Samba sets on
    // some stored descriptors, nor for SACL bits kept in answers that leave the SACL out.
    for (const bits of differingBits) expect(bits & ~0x0803).toBe(0);
  });
});

describe('SDDL details', () => {
  it('renders masks in Samba 4.17 order and unknown bits as a padded hex mask', () => {
    expect(maskToSddl(0xf01ff)).toBe('RPWPCRCCDCLCLORCWOWDSDDTSW');
    expect(maskToSddl(0xf0000000)).toBe('GAGRGWGX');
    expect(maskToSddl(0x1f01ff)).toBe('0x001f01ff');
    expect(maskToSddl(0)).toBe('');
  });
  it('renders a NULL DACL as NO_ACCESS_CONTROL and parses it back (deliberate difference from Samba)', () => {
    const sd = parseSddl('O:BAD:NO_ACCESS_CONTROL');
    expect(sd.dacl).toBeNull();
    expect(toSddl(sd)).toBe('O:BAD:NO_ACCESS_CONTROL');
    const again = parseSecurityDescriptor(serializeSecurityDescriptor(sd));
    expect(again.dacl).toBeNull();
    expect(toSddl(again)).toBe('O:BAD:NO_ACCESS_CONTROL');
  });
  it('keeps callback application data and opaque ACEs through SDDL', () => {
    const text = 'D:(XA;;RP;;;WD;0x6172747800000000)(0x15;CI;;;;;0x0102030405)';
    const sd = parseSddl(text);
    expect(sd.dacl!.aces[0]!.type).toBe(AceType.ACCESS_ALLOWED_CALLBACK);
    expect(Array.from(sd.dacl!.aces[1]!.opaque!)).toEqual([1, 2, 3, 4, 5]);
    expect(toSddl(sd)).toBe(text);
    expect(toSddl(parseSecurityDescriptor(serializeSecurityDescriptor(sd)))).toBe(text);
  });
  it('needs the domain SID for domain aliases and says where the problem is', () => {
    expect(() => parseSddl('O:DA')).toThrow(SddlError);
    expect(parseSddl('O:DA', { domainSid: 'S-1-5-21-1-2-3' }).owner).toBe('S-1-5-21-1-2-3-512');
    try {
      parseSddl('O:BAD:(A;;RPXX;;;WD)');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SddlError);
      expect((e as SddlError).position).toBe(12);
      expect((e as SddlError).exitCode).toBe(2);
    }
  });
  it('accepts numeric masks and file rights, and SIDs followed directly by D:', () => {
    const sd = parseSddl('O:S-1-5-21-1-2-3-500D:(A;;0x10;;;S-1-5-21-1-2-3-500)(A;;FA;;;SY)');
    expect(sd.owner).toBe('S-1-5-21-1-2-3-500');
    expect(sd.dacl!.aces.map((a) => a.mask)).toEqual([0x10, 0x1f01ff]);
  });
});
