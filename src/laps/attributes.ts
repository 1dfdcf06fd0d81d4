/**
 * The LAPS attributes (LAPS-FACTS section 4). Names are what Microsoft ships; a forest may have
 * renamed the legacy ones, so the tool finds them by attributeID, never by name.
 */
export type LapsAttributeKey =
  | 'legacyPassword'
  | 'legacyExpiration'
  | 'password'
  | 'expiration'
  | 'encryptedPassword'
  | 'encryptedPasswordHistory'
  | 'encryptedDsrmPassword'
  | 'encryptedDsrmPasswordHistory'
  | 'currentPasswordVersion';

export interface LapsAttributeDefinition {
  key: LapsAttributeKey;
  family: 'legacy' | 'windows';
  name: string;
  attributeId: string;
  attributeSyntax: string;
  oMSyntax: number;
  singleValued: boolean;
  searchFlags: number;
  /** Holds a secret (clear or encrypted password): never journaled or reported by value. */
  secret: boolean;
  /** In the ms-LAPS-Encrypted-Password-Attributes property set. */
  inPropertySet: boolean;
  description: string;
}

const LEGACY_PREFIX = '1.2.840.113556.1.8000.2554.50051.45980.28112.18903.35903.6685103.1224907.2';

export const LAPS_ATTRIBUTES: LapsAttributeDefinition[] = [
  { key: 'legacyPassword', family: 'legacy', name: 'ms-Mcs-AdmPwd', attributeId: `${LEGACY_PREFIX}.1`, attributeSyntax: '2.5.5.5', oMSyntax: 19, singleValued: true, searchFlags: 904, secret: true, inPropertySet: false, description: 'legacy LAPS clear-text password' },
  { key: 'legacyExpiration', family: 'legacy', name: 'ms-Mcs-AdmPwdExpirationTime', attributeId: `${LEGACY_PREFIX}.2`, attributeSyntax: '2.5.5.16', oMSyntax: 65, singleValued: true, searchFlags: 0, secret: false, inPropertySet: false, description: 'legacy LAPS password expiration time' },
  { key: 'expiration', family: 'windows', name: 'msLAPS-PasswordExpirationTime', attributeId: '1.2.840.113556.1.6.44.1.1', attributeSyntax: '2.5.5.16', oMSyntax: 65, singleValued: true, searchFlags: 0, secret: false, inPropertySet: false, description: 'Windows LAPS password expiration time' },
  { key: 'password', family: 'windows', name: 'msLAPS-Password', attributeId: '1.2.840.113556.1.6.44.1.2', attributeSyntax: '2.5.5.5', oMSyntax: 19, singleValued: true, searchFlags: 904, secret: true, inPropertySet: false, description: 'Windows LAPS clear-text password (JSON)' },
  { key: 'encryptedPassword', family: 'windows', name: 'msLAPS-EncryptedPassword', attributeId: '1.2.840.113556.1.6.44.1.3', attributeSyntax: '2.5.5.10', oMSyntax: 4, singleValued: true, searchFlags: 904, secret: true, inPropertySet: true, description: 'Windows LAPS encrypted password' },
  { key: 'encryptedPasswordHistory', family: 'windows', name: 'msLAPS-EncryptedPasswordHistory', attributeId: '1.2.840.113556.1.6.44.1.4', attributeSyntax: '2.5.5.10', oMSyntax: 4, singleValued: false, searchFlags: 904, secret: true, inPropertySet: true, description: 'Windows LAPS encrypted password history' },
  { key: 'encryptedDsrmPassword', family: 'windows', name: 'msLAPS-EncryptedDSRMPassword', attributeId: '1.2.840.113556.1.6.44.1.5', attributeSyntax: '2.5.5.10', oMSyntax: 4, singleValued: true, searchFlags: 904, secret: true, inPropertySet: true, description: 'Windows LAPS encrypted DSRM password' },
  { key: 'encryptedDsrmPasswordHistory', family: 'windows', name: 'msLAPS-EncryptedDSRMPasswordHistory', attributeId: '1.2.840.113556.1.6.44.1.6', attributeSyntax: '2.5.5.10', oMSyntax: 4, singleValued: false, searchFlags: 904, secret: true, inPropertySet: true, description: 'Windows LAPS encrypted DSRM password history' },
  { key: 'currentPasswordVersion', family: 'windows', name: 'msLAPS-CurrentPasswordVersion', attributeId: '1.2.840.113556.1.6.44.1.7', attributeSyntax: '2.5.5.10', oMSyntax: 4, singleValued: true, searchFlags: 904, secret: false, inPropertySet: true, description: 'Windows LAPS current password version (GUID)' },
];

export const LAPS_PROPERTY_SET_GUID = 'f3531ec6-6330-4f8e-8d39-7a671fbac605';
export const LAPS_PROPERTY_SET_NAME = 'ms-LAPS-Encrypted-Password-Attributes';
export const COMPUTER_CLASS_GUID = 'bf967a86-0de6-11d0-a285-00aa003049e2';

export function lapsAttribute(key: LapsAttributeKey): LapsAttributeDefinition {
  const d = LAPS_ATTRIBUTES.find((a) => a.key === key);
  if (!d) throw new Error(`unknown LAPS attribute ${key}`);
  return d;
}

/** searchFlags bits */
export const SEARCH_FLAG_CONFIDENTIAL = 0x80;
