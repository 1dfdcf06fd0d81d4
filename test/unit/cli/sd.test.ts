import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { bytesFromBase64, bytesFromFileContent, bytesFromHex, readSdInput, renderSdDecode } from '../../../src/cli/sd.js';
import { loadCorpus } from '../security/corpus.js';

const corpus = loadCorpus();
const sample = corpus.descriptors.find((d) => d.sddl.includes('(OA;'))!;
const raw = Buffer.from(sample.base64, 'base64');

describe('sd decode', () => {
  it('prints Samba\'s SDDL on one line, with domain aliases only when --domain-sid is given', () => {
    expect(renderSdDecode(raw)).toBe(sample.sddl + '\n');
    expect(renderSdDecode(raw, { domainSid: corpus.domainSid })).toBe(sample.sddlWithDomainSid + '\n');
    expect(renderSdDecode(raw, { domainSid: corpus.domainSid.toLowerCase() })).toBe(sample.sddlWithDomainSid + '\n');
  });
  it('accepts hex (with spaces, colons, 0x), base64 and files of raw bytes, hex or base64', () => {
    const hex = raw.toString('hex');
    expect(bytesFromHex(hex).equals(raw)).toBe(true);
    expect(bytesFromHex('0x' + hex.toUpperCase().replace(/(..)/g, '$1 ')).equals(raw)).toBe(true);
    expect(bytesFromBase64(sample.base64).equals(raw)).toBe(true);
    expect(bytesFromFileContent(raw).equals(raw)).toBe(true);
    expect(bytesFromFileContent(Buffer.from(hex + '\n')).equals(raw)).toBe(true);
    expect(bytesFromFileContent(Buffer.from(sample.base64 + '\n')).equals(raw)).toBe(true);
    expect(readSdInput({ base64: sample.base64 }).equals(raw)).toBe(true);
  });
  it('refuses ambiguous or bad input with exit code 2', () => {
    expect(() => readSdInput({})).toThrow(InputError);
    expect(() => readSdInput({ hex: '01', base64: 'AQ==' })).toThrow(/exactly one/);
    expect(() => bytesFromHex('01zz')).toThrow(/"z" at character 2/);
    expect(() => bytesFromHex('010')).toThrow(/odd number/);
    expect(() => bytesFromBase64('AQ*=')).toThrow(/at character 2/);
    expect(() => readSdInput({ file: '/nonexistent/sd.bin' })).toThrow(/cannot read/);
    expect(() => renderSdDecode(raw, { domainSid: 'S-1-5-32' })).toThrow(/not a domain SID/);
  });
  it('reports a malformed descriptor with the byte offset', () => {
    try {
      renderSdDecode(raw.subarray(0, 30));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).exitCode).toBe(2);
      expect((e as Error).message).toMatch(/at byte offset \d+/);
    }
  });
  it('--json gives control flags, owner, group and each ACE with names', () => {
    const doc = JSON.parse(renderSdDecode(raw, { json: true, domainSid: corpus.domainSid }));
    expect(doc.sddl).toBe(sample.sddlWithDomainSid);
    expect(doc.controlFlags).toContain('SELF_RELATIVE');
    expect(doc.controlFlags).toContain('DACL_PRESENT');
    const ace = doc.dacl.aces.find((a: { type: string; objectType?: unknown }) => a.type === 'ACCESS_ALLOWED_OBJECT' && a.objectType);
    expect(ace.rights.length).toBeGreaterThan(0);
    expect(ace.sddl.startsWith('(OA;')).toBe(true);
    expect(doc.dacl.aceCount).toBe(doc.dacl.aces.length);
    const named = doc.dacl.aces.filter((a: { objectType?: { name?: string } }) => a.objectType?.name);
    expect(named.length).toBeGreaterThan(0);
    const da = doc.dacl.aces.find((a: { trustee?: { sid: string } }) => a.trustee?.sid === `${corpus.domainSid}-512`);
    if (da) expect(da.trustee.name).toBe('Domain Admins');
    if (doc.owner) expect(typeof doc.owner.sid).toBe('string');
  });
});
