/**
 * dpapiNgProtectionSid: whom a blob is protected to, from the structure down to its protection
 * descriptor only (the cutover reads it for every history entry at 10,000s of computers).
 */
import { describe, expect, it } from 'vitest';
import { dpapiNgProtectionSid, parseDpapiNgBlob } from '../../../src/dpapi-ng/dpapi-ng-blob.js';
import { DpapiNgFormatError } from '../../../src/dpapi-ng/errors.js';
import { VECTOR_NAMES, loadVector } from './fixtures.js';

describe('dpapiNgProtectionSid', () => {
  it('names the same SID as the full parse for every Windows vector', () => {
    let n = 0;
    for (const name of VECTOR_NAMES) {
      for (const { bytes } of loadVector(name).blobs) {
        expect(dpapiNgProtectionSid(bytes)).toBe(parseDpapiNgBlob(bytes).sid);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(8);
  });

  it('refuses what is not a DPAPI-NG blob or breaks before the descriptor, as the full parse does', () => {
    const { bytes } = loadVector(VECTOR_NAMES[0]).blobs[0]!;
    for (const bad of [Buffer.from('not a blob at all'), bytes.subarray(0, 40), Buffer.alloc(0)]) {
      expect(() => dpapiNgProtectionSid(bad)).toThrow(DpapiNgFormatError);
      expect(() => parseDpapiNgBlob(bad)).toThrow(DpapiNgFormatError);
    }
  });

  it('does not look past the descriptor: a blob cut after it still names its SID (the full parse refuses it)', () => {
    const { bytes } = loadVector(VECTOR_NAMES[0]).blobs[0]!;
    const full = parseDpapiNgBlob(bytes);
    const cut = Buffer.from(bytes);
    // the GCM nonce length byte, well after the protection descriptor, made wrong
    const at = cut.indexOf(full.gcmNonce) - 1;
    expect(cut[at]).toBe(12);
    cut[at] = 11;
    expect(() => parseDpapiNgBlob(cut)).toThrow(DpapiNgFormatError);
    expect(dpapiNgProtectionSid(cut)).toBe(full.sid);
  });
});
