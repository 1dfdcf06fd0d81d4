/**
 * Both LAPS schemas attribute by attribute: found by attributeID, compared with Microsoft's
 * definition (Update-LapsADSchema's entries), listed in the computer class or not; and the
 * ms-LAPS-Encrypted-Password-Attributes extended right.
 */
import { guidFromBytes } from '../../dtyp/guid.js';
import { allStrings, firstBuffer, firstString } from '../../directory/entry.js';
import type { DirEntry } from '../../directory/types.js';
import { COMPUTER_CLASS_GUID, LAPS_PROPERTY_SET_GUID, LAPS_PROPERTY_SET_NAME, SEARCH_FLAG_CONFIDENTIAL, type LapsAttributeDefinition } from '../../laps/attributes.js';
import { lapsCommonName, windowsLapsAttributeEntries } from '../../laps/schema-entries.js';
import type { SchemaSnapshot } from '../schema-snapshot.js';
import { type AttributeDifference, type AttributeStatus, type ExtendedRightStatus, PROPERTY_SET_VALID_ACCESSES } from './model.js';

export const lower = (s: string) => s.toLowerCase();

export function num(e: DirEntry | undefined, name: string): number | null {
  const v = e ? firstString(e, name) : undefined;
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return null;
  return Number(v.trim());
}

function guidOf(e: DirEntry, name: string): string | null {
  const b = firstBuffer(e, name);
  return b && b.length === 16 ? guidFromBytes(b) : null;
}

function bool(e: DirEntry, name: string): boolean | null {
  const v = firstString(e, name);
  if (v === undefined) return null;
  return v.toUpperCase() === 'TRUE';
}

export function searchFlagBits(n: number): string {
  const names: Array<[number, string]> = [
    [0x1, 'indexed'],
    [0x2, 'container-indexed'],
    [0x4, 'ANR'],
    [0x8, 'preserve-on-delete'],
    [0x10, 'copy'],
    [0x20, 'tuple-index'],
    [0x40, 'subtree-index'],
    [0x80, 'confidential'],
    [0x100, 'never-value-audit'],
    [0x200, 'RODC-filtered'],
  ];
  const set = names.filter(([b]) => (n & b) === b).map(([, s]) => s);
  return `${n}${set.length ? ` (${set.join(', ')})` : ''}`;
}

/** The computer class's mayContain + systemMayContain, lower-cased. */
export function computerMayContain(s: SchemaSnapshot): Set<string> {
  const c = s.computerClass;
  if (!c) return new Set();
  return new Set([...allStrings(c, 'mayContain'), ...allStrings(c, 'systemMayContain')].map(lower));
}

/** Expected attributeSchema values for a Windows LAPS attribute (what Update-LapsADSchema writes). */
function expectedWindowsEntry(def: LapsAttributeDefinition, schemaDn: string): Record<string, Array<string | Buffer>> {
  const e = windowsLapsAttributeEntries(schemaDn).find((x) => lower(firstValue(x.attributes, 'lDAPDisplayName') ?? '') === lower(def.name));
  if (!e) throw new Error(`no schema entry for ${def.name}`);
  return e.attributes;
}

function firstValue(attrs: Record<string, Array<string | Buffer>>, name: string): string | undefined {
  const v = Object.entries(attrs).find(([k]) => lower(k) === lower(name))?.[1]?.[0];
  return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8');
}

