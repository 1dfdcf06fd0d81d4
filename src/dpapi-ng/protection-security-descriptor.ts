/**
 * The security descriptor that GKDI mixes into the L1 seed key for a "SID=..." protection
 * descriptor: SDDL O:SYG:SYD:(A;;CCDC;;;<SID>)(A;;DC;;;WD), self-relative, laid out the way
 * Windows sends it to GetKey (MS-DTYP 2.4.6; DACL first, then owner, then group):
 *   header (20 bytes, control SE_SELF_RELATIVE|SE_DACL_PRESENT, no SACL)
 *   DACL (revision 2): ACCESS_ALLOWED <SID> mask 0x3, ACCESS_ALLOWED S-1-1-0 mask 0x2
 *   owner S-1-5-18, group S-1-5-18
 * The exact bytes matter: one different byte gives a different key.
 */
import { descriptorSidToBytes as sidToBytes } from '../dtyp/sid.js';

const SYSTEM = sidToBytes('S-1-5-18')!;
const EVERYONE = sidToBytes('S-1-1-0')!;
const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;
const ACCESS_ALLOWED_ACE_TYPE = 0;

function ace(sid: Buffer, mask: number): Buffer {
  const out = Buffer.alloc(8 + sid.length);
  out[0] = ACCESS_ALLOWED_ACE_TYPE;
  out[1] = 0; // no inheritance flags
  out.writeUInt16LE(out.length, 2);
  out.writeUInt32LE(mask, 4);
  sid.copy(out, 8);
  return out;
}

/** Self-relative SD bytes for a SID protection descriptor; throws RangeError for an invalid SID. */
export function protectionSecurityDescriptor(sid: string): Buffer {
  const target = sidToBytes(sid);
  if (!target) throw new RangeError('invalid SID');
  const aces = [ace(target, 0x3), ace(EVERYONE, 0x2)];
  const aceBytes = Buffer.concat(aces);
  const acl = Buffer.alloc(8);
  acl[0] = 2; // ACL_REVISION
  acl.writeUInt16LE(8 + aceBytes.length, 2);
  acl.writeUInt16LE(aces.length, 4);
  const dacl = Buffer.concat([acl, aceBytes]);
  const header = Buffer.alloc(20);
  header[0] = 1; // revision
  header.writeUInt16LE(SE_SELF_RELATIVE | SE_DACL_PRESENT, 2);
  const daclOffset = 20;
  const ownerOffset = daclOffset + dacl.length;
  const groupOffset = ownerOffset + SYSTEM.length;
  header.writeUInt32LE(ownerOffset, 4);
  header.writeUInt32LE(groupOffset, 8);
  header.writeUInt32LE(0, 12); // no SACL
  header.writeUInt32LE(daclOffset, 16);
  return Buffer.concat([header, dacl, SYSTEM, SYSTEM]);
}
