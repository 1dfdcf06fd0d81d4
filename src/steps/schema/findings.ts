/**
 * The state of both LAPS schemas with their findings, one function per schema family; the wording
 * helpers the attribute findings share.
 */
import { LAPS_ATTRIBUTES, LAPS_PROPERTY_SET_GUID, LAPS_PROPERTY_SET_NAME, SEARCH_FLAG_CONFIDENTIAL } from '../../laps/attributes.js';
import type { SchemaSnapshot } from '../schema-snapshot.js';
import type { Finding, Severity } from '../../model/step-result.js';
import { type AttributeDifference, type AttributeStatus, LATE_ATTRIBUTE, type SchemaAnalysis } from './model.js';
import { attributeStatus, extendedRightStatus, lower, searchFlagBits } from './attributes.js';

function listNames(a: AttributeStatus[]): string {
  return a.map((x) => x.expectedName).join(', ');
}

function worst(d: AttributeDifference[]): Severity {
  if (d.some((x) => x.severity === 'blocker')) return 'blocker';
  if (d.some((x) => x.severity === 'warning')) return 'warning';
  return 'info';
}

function describeDifferences(d: AttributeDifference[]): string {
  return d
    .filter((x) => x.severity !== 'info')
    .map((x) => `${x.property}: expected ${x.expected}, found ${x.found} (${x.why})`)
    .join('; ');
}

/** The legacy schema's state; codes LEGACY_SCHEMA_MISSING, _PARTIAL, _RENAMED, LEGACY_NOT_IN_COMPUTER_MAYCONTAIN, LEGACY_PASSWORD_NOT_CONFIDENTIAL. */
export function legacySchemaState(s: SchemaSnapshot, mayContain: Set<string>, f: Finding[]): SchemaAnalysis['legacy'] {
  const legacyAttrs = LAPS_ATTRIBUTES.filter((a) => a.family === 'legacy').map((d) => attributeStatus(d, s, mayContain));
  const legacyFound = legacyAttrs.filter((a) => a.status !== 'missing');
  const legacyStatus = legacyFound.length === legacyAttrs.length ? 'present' : legacyFound.length ? 'partial' : 'missing';
  const renamed = legacyFound.filter((a) => a.name !== null && lower(a.name) !== lower(a.expectedName));
  if (legacyStatus === 'missing') {
    f.push({
      code: 'LEGACY_SCHEMA_MISSING',
      severity: 'info',
      object: 'schema',
      message: 'The legacy LAPS schema (ms-Mcs-AdmPwd, ms-Mcs-AdmPwdExpirationTime) is not in this forest, under any name.',
      evidence: `no attributeSchema with attributeID ${legacyAttrs.map((a) => a.attributeId).join(' or ')}`,
      advice: 'Nothing to migrate from legacy LAPS; deploy Windows LAPS directly. Legacy emulation mode is not available without this schema (event 10012).',
    });
  } else if (legacyStatus === 'partial') {
    const missing = legacyAttrs.filter((a) => a.status === 'missing');
    f.push({
      code: 'LEGACY_SCHEMA_PARTIAL',
      severity: 'warning',
      object: 'schema',
      message: `Only part of the legacy LAPS schema is present: ${listNames(missing)} ${missing.length === 1 ? 'is' : 'are'} missing.`,
      evidence: legacyFound.map((a) => `${a.name} (${a.attributeId})`).join(', '),
      advice: 'Legacy LAPS (and Windows LAPS legacy emulation) needs both attributes; if legacy LAPS is still in use, rerun Update-AdmPwdADSchema, otherwise move straight to Windows LAPS.',
    });
  }
  for (const a of renamed) {
    f.push({
      code: 'LEGACY_SCHEMA_RENAMED',
      severity: 'info',
      object: a.dn ?? 'schema',
      message: `The legacy attribute ${a.expectedName} is named ${a.name} in this forest (found by its attributeID).`,
      evidence: `attributeID ${a.attributeId}, lDAPDisplayName ${a.name}`,
      advice: 'laps-migrate finds it by attributeID. Tools that look for the standard name will miss it; Microsoft does not document whether Windows LAPS legacy emulation handles a renamed attribute: pilot emulation on a few computers before relying on it.',
    });
  }
  const legacyNotAllowed = legacyFound.filter((a) => !a.inComputerMayContain);
  if (legacyNotAllowed.length) {
    f.push({
      code: 'LEGACY_NOT_IN_COMPUTER_MAYCONTAIN',
      severity: 'warning',
      object: `CN=Computer,${s.naming.schemaNamingContext}`,
      message: `The computer class does not list ${legacyNotAllowed.map((a) => a.name).join(', ')} in mayContain: computers cannot hold legacy LAPS values.`,
      evidence: `computer mayContain/systemMayContain: ${[...mayContain].filter((n) => /admpwd/i.test(n)).join(', ') || 'no AdmPwd attribute'}`,
      advice: 'If legacy LAPS is still in use, rerun Update-AdmPwdADSchema (it adds them to the computer class).',
    });
  }
  const legacyPwd = legacyAttrs.find((a) => a.key === 'legacyPassword');
  if (legacyPwd && legacyPwd.status !== 'missing' && legacyPwd.searchFlags !== null && (legacyPwd.searchFlags & SEARCH_FLAG_CONFIDENTIAL) === 0) {
    f.push({
      code: 'LEGACY_PASSWORD_NOT_CONFIDENTIAL',
      severity: 'warning',
      object: legacyPwd.dn ?? 'schema',
      message: `${legacyPwd.name} is not marked confidential: every account with Read All Properties on a computer can read its legacy password.`,
      evidence: `searchFlags ${searchFlagBits(legacyPwd.searchFlags)}`,
      advice: 'Set the confidential bit (0x80) in its searchFlags now (Schema Admin), or hurry the migration to encrypted Windows LAPS passwords and the cleanup of legacy values.',
    });
  }
  return { status: legacyStatus, renamed: renamed.length > 0, attributes: legacyAttrs };
}