function compareWindows(def: LapsAttributeDefinition, e: DirEntry, schemaDn: string): AttributeDifference[] {
  const exp = expectedWindowsEntry(def, schemaDn);
  const d: AttributeDifference[] = [];
  const name = firstString(e, 'lDAPDisplayName') ?? '';
  if (lower(name) !== lower(def.name)) {
    d.push({ property: 'lDAPDisplayName', expected: def.name, found: name, severity: 'blocker', fixable: false, why: 'Windows LAPS clients and tools address the attribute by this name' });
  }
  const syntax = firstString(e, 'attributeSyntax') ?? '';
  if (syntax !== def.attributeSyntax) {
    d.push({ property: 'attributeSyntax', expected: def.attributeSyntax, found: syntax || '(none)', severity: 'blocker', fixable: false, why: 'clients write values of the documented syntax' });
  }
  const om = num(e, 'oMSyntax');
  if (om !== def.oMSyntax) d.push({ property: 'oMSyntax', expected: String(def.oMSyntax), found: om === null ? '(none)' : String(om), severity: 'blocker', fixable: false, why: 'clients write values of the documented syntax' });
  const single = bool(e, 'isSingleValued');
  if (single !== def.singleValued) {
    d.push({ property: 'isSingleValued', expected: def.singleValued ? 'TRUE' : 'FALSE', found: single === null ? '(none)' : single ? 'TRUE' : 'FALSE', severity: 'blocker', fixable: false, why: def.singleValued ? 'one current value per computer' : 'history keeps several values' });
  }
  const sf = num(e, 'searchFlags') ?? 0;
  if (sf !== def.searchFlags) {
    const confidentialLost = (def.searchFlags & SEARCH_FLAG_CONFIDENTIAL) !== 0 && (sf & SEARCH_FLAG_CONFIDENTIAL) === 0;
    d.push({
      property: 'searchFlags',
      expected: searchFlagBits(def.searchFlags),
      found: searchFlagBits(sf),
      severity: confidentialLost ? 'blocker' : 'warning',
      fixable: true,
      why: confidentialLost
        ? 'without the confidential flag any account with Read All Properties on a computer can read the value'
        : (def.searchFlags & 0x200) !== 0 && (sf & 0x200) === 0
          ? 'without RODC filtering read-only DCs replicate the value'
          : 'differs from what Update-LapsADSchema sets',
    });
  }
  const expGuid = def.inPropertySet ? LAPS_PROPERTY_SET_GUID : null;
  const foundGuid = guidOf(e, 'attributeSecurityGUID');
  if (expGuid !== foundGuid) {
    d.push({
      property: 'attributeSecurityGUID',
      expected: expGuid ? `${expGuid} (${LAPS_PROPERTY_SET_NAME})` : '(not set)',
      found: foundGuid ?? '(not set)',
      severity: expGuid ? 'blocker' : 'warning',
      fixable: true,
      why: expGuid
        ? 'SELF and reader permissions are granted on the property set: without it computers cannot write their encrypted password'
        : 'permissions granted on a property set would reach this attribute unexpectedly',
    });
  }
  for (const prop of ['rangeLower', 'rangeUpper']) {
    const want = firstValue(exp, prop);
    const got = firstString(e, prop);
    if ((want ?? '') !== (got ?? '')) {
      d.push({ property: prop, expected: want ?? '(not set)', found: got ?? '(not set)', severity: 'warning', fixable: true, why: 'the value is a 16-byte GUID' });
    }
  }
  if (bool(e, 'systemOnly') === true) d.push({ property: 'systemOnly', expected: 'FALSE', found: 'TRUE', severity: 'blocker', fixable: false, why: 'only the system could write it' });
  if (bool(e, 'isMemberOfPartialAttributeSet') === true) {
    d.push({ property: 'isMemberOfPartialAttributeSet', expected: 'FALSE', found: 'TRUE', severity: 'warning', fixable: true, why: 'values would replicate to every global catalog' });
  }
  const cn = firstString(e, 'cn');
  if (cn !== undefined && lower(cn) !== lower(lapsCommonName(def))) {
    d.push({ property: 'cn', expected: lapsCommonName(def), found: cn, severity: 'info', fixable: false, why: 'cosmetic: tools use the lDAPDisplayName' });
  }
  return d;
}

