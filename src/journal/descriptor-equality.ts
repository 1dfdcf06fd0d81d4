/**
 * When are two DACLs "the same" for planning? The DC computes inherited ACEs itself: a change
 * to a parent OU rewrites the inherited part of every child's descriptor. So a child's plan is
 * still valid (and a write still verified) when only inherited ACEs moved: compare the control
 * bits that a writer sets (protection, auto-inherit) and the explicit ACEs, in order.
 */
import { AceFlag, parseSecurityDescriptor, serializeSecurityDescriptor, SdControl } from '../security/index.js';

function explicitPart(buf: Buffer): Buffer | undefined {
  try {
    const sd = parseSecurityDescriptor(buf);
    const keep = SdControl.DACL_PROTECTED | SdControl.DACL_PRESENT;
    const dacl = sd.dacl ? { ...sd.dacl, aces: sd.dacl.aces.filter((a) => (a.flags & AceFlag.INHERITED) === 0) } : null;
    return serializeSecurityDescriptor({ ...sd, control: sd.control & keep, dacl, sacl: null });
  } catch {
    return undefined;
  }
}

/** Byte-equal, or equal in everything a writer controls (explicit ACEs and DACL protection). */
export function descriptorsEquivalent(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  const x = explicitPart(a);
  const y = explicitPart(b);
  return !!x && !!y && x.equals(y);
}
