/**
 * Attributes whose values are secrets: the journal, the plan renderer and the exports record
 * only whether such an attribute is present and how long its values are, never the values.
 * A change can also be marked secret explicitly (for example a legacy attribute that an old
 * deployment renamed, detected by attributeID rather than by name).
 */

const SECRET_ATTRIBUTES = new Set(
  [
    // legacy LAPS and Windows LAPS payloads (LAPS-FACTS section 4)
    'ms-Mcs-AdmPwd',
    'msLAPS-Password',
    'msLAPS-EncryptedPassword',
    'msLAPS-EncryptedPasswordHistory',
    'msLAPS-EncryptedDSRMPassword',
    'msLAPS-EncryptedDSRMPasswordHistory',
    // KDS root key material (the other msKds-* attributes are parameters, not secrets)
    'msKds-RootKeyData',
    // account and trust secrets the tool must never echo even if a caller passes them
    'unicodePwd',
    'userPassword',
    'dBCSPwd',
    'ntPwdHistory',
    'lmPwdHistory',
    'supplementalCredentials',
    'currentValue',
    'priorValue',
    'trustAuthIncoming',
    'trustAuthOutgoing',
    'initialAuthIncoming',
    'initialAuthOutgoing',
    'msDS-ManagedPassword',
  ].map((n) => n.toLowerCase()),
);

/** Old legacy deployments renamed ms-Mcs-AdmPwd to ms-<Company>-AdmPwd (LAPS-FACTS section 4). */
const RENAMED_LEGACY_PASSWORD = /^ms-[a-z0-9]+-admpwd$/i;

/** True when values of this attribute must never be written to the journal, a plan or an export. */
export function isSecretAttribute(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_ATTRIBUTES.has(lower) || RENAMED_LEGACY_PASSWORD.test(lower);
}
