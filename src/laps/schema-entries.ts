/**
 * The directory objects Microsoft's Update-LapsADSchema creates (LAPS-FACTS section 4): seven
 * attributeSchema objects, the ms-LAPS-Encrypted-Password-Attributes extended right (a
 * property set), and the computer class mayContain additions. Pure: DNs and values only.
 */
import { guidToBytes } from '../dtyp/guid.js';
import { COMPUTER_CLASS_GUID, LAPS_ATTRIBUTES, LAPS_PROPERTY_SET_GUID, LAPS_PROPERTY_SET_NAME, type LapsAttributeDefinition } from './attributes.js';

export interface SchemaEntry {
  dn: string;
  attributes: Record<string, Array<string | Buffer>>;
}

/** "msLAPS-EncryptedPassword" -> "ms-LAPS-EncryptedPassword" (the cn Microsoft uses). */
export function lapsCommonName(def: LapsAttributeDefinition): string {
  return def.name.replace(/^msLAPS-/, 'ms-LAPS-');
}

export function windowsLapsAttributeEntries(schemaDn: string): SchemaEntry[] {
  return LAPS_ATTRIBUTES.filter((a) => a.family === 'windows').map((a) => {
    const cn = lapsCommonName(a);
    const attributes: Record<string, Array<string | Buffer>> = {
      objectClass: ['top', 'attributeSchema'],
      cn: [cn],
      lDAPDisplayName: [a.name],
      adminDisplayName: [cn],
      adminDescription: [a.description],
      attributeID: [a.attributeId],
      attributeSyntax: [a.attributeSyntax],
      oMSyntax: [String(a.oMSyntax)],
      isSingleValued: [a.singleValued ? 'TRUE' : 'FALSE'],
      searchFlags: [String(a.searchFlags)],
      systemOnly: ['FALSE'],
      isMemberOfPartialAttributeSet: ['FALSE'],
      showInAdvancedViewOnly: ['TRUE'],
    };
    if (a.key === 'currentPasswordVersion') {
      attributes.rangeLower = ['16'];
      attributes.rangeUpper = ['16'];
    }
    if (a.inPropertySet) attributes.attributeSecurityGUID = [guidToBytes(LAPS_PROPERTY_SET_GUID)];
    return { dn: `CN=${cn},${schemaDn}`, attributes };
  });
}

export function lapsExtendedRightEntry(configDn: string): SchemaEntry {
  return {
    dn: `CN=${LAPS_PROPERTY_SET_NAME},CN=Extended-Rights,${configDn}`,
    attributes: {
      objectClass: ['top', 'controlAccessRight'],
      cn: [LAPS_PROPERTY_SET_NAME],
      displayName: [LAPS_PROPERTY_SET_NAME],
      rightsGuid: [LAPS_PROPERTY_SET_GUID],
      validAccesses: ['48'],
      appliesTo: [COMPUTER_CLASS_GUID],
      showInAdvancedViewOnly: ['TRUE'],
    },
  };
}

/** lDAPDisplayNames to add to the computer class's mayContain. */
export function windowsLapsMayContain(): string[] {
  return LAPS_ATTRIBUTES.filter((a) => a.family === 'windows').map((a) => a.name);
}
