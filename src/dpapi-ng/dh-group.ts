/**
 * RFC 5114 section 2.3, "2048-bit MODP Group with 256-bit Prime Order Subgroup": the DH group of
 * every DH KDS root key Windows creates (msKds-SecretAgreementParam, MS-GKDI 2.2.2 / 3.1.4.1.2).
 * Its generator has the prime order q (g^q = 1 mod p, q | p-1; checked by the unit tests), so for
 * any public value in that subgroup (g^r), y^x = y^(x mod q): a DH agreement can use the 256-bit
 * x mod q instead of the 512-bit private key MS-GKDI derives (msKds-PrivateKeyLength 512), which
 * halves the modular exponentiation (the cutover decrypts 10,000s of blobs). Both sides of an
 * honest exchange stay in the subgroup; a public value crafted outside it only fails to decrypt.
 */
export const RFC5114_2048_256_P = Buffer.from(
  '87a8e61db4b6663cffbbd19c651959998ceef608660dd0f25d2ceed4435e3b00e00df8f1d61957d4faf7df4561b2aa30' +
  '16c3d91134096faa3bf4296d830e9a7c209e0c6497517abd5a8a9d306bcf67ed91f9e6725b4758c022e0b1ef4275bf7b' +
  '6c5bfc11d45f9088b941f54eb1e59bb8bc39a0bf12307f5c4fdb70c581b23f76b63acae1caa6b7902d52526735488a0e' +
  'f13c6d9a51bfa4ab3ad8347796524d8ef6a167b5a41825d967e144e5140564251ccacb83e6b486f6b3ca3f7971506026' +
  'c0b857f689962856ded4010abd0be621c3a3960a54e710c375f26375d7014103a4b54330c198af126116d2276e11715f' +
  '693877fad7ef09cadb094ae91e1a1597',
  'hex',
);
export const RFC5114_2048_256_G = Buffer.from(
  '3fb32c9b73134d0b2e77506660edbd484ca7b18f21ef205407f4793a1a0ba12510dbc15077be463fff4fed4aac0bb555' +
  'be3a6c1b0c6b47b1bc3773bf7e8c6f62901228f8c28cbb18a55ae31341000a650196f931c77a57f2ddf463e5e9ec144b' +
  '777de62aaab8a8628ac376d282d6ed3864e67982428ebc831d14348f6f2f9193b5045af2767164e1dfc967c1fb3f2e55' +
  'a4bd1bffe83b9c80d052b985d182ea0adb2a3b7313d3fe14c8484b1e052588b9b7d2bbd2df016199ecd06e1557cd0915' +
  'b3353bbb64e0ec377fd028370df92b52c7891428cdc67eb6184b523d1db246c32f63078490f00ef8d647d148d4795451' +
  '5e2327cfef98c582664b4c0f6cc41659',
  'hex',
);
export const RFC5114_2048_256_Q = BigInt('0x8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3');
/** Bytes of an exponent reduced modulo q. */
const Q_LENGTH = 32;

/**
 * The exponent to use in a DH agreement with `privateKey` in the group (p, g): reduced modulo q
 * in the RFC 5114 2048-bit group, unchanged in any other group (its subgroup order is unknown).
 * Undefined when the reduction is zero (a degenerate key: the caller fails the agreement).
 */
export function agreementExponent(p: Buffer, g: Buffer, privateKey: Buffer): Buffer | undefined {
  if (!p.equals(RFC5114_2048_256_P) || !g.equals(RFC5114_2048_256_G)) return privateKey;
  const x = BigInt(`0x${privateKey.toString('hex') || '0'}`) % RFC5114_2048_256_Q;
  if (x === 0n) return undefined;
  return Buffer.from(x.toString(16).padStart(Q_LENGTH * 2, '0'), 'hex');
}