/** The Windows LAPS schema's state and what apply would add; codes WINDOWS_LAPS_SCHEMA_*, LAPS_EXTENDED_RIGHT_*, NOT_SCHEMA_ADMIN, NOT_SCHEMA_MASTER and the attribute codes. */
export function windowsSchemaState(
  s: SchemaSnapshot,
  mayContain: Set<string>,
  boundAs: SchemaAnalysis['boundAs'],
  schemaMaster: SchemaAnalysis['schemaMaster'],
  f: Finding[],
): { windowsLaps: SchemaAnalysis['windowsLaps']; schemaChangesNeeded: boolean } {
  const facts = s.facts;
  const fsmo = schemaMaster.ntdsSettingsDn;
  const winAttrs = LAPS_ATTRIBUTES.filter((a) => a.family === 'windows').map((d) => attributeStatus(d, s, mayContain));
  const right = extendedRightStatus(s);
  const present = winAttrs.filter((a) => a.status === 'ok' || a.status === 'mismatch');
  const missing = winAttrs.filter((a) => a.status === 'missing');
  const conflicts = winAttrs.filter((a) => a.status === 'name-conflict');
  const coreMissing = missing.filter((a) => a.key !== LATE_ATTRIBUTE);
  const attributesToAdd = missing.map((a) => a.key);
  const mayContainToAdd = winAttrs.filter((a) => (a.status === 'missing' || ((a.status === 'ok' || a.status === 'mismatch') && !a.inComputerMayContain))).map((a) => a.name ?? a.expectedName);
  const windowsStatus: SchemaAnalysis['windowsLaps']['status'] =
    present.length === 0 && conflicts.length === 0 && right.status === 'missing'
      ? 'missing'
      : present.length === winAttrs.length && winAttrs.every((a) => a.status === 'ok' && a.inComputerMayContain) && right.status === 'ok'
        ? 'complete'
        : 'partial';

  if (windowsStatus === 'missing') {
    f.push({
      code: 'WINDOWS_LAPS_SCHEMA_MISSING',
      severity: 'blocker',
      object: 'schema',
      message: 'The Windows LAPS schema is not extended: none of the seven msLAPS-* attributes, nor the ms-LAPS-Encrypted-Password-Attributes extended right, exists.',
      evidence: `no attributeSchema with attributeID 1.2.840.113556.1.6.44.1.1 .. .7; no controlAccessRight with rightsGuid ${LAPS_PROPERTY_SET_GUID}`,
      advice: 'Extend it: laps-migrate schema --apply --confirm-irreversible (as a Schema Admin, against the schema master), or Update-LapsADSchema. Windows LAPS clients cannot back up to AD until then (event 10012).',
    });
  } else {
    if (coreMissing.length) {
      f.push({
        code: 'WINDOWS_LAPS_SCHEMA_PARTIAL',
        severity: 'blocker',
        object: 'schema',
        message: `The Windows LAPS schema is only partly extended: ${listNames(coreMissing)} ${coreMissing.length === 1 ? 'is' : 'are'} missing.`,
        evidence: `present: ${present.map((a) => a.name).join(', ') || 'none'}; missing: ${listNames(missing)}`,
        advice: 'Apply the schema step to add only what is missing (laps-migrate schema --apply --confirm-irreversible), or rerun Update-LapsADSchema.',
      });
    } else if (missing.some((a) => a.key === LATE_ATTRIBUTE)) {
      f.push({
        code: 'WINDOWS_LAPS_VERSION_ATTRIBUTE_MISSING',
        severity: 'warning',
        object: 'schema',
        message: 'msLAPS-CurrentPasswordVersion is missing: the schema was extended by an earlier Update-LapsADSchema. Windows LAPS works, but cannot detect an OS image rollback (a restored snapshot keeps a password that AD no longer has).',
        evidence: 'no attributeSchema with attributeID 1.2.840.113556.1.6.44.1.7',
        advice: 'Add it: laps-migrate schema --apply --confirm-irreversible, or run Update-LapsADSchema from Windows Server 2025 / Windows 11 24H2.',
      });
    }
    if (right.status === 'missing') {
      f.push({
        code: 'LAPS_EXTENDED_RIGHT_MISSING',
        severity: 'blocker',
        object: `CN=Extended-Rights,${s.naming.configurationNamingContext}`,
        message: `The ${LAPS_PROPERTY_SET_NAME} extended right (property set ${LAPS_PROPERTY_SET_GUID}) is missing: permissions on the encrypted attributes cannot be granted as Windows LAPS grants them.`,
        evidence: `no controlAccessRight with rightsGuid ${LAPS_PROPERTY_SET_GUID} under CN=Extended-Rights`,
        advice: 'Apply the schema step (it adds the extended right), or rerun Update-LapsADSchema.',
      });
    }
  }
  for (const a of winAttrs.filter((x) => x.status === 'mismatch')) {
    const sev = worst(a.differences);
    const unfixable = a.differences.some((d) => d.severity !== 'info' && !d.fixable);
    f.push({
      code: 'WINDOWS_LAPS_ATTRIBUTE_MISMATCH',
      severity: sev,
      object: a.dn ?? a.expectedName,
      message: `${a.name ?? a.expectedName} exists but differs from Microsoft's definition: ${a.differences.filter((d) => d.severity !== 'info').map((d) => d.property).join(', ')}.`,
      evidence: describeDifferences(a.differences),
      advice: unfixable
        ? 'Syntax and single/multi-value cannot be changed on an existing attribute. Do not deploy Windows LAPS against it: open a case with Microsoft support (the attribute must be made defunct and the forest cannot reuse its attributeID).'
        : 'A Schema Admin can correct these properties on the attributeSchema object (searchFlags, attributeSecurityGUID, ranges); laps-migrate does not change existing schema objects.',
    });
  }
  for (const a of conflicts) {
    f.push({
      code: 'WINDOWS_LAPS_ATTRIBUTE_NAME_CONFLICT',
      severity: 'blocker',
      object: a.conflict!.dn,
      message: `An attribute named ${a.conflict!.name} exists with attributeID ${a.conflict!.attributeId}, not Microsoft's ${a.attributeId}: ${a.expectedName} cannot be added.`,
      evidence: `${a.conflict!.dn}: lDAPDisplayName ${a.conflict!.name}, attributeID ${a.conflict!.attributeId}`,
      advice: 'Someone created a look-alike attribute. Find out what uses it; it must be renamed or made defunct (Schema Admin) before Update-LapsADSchema or this step can add the real one.',
    });
  }
  const notInClass = present.filter((a) => !a.inComputerMayContain);
  if (notInClass.length) {
    f.push({
      code: 'WINDOWS_LAPS_NOT_IN_COMPUTER_MAYCONTAIN',
      severity: 'blocker',
      object: `CN=Computer,${s.naming.schemaNamingContext}`,
      message: `The computer class does not allow ${notInClass.map((a) => a.name).join(', ')}: computers cannot store ${notInClass.length === 1 ? 'it' : 'them'}.`,
      evidence: `not in computer mayContain or systemMayContain`,
      advice: 'Apply the schema step (it adds them to the computer class), or rerun Update-LapsADSchema.',
    });
  }
  if (right.status === 'mismatch' || right.status === 'conflict') {
    f.push({
      code: 'LAPS_EXTENDED_RIGHT_MISMATCH',
      severity: worst(right.differences),
      object: right.dn ?? 'extended rights',
      message: right.status === 'conflict'
        ? `An extended right named ${LAPS_PROPERTY_SET_NAME} exists with another rightsGuid: the encrypted attributes' property set cannot be granted.`
        : `The ${LAPS_PROPERTY_SET_NAME} extended right differs from Microsoft's definition.`,
      evidence: describeDifferences(right.differences),
      advice: right.status === 'conflict'
        ? 'Find out what created it; it must be removed or renamed (Enterprise Admin) before the real one can be added.'
        : 'An Enterprise Admin can correct validAccesses / appliesTo on the controlAccessRight object.',
    });
  }
  if (windowsStatus === 'complete') {
    f.push({
      code: 'WINDOWS_LAPS_SCHEMA_READY',
      severity: 'info',
      object: 'schema',
      message: 'The Windows LAPS schema is complete: seven msLAPS-* attributes as Microsoft defines them, in the computer class, and the ms-LAPS-Encrypted-Password-Attributes extended right.',
      advice: 'Nothing to do.',
    });
  }
  const schemaChangesNeeded = attributesToAdd.length > 0 || mayContainToAdd.length > 0 || right.status === 'missing';
  if (schemaChangesNeeded && !boundAs.schemaAdmin) {
    f.push({
      code: 'NOT_SCHEMA_ADMIN',
      severity: 'warning',
      object: boundAs.dn,
      message: `${boundAs.dn} is not a member of Schema Admins: it cannot make the schema changes this plan lists.`,
      evidence: `tokenGroups of the bound account do not contain ${facts.forestRootSid}-518`,
      advice: 'Run the apply as a member of Schema Admins (add the account temporarily and remove it afterwards), or have a Schema Admin run it.',
    });
  }
  if (schemaChangesNeeded && !schemaMaster.boundDcIsMaster) {
    f.push({
      code: 'NOT_SCHEMA_MASTER',
      severity: 'warning',
      object: s.naming.serverName,
      message: `This DC (${facts.dcHost}) is not the schema master${schemaMaster.dnsHostName ? ` (${schemaMaster.dnsHostName} is)` : ''}: schema changes must be written there.`,
      evidence: `fSMORoleOwner ${fsmo ?? '(not readable)'}`,
      advice: `Run the apply with --server ldaps://${schemaMaster.dnsHostName ?? '<schema master>'}.`,
    });
  }
  return { windowsLaps: { status: windowsStatus, attributes: winAttrs, extendedRight: right, mayContainToAdd, attributesToAdd }, schemaChangesNeeded };
}
