/**
 * Does a computer still depend on legacy LAPS, as the directory alone shows it (pure)? The rule
 * steps 3 and 4 share with cleanup so a rerun never re-grants what cleanup removed: a computer
 * depends on legacy while it holds a legacy expiration time and no Windows LAPS password was
 * written after its last legacy write (originating times from replPropertyMetaData). Once cleanup
 * cleared the legacy attributes the computer holds no legacy expiration: it depends no more.
 */

export interface LegacyDependenceFacts {
  /** ms-Mcs-AdmPwdExpirationTime is set (legacy LAPS or emulation manages, or managed, it). */
  legacyExpirationPresent: boolean;
  /** Last originating write of ms-Mcs-AdmPwd. */
  legacyWrittenAt?: Date | undefined;
  /** Last originating write of msLAPS-Password or msLAPS-EncryptedPassword (the later one). */
  nativeWrittenAt?: Date | undefined;
}

export function dependsOnLegacy(f: LegacyDependenceFacts): boolean {
  if (!f.legacyExpirationPresent) return false;
  if (!f.nativeWrittenAt) return true;
  return !!f.legacyWrittenAt && f.legacyWrittenAt.getTime() >= f.nativeWrittenAt.getTime();
}

/** The later of two optional dates. */
export function laterOf(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
