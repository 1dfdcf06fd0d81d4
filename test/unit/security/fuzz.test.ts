/**
 * Mutation fuzzing of the parser on the recorded corpus: at least 100,000 mutated descriptors.
 * Every input either parses, and then serialises back to exactly the same bytes and renders as
 * SDDL and JSON without error, or fails with a SecurityDescriptorError; never another exception,
 * a hang or a huge allocation. The PRNG is seeded: a failure names the seed and iteration.
 */
import { describe, expect, it } from 'vitest';
import {
  describeSecurityDescriptor,
  effectiveAccess,
  parseSddl,
  parseSecurityDescriptor,
  SddlError,
  SecurityDescriptorError,
  serializeSecurityDescriptor,
  toSddl,
} from '../../../src/security/index.js';
import { bytesOf, loadCorpus } from './corpus.js';
import { prng } from '../seeded-prng.js';

const ITERATIONS = Number(process.env.SD_FUZZ_ITERATIONS ?? 100_000);
const SEED = Number(process.env.SD_FUZZ_SEED ?? 0x5eed1234);


const INTERESTING_16 = [0, 1, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_32 = [0, 1, 4, 19, 20, 21, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(src: Buffer, rnd: () => number): Buffer {
  const pick = (n: number) => Math.floor(rnd() * n);
  let b = Buffer.from(src);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const kind = pick(9);
    const at = b.length ? pick(b.length) : 0;
    switch (kind) {
      case 0: // bit flip
        if (b.length) b[at] = b[at]! ^ (1 << pick(8));
        break;
      case 1: // random byte
        if (b.length) b[at] = pick(256);
        break;
      case 2: // interesting 16-bit value (sizes, counts)
        if (at + 2 <= b.length) b.writeUInt16LE(INTERESTING_16[pick(INTERESTING_16.length)]!, at);
        break;
      case 3: // interesting 32-bit value (offsets, masks)
        if (at + 4 <= b.length) b.writeUInt32LE(INTERESTING_32[pick(INTERESTING_32.length)]! >>> 0, at);
        break;
      case 4: // one of the four header offsets set to another part's offset or near it
        if (b.length >= 20) {
          const f = 4 + 4 * pick(4);
          const g = 4 + 4 * pick(4);
          b.writeUInt32LE((b.readUInt32LE(g) + pick(9) - 4) >>> 0, f);
        }
        break;
      case 5: // truncate
        b = b.subarray(0, pick(b.length + 1));
        break;
      case 6: // delete a run
        if (b.length) {
          const n = 1 + pick(16);
          b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + n))]);
        }
        break;
      case 7: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(8) }, () => pick(256))), b.subarray(at)]);
        break;
      case 8: // duplicate a chunk elsewhere
        if (b.length > 8) {
          const from = pick(b.length - 4);
          const chunk = Buffer.from(b.subarray(from, from + 4 + pick(28)));
          chunk.copy(b, pick(b.length));
        }
        break;
    }
  }
  return b;
}

describe('fuzz: mutated recorded descriptors', () => {
  it(`${ITERATIONS} mutations parse or fail with SecurityDescriptorError; accepted ones round-trip`, () => {
    const seeds = loadCorpus().descriptors.map(bytesOf);
    const rnd = prng(SEED);
    let accepted = 0;
    let rejected = 0;
    const started = Date.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const input = mutate(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
      let sd;
      try {
        sd = parseSecurityDescriptor(input);
      } catch (e) {
        if (!(e instanceof SecurityDescriptorError)) throw new Error(`seed ${SEED} iteration ${i}: ${String(e)} on ${input.toString('hex')}`);
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(input.length);
        rejected++;
        continue;
      }
      accepted++;
      const out = serializeSecurityDescriptor(sd);
      if (!out.equals(input)) throw new Error(`seed ${SEED} iteration ${i}: round trip differs for ${input.toString('hex')}`);
      if (i % 8 === 0) {
        toSddl(sd, { domainSid: 'S-1-5-21-1-2-3' });
        describeSecurityDescriptor(sd);
        effectiveAccess(sd, ['S-1-1-0', 'S-1-5-11', sd.owner ?? 'S-1-5-18']);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`fuzz: ${ITERATIONS} inputs in ${seconds.toFixed(1)} s, ${accepted} accepted, ${rejected} rejected`);
    expect(accepted + rejected).toBe(ITERATIONS);
    // both paths must be exercised for the test to mean anything
    expect(accepted).toBeGreaterThan(ITERATIONS / 20);
    expect(rejected).toBeGreaterThan(ITERATIONS / 20);
  }, 120_000);
});

describe('fuzz: mutated recorded SDDL', () => {
  const SDDL_ITERATIONS = Math.ceil(ITERATIONS / 5);
  it(`${SDDL_ITERATIONS} mutated SDDL strings parse or fail with SddlError; accepted ones render back to what they parse to`, () => {
    const corpus = loadCorpus();
    const texts = corpus.descriptors.map((d) => d.sddlWithDomainSid);
    const rnd = prng(SEED ^ 0xabcdef);
    const alphabet = 'OGDS:();ACDIOUPRWXZ0123456789-x_,NLOWbcdef ';
    let accepted = 0;
    for (let i = 0; i < SDDL_ITERATIONS; i++) {
      let t = texts[Math.floor(rnd() * texts.length)]!;
      for (let r = 0; r < 1 + Math.floor(rnd() * 3); r++) {
        const at = Math.floor(rnd() * (t.length + 1));
        const k = Math.floor(rnd() * 3);
        const c = alphabet[Math.floor(rnd() * alphabet.length)]!;
        t = k === 0 ? t.slice(0, at) + c + t.slice(at + 1) : k === 1 ? t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 6)) : t.slice(0, at) + c + t.slice(at);
      }
      let sd;
      try {
        sd = parseSddl(t, { domainSid: corpus.domainSid });
      } catch (e) {
        if (!(e instanceof SddlError)) throw new Error(`iteration ${i}: ${String(e)} on ${t}`);
        continue;
      }
      accepted++;
      const again = parseSddl(toSddl(sd, { domainSid: corpus.domainSid }), { domainSid: corpus.domainSid });
      expect(again.dacl, t).toEqual(sd.dacl);
      serializeSecurityDescriptor(sd);
    }
    expect(accepted).toBeGreaterThan(SDDL_ITERATIONS / 50);
  }, 120_000);
});
