/**
 * Mutation fuzzing of the Registry.pol reader: every mutated file either parses, and then writes
 * back to exactly the same bytes (and survives an edit that keeps the other entries' bytes), or
 * fails with a RegistryPolError whose offset lies inside the file; never another exception.
 * The PRNG is seeded: a failure names the seed and iteration.
 */
import { describe, expect, it } from 'vitest';
import { dwordEntry, parseRegistryPol, RegistryPolError, removePolicyValue, setPolicyValue, stringEntry, writeRegistryPol } from '../../../src/laps/registry-pol.js';
import { prng } from '../seeded-prng.js';

const ITERATIONS = Number(process.env.POL_FUZZ_ITERATIONS ?? 50_000);
const SEED = Number(process.env.POL_FUZZ_SEED ?? 0x9e3779b9);
const LAPS = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS';
const LEGACY = 'Software\\Policies\\Microsoft Services\\AdmPwd';


const SEEDS = [
  writeRegistryPol([]),
  writeRegistryPol([dwordEntry(LEGACY, 'AdmPwdEnabled', 1), dwordEntry(LEGACY, 'PasswordLength', 14)]),
  writeRegistryPol([
    dwordEntry(LAPS, 'BackupDirectory', 2),
    stringEntry(LAPS, 'ADPasswordEncryptionPrincipal', 'S-1-5-21-1-2-3-512'),
    dwordEntry(LAPS, 'ADEncryptedPasswordHistorySize', 12),
    stringEntry(LAPS, '**del.AdministratorAccountName', ' '),
    { key: 'Software\\X', value: 'Blob', type: 3, data: Buffer.from([1, 2, 3]) },
  ]),
];
const INTERESTING_32 = [0, 1, 2, 4, 0x5b, 0x3b, 0x5d, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(src: Buffer, rnd: () => number): Buffer {
  const pick = (n: number) => Math.floor(rnd() * n);
  let b = Buffer.from(src);
  for (let r = 0, rounds = 1 + pick(3); r < rounds; r++) {
    const at = b.length ? pick(b.length) : 0;
    switch (pick(8)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << pick(8));
        break;
      case 1:
        if (b.length) b[at] = pick(256);
        break;
      case 2:
        if (at + 4 <= b.length) b.writeUInt32LE(INTERESTING_32[pick(INTERESTING_32.length)]! >>> 0, at);
        break;
      case 3: // a structural character somewhere
        if (at + 2 <= b.length) b.write(['[', ';', ']', '\0'][pick(4)]!, at, 'utf16le');
        break;
      case 4:
        b = b.subarray(0, pick(b.length + 1));
        break;
      case 5:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + pick(8)))]);
        break;
      case 6:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(6) }, () => pick(256))), b.subarray(at)]);
        break;
      case 7: // duplicate a chunk (often a whole entry)
        if (b.length > 10) {
          const from = 8 + pick(b.length - 8);
          b = Buffer.concat([b, b.subarray(from, from + 2 + pick(60))]);
        }
        break;
    }
  }
  return b;
}

describe('fuzz: mutated Registry.pol files', () => {
  it(`${ITERATIONS} mutations parse and round-trip, or fail with RegistryPolError`, () => {
    const rnd = prng(SEED);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const input = mutate(SEEDS[Math.floor(rnd() * SEEDS.length)]!, rnd);
      let entries;
      try {
        entries = parseRegistryPol(input);
      } catch (e) {
        if (!(e instanceof RegistryPolError)) throw new Error(`seed ${SEED} iteration ${i}: ${String(e)} on ${input.toString('hex')}`);
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(input.length);
        rejected++;
        continue;
      }
      accepted++;
      if (!writeRegistryPol(entries).equals(input)) throw new Error(`seed ${SEED} iteration ${i}: round trip differs for ${input.toString('hex')}`);
      if (i % 4 === 0 && entries.length) {
        // an edit of one value keeps the other entries byte for byte
        const victim = entries[Math.floor(rnd() * entries.length)]!;
        const others = entries.filter((e) => e !== victim && !(e.key.toLowerCase() === victim.key.toLowerCase() && e.value.toLowerCase() === victim.value.toLowerCase()));
        const removed = writeRegistryPol(removePolicyValue(entries, victim.key, victim.value));
        expect(removed.equals(writeRegistryPol(others))).toBe(true);
        const set = parseRegistryPol(writeRegistryPol(setPolicyValue(entries, dwordEntry(LAPS, 'PasswordAgeDays', 7))));
        expect(set.length).toBeGreaterThan(0);
      }
    }
    console.log(`Registry.pol fuzz: ${ITERATIONS} inputs, ${accepted} accepted, ${rejected} rejected`);
    expect(accepted).toBeGreaterThan(ITERATIONS / 50);
    expect(rejected).toBeGreaterThan(ITERATIONS / 20);
  }, 120_000);
});
