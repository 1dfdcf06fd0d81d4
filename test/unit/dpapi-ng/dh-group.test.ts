/**
 * Windows' default DH group (RFC 5114 2.3) has a 256-bit prime-order subgroup: agreements reduce
 * the 512-bit derived private key modulo q and get the same public key and shared secrets.
 */
import { createDiffieHellman, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RFC5114_2048_256_G, RFC5114_2048_256_P, RFC5114_2048_256_Q, agreementExponent } from '../../../src/dpapi-ng/dh-group.js';

const big = (b: Buffer) => BigInt(`0x${b.toString('hex')}`);
function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % mod;
    b = (b * b) % mod;
  }
  return r;
}

describe('RFC 5114 2048-bit group with a 256-bit subgroup', () => {
  const p = big(RFC5114_2048_256_P);
  const g = big(RFC5114_2048_256_G);
  const q = RFC5114_2048_256_Q;

  it('q divides p-1 and is the order of g (so x mod q is exact for g^r)', () => {
    expect(RFC5114_2048_256_P.length).toBe(256);
    expect(q.toString(2)).toHaveLength(256);
    expect((p - 1n) % q).toBe(0n);
    expect(modPow(g, q, p)).toBe(1n);
    expect(modPow(g, q / 2n, p)).not.toBe(1n);
  });

  it('the reduced exponent gives the same public key and the same shared secret as the 512-bit key', () => {
    for (let i = 0; i < 5; i++) {
      const x = randomBytes(64);
      const r = randomBytes(64);
      const reduced = agreementExponent(RFC5114_2048_256_P, RFC5114_2048_256_G, x)!;
      expect(reduced).toHaveLength(32);
      const full = createDiffieHellman(RFC5114_2048_256_P, RFC5114_2048_256_G);
      full.setPrivateKey(x);
      const fast = createDiffieHellman(RFC5114_2048_256_P, RFC5114_2048_256_G);
      fast.setPrivateKey(reduced);
      expect(fast.generateKeys()).toEqual(full.generateKeys());
      const peer = createDiffieHellman(RFC5114_2048_256_P, RFC5114_2048_256_G);
      peer.setPrivateKey(r);
      const y = peer.generateKeys();
      expect(fast.computeSecret(y)).toEqual(full.computeSecret(y));
    }
  });

  it('another group is left alone; a key that is a multiple of q has no exponent', () => {
    const other = Buffer.from(RFC5114_2048_256_P);
    other[255]! ^= 2;
    const x = randomBytes(64);
    expect(agreementExponent(other, RFC5114_2048_256_G, x)).toBe(x);
    const multiple = Buffer.from((q * 3n).toString(16).padStart(128, '0'), 'hex');
    expect(agreementExponent(RFC5114_2048_256_P, RFC5114_2048_256_G, multiple)).toBeUndefined();
  });
});
