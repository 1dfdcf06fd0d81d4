/**
 * Finds the LAPS attributes in the schema by attributeID (a forest may have renamed the legacy
 * ones), with what the other steps need: the name in use, schemaIDGUID, msDS-IntId (to read
 * replPropertyMetaData), searchFlags and attributeSecurityGUID.
 */
import { LAPS_ATTRIBUTES, type LapsAttributeKey } from '../laps/attributes.js';
import { guidFromBytes } from '../dtyp/guid.js';
import { firstBinary, firstString } from './entry.js';
import { intIdToAttid } from './repl-metadata.js';
import type { Directory } from './types.js';

export interface SchemaAttribute {
  key: LapsAttributeKey;
  dn: string;
  name: string;
  attributeId: string;
  schemaIdGuid: string | undefined;
  attributeSecurityGuid: string | undefined;
  /** Unsigned attid used in replPropertyMetaData (from msDS-IntId), when the schema has one. */
  attid: number | undefined;
  searchFlags: number;
  singleValued: boolean;
  attributeSyntax: string;
  oMSyntax: number;
}

export type LapsSchema = Partial<Record<LapsAttributeKey, SchemaAttribute>>;

export async function readLapsSchema(dir: Directory, schemaDn?: string): Promise<LapsSchema> {
  const base = schemaDn ?? (await dir.rootDse()).schemaNamingContext;
  const filter = `(&(objectClass=attributeSchema)(|${LAPS_ATTRIBUTES.map((a) => `(attributeID=${a.attributeId})`).join('')}))`;
  const entries = await dir.searchAll({
    base,
    scope: 'one',
    filter,
    attributes: ['lDAPDisplayName', 'attributeID', 'schemaIDGUID', 'attributeSecurityGUID', 'msDS-IntId', 'searchFlags', 'isSingleValued', 'attributeSyntax', 'oMSyntax'],
    binaryAttributes: ['schemaIDGUID', 'attributeSecurityGUID'],
  });
  const out: LapsSchema = {};
  for (const e of entries) {
    const s = (n: string) => firstString(e, n);
    const b = (n: string) => {
      const v = firstBinary(e, n);
      return v?.length === 16 ? guidFromBytes(v) : undefined;
    };
    const def = LAPS_ATTRIBUTES.find((a) => a.attributeId === s('attributeID'));
    if (!def) continue;
    const intId = s('msDS-IntId');
    out[def.key] = {
      key: def.key,
      dn: e.dn,
      name: s('lDAPDisplayName') ?? def.name,
      attributeId: def.attributeId,
      schemaIdGuid: b('schemaIDGUID'),
      attributeSecurityGuid: b('attributeSecurityGUID'),
      attid: intId === undefined ? undefined : intIdToAttid(intId),
      searchFlags: Number(s('searchFlags') ?? 0),
      singleValued: (s('isSingleValued') ?? '').toUpperCase() === 'TRUE',
      attributeSyntax: s('attributeSyntax') ?? '',
      oMSyntax: Number(s('oMSyntax') ?? 0),
    };
  }
  return out;
}