export function attributeStatus(def: LapsAttributeDefinition, s: SchemaSnapshot, mayContain: Set<string>): AttributeStatus {
  const byId = s.attributeSchemas.find((e) => firstString(e, 'attributeID') === def.attributeId);
  const base: AttributeStatus = {
    key: def.key,
    family: def.family,
    expectedName: def.name,
    attributeId: def.attributeId,
    status: 'missing',
    dn: null,
    name: null,
    schemaIdGuid: null,
    searchFlags: null,
    inComputerMayContain: false,
    differences: [],
    conflict: null,
  };
  if (byId) {
    const name = firstString(byId, 'lDAPDisplayName') ?? def.name;
    const differences = def.family === 'windows' ? compareWindows(def, byId, s.naming.schemaNamingContext) : [];
    return {
      ...base,
      status: differences.some((d) => d.severity !== 'info') ? 'mismatch' : 'ok',
      dn: byId.dn,
      name,
      schemaIdGuid: guidOf(byId, 'schemaIDGUID'),
      searchFlags: num(byId, 'searchFlags') ?? 0,
      inComputerMayContain: mayContain.has(lower(name)),
      differences,
    };
  }
  if (def.family === 'windows') {
    const cn = lower(lapsCommonName(def));
    const clash = s.attributeSchemas.find((e) => lower(firstString(e, 'lDAPDisplayName') ?? '') === lower(def.name) || lower(firstString(e, 'cn') ?? '') === cn);
    if (clash) {
      return {
        ...base,
        status: 'name-conflict',
        conflict: { dn: clash.dn, name: firstString(clash, 'lDAPDisplayName') ?? '', attributeId: firstString(clash, 'attributeID') ?? '' },
      };
    }
  }
  return base;
}

export function extendedRightStatus(s: SchemaSnapshot): ExtendedRightStatus {
  const byGuid = s.extendedRights.find((e) => lower(firstString(e, 'rightsGuid') ?? '') === LAPS_PROPERTY_SET_GUID);
  if (!byGuid) {
    const clash = s.extendedRights.find((e) => lower(firstString(e, 'cn') ?? '') === lower(LAPS_PROPERTY_SET_NAME));
    if (clash) {
      return {
        status: 'conflict',
        dn: clash.dn,
        rightsGuid: firstString(clash, 'rightsGuid') ?? null,
        validAccesses: num(clash, 'validAccesses'),
        appliesToComputer: null,
        differences: [{ property: 'rightsGuid', expected: LAPS_PROPERTY_SET_GUID, found: firstString(clash, 'rightsGuid') ?? '(none)', severity: 'blocker', fixable: false, why: 'the attributes name the property set by this GUID' }],
      };
    }
    return { status: 'missing', dn: null, rightsGuid: null, validAccesses: null, appliesToComputer: null, differences: [] };
  }
  const va = num(byGuid, 'validAccesses');
  const applies = allStrings(byGuid, 'appliesTo').map(lower).includes(COMPUTER_CLASS_GUID);
  const differences: AttributeDifference[] = [];
  if (va === null || (va & PROPERTY_SET_VALID_ACCESSES) !== PROPERTY_SET_VALID_ACCESSES) {
    differences.push({ property: 'validAccesses', expected: `${PROPERTY_SET_VALID_ACCESSES} (read and write property)`, found: va === null ? '(none)' : String(va), severity: 'blocker', fixable: true, why: 'property-set grants of read/write would not apply' });
  } else if (va !== PROPERTY_SET_VALID_ACCESSES) {
    differences.push({ property: 'validAccesses', expected: String(PROPERTY_SET_VALID_ACCESSES), found: String(va), severity: 'warning', fixable: true, why: 'differs from what Update-LapsADSchema sets' });
  }
  if (!applies) {
    differences.push({ property: 'appliesTo', expected: `${COMPUTER_CLASS_GUID} (computer)`, found: allStrings(byGuid, 'appliesTo').join(', ') || '(none)', severity: 'warning', fixable: true, why: 'ACL editors offer the property set on computer objects only when it applies to them' });
  }
  return {
    status: differences.some((d) => d.severity === 'blocker' || d.severity === 'warning') ? 'mismatch' : 'ok',
    dn: byGuid.dn,
    rightsGuid: LAPS_PROPERTY_SET_GUID,
    validAccesses: va,
    appliesToComputer: applies,
    differences,
  };
}
