import { describe, expect, it } from 'vitest';
import {
  accessMaskNames,
  DS_GENERIC_ALL,
  DS_GENERIC_READ,
  DS_GENERIC_WRITE,
  Guids,
  mapGenericRights,
  objectTypeName,
  sidDisplayName,
  sidToSddl,
  WELL_KNOWN_GUIDS,
} from '../../../src/security/index.js';
import { loadCorpus } from './corpus.js';

describe('well-known GUIDs agree with the schema and extended rights recorded from Samba', () => {
  const corpus = loadCorpus();
  it('every class, attribute, property set, extended right and validated write', () => {
    const rights = new Map(corpus.extendedRights.map((r) => [r.rightsGuid, r]));
    let checked = 0;
    for (const g of WELL_KNOWN_GUIDS) {
      if (g.kind === 'class' || g.kind === 'attribute') {
        const facts = g.kind === 'class' ? corpus.schema.classes : corpus.schema.attributes;
        if (!facts[g.name]) continue;
        expect(facts[g.name]!.schemaIDGUID, g.name).toBe(g.guid);
      } else {
        // validAccesses: 8 validated write, 48 property set, 256 extended right
        const want = g.kind === 'validated-write' ? 8 : g.kind === 'property-set' ? 48 : 256;
        const r = corpus.extendedRights.find((x) => x.rightsGuid === g.guid && x.validAccesses === want);
        expect(r, g.name).toBeDefined();
        expect(r!.name, g.guid).toBe(g.name);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    expect(rights.get(Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES)!.validAccesses).toBe(48);
    expect(rights.get(Guids.DS_REPLICATION_GET_CHANGES_ALL)!.name).toBe('DS-Replication-Get-Changes-All');
  });
  it('names an ObjectType by what the ACE grants', () => {
    expect(objectTypeName(Guids.VALIDATED_SPN, 0x8)).toBe('Validated-SPN');
    expect(objectTypeName(Guids.VALIDATED_SPN, 0x20)).toBe('servicePrincipalName');
    expect(objectTypeName(Guids.DS_REPLICATION_GET_CHANGES, 0x100)).toBe('DS-Replication-Get-Changes');
    expect(objectTypeName('00000000-0000-0000-0000-000000000001')).toBeUndefined();
  });
});

describe('well-known SIDs and rights', () => {
  it('names universal and domain SIDs, with an injected resolver for the rest', () => {
    expect(sidDisplayName('S-1-5-10')).toBe('SELF');
    expect(sidDisplayName('S-1-5-21-1-2-3-512', { domainSid: 'S-1-5-21-1-2-3' })).toBe('Domain Admins');
    expect(sidDisplayName('S-1-5-21-9-9-9-512', { domainSid: 'S-1-5-21-1-2-3' })).toBe('Domain Admins (S-1-5-21-9-9-9)');
    expect(sidDisplayName('S-1-5-21-1-2-3-1105', { resolve: (s) => (s.endsWith('-1105') ? 'LAB\\LAPS Readers' : undefined) })).toBe('LAB\\LAPS Readers');
    expect(sidDisplayName('S-1-5-21-1-2-3-1106')).toBeUndefined();
  });
  it('abbreviates domain SIDs only with the domain SID, like Samba', () => {
    expect(sidToSddl('S-1-5-21-1-2-3-512')).toBe('S-1-5-21-1-2-3-512');
    expect(sidToSddl('S-1-5-21-1-2-3-512', { domainSid: 'S-1-5-21-1-2-3' })).toBe('DA');
    expect(sidToSddl('S-1-5-21-1-2-3-4-512', { domainSid: 'S-1-5-21-1-2-3' })).toBe('S-1-5-21-1-2-3-4-512');
    expect(sidToSddl('S-1-5-32-544')).toBe('BA');
  });
  it('maps generic rights the AD way', () => {
    expect(mapGenericRights(0x10000000)).toBe(DS_GENERIC_ALL);
    expect(mapGenericRights(0x80000000)).toBe(DS_GENERIC_READ);
    expect(mapGenericRights(0x40000000 | 0x100)).toBe(DS_GENERIC_WRITE | 0x100);
    expect(accessMaskNames(0x110)).toEqual(['READ_PROPERTY', 'CONTROL_ACCESS']);
    expect(accessMaskNames(0x200)).toEqual(['0x00000200']);
  });
});
