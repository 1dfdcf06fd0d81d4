import { describe, expect, it } from 'vitest';
import { parseSecurityDescriptor, serializeSecurityDescriptor } from '../../../src/security/index.js';
import { bytesOf, loadCorpus } from './corpus.js';

describe('parse -> serialize round trip on the recorded Samba corpus', () => {
  const corpus = loadCorpus();
  it('has a corpus worth testing', () => {
    expect(corpus.descriptors.length).toBeGreaterThan(100);
    expect(new Set(corpus.descriptors.map((d) => d.sdFlags))).toEqual(new Set(['full', '4', '5', '7']));
  });
  it('reproduces every descriptor byte for byte', () => {
    for (const d of corpus.descriptors) {
      const raw = bytesOf(d);
      const out = serializeSecurityDescriptor(parseSecurityDescriptor(raw));
      expect(out.toString('hex'), d.id).toBe(raw.toString('hex'));
    }
  });
});
