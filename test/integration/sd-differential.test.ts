/**
 * The security descriptor engine against the live lab DC: every descriptor read over LDAP
 * (domain root, OUs, containers, computers, users, groups, GPOs, a sample of schema and
 * configuration objects; with and without the SD-flags control) round-trips byte for byte, and
 * our SDDL equals what Samba's own decoder (samba.ndr + security.descriptor.as_sddl) prints,
 * without and with the domain SID. Complements the recorded corpus in test/fixtures/sd-corpus.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { parseSecurityDescriptor, serializeSecurityDescriptor, toSddl } from '../../src/security/index.js';
import { connectAs, lab } from './lab-env.js';

const SAMBA_SDDL = String.raw`
import sys, json, base64
from samba.ndr import ndr_unpack
from samba.dcerpc import security
req = json.load(sys.stdin)
dom = security.dom_sid(req['domainSid'])
out = []
for b64 in req['descriptors']:
    sd = ndr_unpack(security.descriptor, base64.b64decode(b64))
    out.append([sd.as_sddl(), sd.as_sddl(dom)])
print(json.dumps(out))
`;

describe('SDDL differential against Samba on the live lab', () => {
  it('round-trips and renders every descriptor exactly as Samba does', async () => {
    const m = lab();
    const dir = await connectAs('admin');
    const descriptors: Array<{ dn: string; flags: string; bytes: Buffer }> = [];
    try {
      const bases: Array<{ base: string; filter: string; scope: 'sub' | 'one' }> = [
        { base: m.baseDn, filter: '(|(objectClass=organizationalUnit)(objectClass=container)(objectClass=computer)(objectClass=user)(objectClass=group)(objectClass=groupPolicyContainer)(objectClass=domainDNS))', scope: 'sub' },
        { base: m.schemaDn, filter: '(|(cn=Computer)(cn=ms-Mcs-AdmPwd*)(cn=User)(cn=Organizational-Unit))', scope: 'one' },
        { base: m.configDn, filter: '(objectClass=*)', scope: 'one' },
      ];
      for (const flags of [undefined, 4, 5, 7]) {
        for (const b of bases) {
          const entries = await dir.searchAll({
            base: b.base,
            scope: b.scope,
            filter: b.filter,
            attributes: ['nTSecurityDescriptor'],
            binaryAttributes: ['nTSecurityDescriptor'],
            ...(flags === undefined ? {} : { sdFlags: flags }),
          });
          for (const e of entries) {
            const v = e.attributes['ntsecuritydescriptor']?.[0];
            if (Buffer.isBuffer(v)) descriptors.push({ dn: e.dn, flags: String(flags ?? 'none'), bytes: v });
          }
        }
      }
    } finally {
      await dir.close();
    }
    expect(descriptors.length).toBeGreaterThan(150);
    const r = spawnSync('/usr/bin/python3', ['-c', SAMBA_SDDL], {
      input: JSON.stringify({ domainSid: m.domainSid, descriptors: descriptors.map((d) => d.bytes.toString('base64')) }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, PYTHONPATH: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    const samba = JSON.parse(r.stdout) as Array<[string, string]>;
    const mismatches: string[] = [];
    descriptors.forEach((d, i) => {
      const sd = parseSecurityDescriptor(d.bytes);
      if (!serializeSecurityDescriptor(sd).equals(d.bytes)) mismatches.push(`${d.dn} (flags ${d.flags}): bytes differ after round trip`);
      const [plain, withDomain] = samba[i]!;
      if (toSddl(sd) !== plain) mismatches.push(`${d.dn} (flags ${d.flags}): SDDL differs\n  ours  ${toSddl(sd)}\n  samba ${plain}`);
      if (toSddl(sd, { domainSid: m.domainSid }) !== withDomain) mismatches.push(`${d.dn} (flags ${d.flags}): SDDL with domain SID differs`);
    });
    expect(mismatches).toEqual([]);
  });
});
