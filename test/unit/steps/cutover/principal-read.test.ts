/** Whether the encryption principal may read the encrypted password (and history) on a wave's computers. */
import { describe, expect, it } from 'vitest';
import { COMPUTER_CLASS_GUID, LAPS_PROPERTY_SET_GUID } from '../../../../src/laps/attributes.js';
import { parseSddl } from '../../../../src/security/index.js';
import { principalReadFindings, principalReadGaps } from '../../../../src/steps/cutover/principal-read.js';
import type { LapsGuids } from '../../../../src/steps/permissions/model.js';

const DOM = 'S-1-5-21-1-2-3';
const ADMINS = `${DOM}-1106`;
const OUTER = `${DOM}-1200`;
const ENC = '11111111-2222-3333-4444-555555555551';
const HIST = '11111111-2222-3333-4444-555555555552';
const guids: LapsGuids = {
  computerClass: COMPUTER_CLASS_GUID,
  propertySet: LAPS_PROPERTY_SET_GUID,
  attributes: { encryptedPassword: { name: 'msLAPS-EncryptedPassword', guid: ENC, propertySet: LAPS_PROPERTY_SET_GUID }, encryptedPasswordHistory: { name: 'msLAPS-EncryptedPasswordHistory', guid: HIST, propertySet: LAPS_PROPERTY_SET_GUID } },
};
const sd = (extra: string) => parseSddl(`D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU)${extra}`, { domainSid: DOM });
const PILOT = 'OU=Pilot,OU=Workstations,DC=lab';
const FIN = 'OU=Finance,OU=Workstations,DC=lab';

describe('principalReadGaps', () => {
  const token = [ADMINS, OUTER, 'S-1-1-0', 'S-1-5-11'];

  it('the property-set read delegation (Set-LapsADReadPasswordPermission) covers password and history; Authenticated Users\' plain read does not (confidential)', () => {
    const delegated = sd(`(OA;CIID;RPCR;${LAPS_PROPERTY_SET_GUID};${COMPUTER_CLASS_GUID};${ADMINS})`);
    const gaps = principalReadGaps([{ dn: `CN=A,${PILOT}`, sd: delegated }, { dn: `CN=B,${FIN}`, sd: sd('') }, { dn: `CN=C,${FIN}`, sd: sd('') }], guids, token, true);
    expect(gaps).toEqual([{ container: FIN, computers: 2, missing: ['msLAPS-EncryptedPassword', 'msLAPS-EncryptedPasswordHistory'] }]);
  });

  it('a delegation to a group the principal is nested in counts; read on the password alone leaves the history missing', () => {
    const nested = sd(`(OA;;RPCR;${ENC};;${OUTER})`);
    expect(principalReadGaps([{ dn: `CN=A,${PILOT}`, sd: nested }], guids, token, true)).toEqual([{ container: PILOT, computers: 1, missing: ['msLAPS-EncryptedPasswordHistory'] }]);
    // without a history only the password counts
    expect(principalReadGaps([{ dn: `CN=A,${PILOT}`, sd: nested }], guids, token, false)).toEqual([]);
    // Domain Admins (full control) read everything
    expect(principalReadGaps([{ dn: `CN=A,${PILOT}`, sd: sd('') }], guids, [`${DOM}-512`], true)).toEqual([]);
  });

  it('findings are warnings with the Set-LapsADReadPasswordPermission advice per container', () => {
    const f = principalReadFindings('pilot', 'LAB\\LAPS Admins', [{ container: FIN, computers: 2, missing: ['msLAPS-EncryptedPassword'] }]);
    expect(f).toMatchObject([{ code: 'CUTOVER_PRINCIPAL_CANNOT_READ', severity: 'warning', object: FIN, count: 2 }]);
    expect(f[0]!.advice).toContain(`Set-LapsADReadPasswordPermission -Identity '${FIN}' -AllowedPrincipals 'LAB\\LAPS Admins'`);
  });
});
