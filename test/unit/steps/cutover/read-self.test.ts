/** SELF coverage per computer from its own descriptor, each distinct descriptor parsed and evaluated once (issue 17 speed). */
import { describe, expect, it } from 'vitest';
import { sidToBytes } from '../../../../src/dtyp/sid.js';
import { COMPUTER_CLASS_GUID, LAPS_PROPERTY_SET_GUID } from '../../../../src/laps/attributes.js';
import { parseSddl, serializeSecurityDescriptor } from '../../../../src/security/index.js';
import { SelfCoverageReader } from '../../../../src/steps/cutover/read-self.js';
import { selfCoverage } from '../../../../src/steps/permissions/evaluate.js';
import type { LapsGuids } from '../../../../src/steps/permissions/model.js';

const DOM = 'S-1-5-21-1-2-3';
const G = (n: number) => `11111111-2222-3333-4444-55555555555${n}`;
const guids: LapsGuids = {
  computerClass: COMPUTER_CLASS_GUID,
  propertySet: LAPS_PROPERTY_SET_GUID,
  attributes: {
    password: { name: 'msLAPS-Password', guid: G(1), propertySet: LAPS_PROPERTY_SET_GUID },
    expiration: { name: 'msLAPS-PasswordExpirationTime', guid: G(2), propertySet: LAPS_PROPERTY_SET_GUID },
    encryptedPassword: { name: 'msLAPS-EncryptedPassword', guid: G(3), propertySet: LAPS_PROPERTY_SET_GUID },
    encryptedPasswordHistory: { name: 'msLAPS-EncryptedPasswordHistory', guid: G(4), propertySet: LAPS_PROPERTY_SET_GUID },
  },
};
const windowsWrite = (who: string) => [1, 2, 3, 4].map((n) => `(OA;;WP;${G(n)};;${who})`).join('') + `(OA;;RP;${G(2)};;${who})(OA;;RPCR;${G(3)};;${who})`;
const bytes = (sddl: string) => serializeSecurityDescriptor(parseSddl(sddl, { domainSid: DOM }));
const sid = (s: string) => Buffer.from(sidToBytes(s));
const PC1 = `${DOM}-2001`;
const PC2 = `${DOM}-2002`;

describe('SelfCoverageReader', () => {
  it('computers sharing a descriptor that names none of them: parsed once, one coverage, the same as evaluating each', () => {
    const sd = bytes(`O:DAD:(A;;RPLCLORC;;;AU)${windowsWrite('PS')}`);
    const reader = new SelfCoverageReader(guids, DOM);
    const a = reader.read(sd, sid(PC1));
    const b = reader.read(Buffer.from(sd), sid(PC2));
    expect(b.sd).toBe(a.sd);
    expect(b.coverage).toBe(a.coverage);
    expect(a.coverage).toEqual(selfCoverage(a.sd, guids, PC1, DOM));
    expect(a.coverage.windows).toBe(true);
    const without = reader.read(bytes('O:DAD:(A;;RPLCLORC;;;AU)'), sid(PC1));
    expect(without.coverage.windows).toBe(false);
    expect(without.coverage.missing).toContain('WP msLAPS-EncryptedPassword');
  });

  it('a descriptor that names a computer\'s own SID is evaluated for each computer (the grant is not SELF\'s)', () => {
    // the same bytes for both computers: the grant names PC1 only
    const sd = bytes(`O:DAD:(A;;RPLCLORC;;;AU)${windowsWrite(PC1)}`);
    const reader = new SelfCoverageReader(guids, DOM);
    expect(reader.read(sd, sid(PC1)).coverage.windows).toBe(true);
    expect(reader.read(sd, sid(PC2)).coverage.windows).toBe(false);
    expect(reader.read(sd, sid(PC1)).coverage.windows).toBe(true);
  });

  it('a malformed descriptor is an error, not a coverage', () => {
    const reader = new SelfCoverageReader(guids, DOM);
    expect(() => reader.read(Buffer.from([1, 0, 4, 0x80, 0xff, 0xff, 0xff, 0xff]), sid(PC1))).toThrow();
  });
});
