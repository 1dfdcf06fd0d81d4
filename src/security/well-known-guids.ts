/**
 * Well-known schemaIDGUIDs and rightsGuids that appear in ACEs (MS-ADTS 5.1.3.2.1, MS-ADA*).
 * Checked against the schema and CN=Extended-Rights recorded from the Samba lab (see the unit
 * test). Attributes added to a forest later (ms-Mcs-AdmPwd, msLAPS-*) have forest-specific
 * GUIDs: resolve them from the schema, never from here.
 */
import { ADS_RIGHT_DS_CONTROL_ACCESS, ADS_RIGHT_DS_SELF } from './access-mask.js';

export type GuidKind = 'class' | 'attribute' | 'property-set' | 'extended-right' | 'validated-write';

export interface WellKnownGuid {
  guid: string;
  name: string;
  kind: GuidKind;
}

export const Guids = {
  // classes
  COMPUTER_CLASS: 'bf967a86-0de6-11d0-a285-00aa003049e2',
  USER_CLASS: 'bf967aba-0de6-11d0-a285-00aa003049e2',
  GROUP_CLASS: 'bf967a9c-0de6-11d0-a285-00aa003049e2',
  ORGANIZATIONAL_UNIT_CLASS: 'bf967aa5-0de6-11d0-a285-00aa003049e2',
  CONTAINER_CLASS: 'bf967a8b-0de6-11d0-a285-00aa003049e2',
  DOMAIN_DNS_CLASS: '19195a5b-6da0-11d0-afd3-00c04fd930c9',
  INET_ORG_PERSON_CLASS: '4828cc14-1437-45bc-9b07-ad6f015e5f28',
  GMSA_CLASS: '7b8b558a-93a5-4af7-adca-c017e67f1057',
  // property sets
  LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES: 'f3531ec6-6330-4f8e-8d39-7a671fbac605',
  PUBLIC_INFORMATION: 'e48d0154-bcf8-11d1-8702-00c04fb96050',
  PERSONAL_INFORMATION: '77b5b886-944a-11d1-aebd-0000f80367c1',
  GENERAL_INFORMATION: '59ba2f42-79a2-11d0-9020-00c04fc2d3cf',
  USER_ACCOUNT_RESTRICTIONS: '4c164200-20c0-11d0-a768-00aa006e0529',
  USER_LOGON: '5f202010-79a5-11d0-9020-00c04fc2d4cf',
  MEMBERSHIP: 'bc0ac240-79a9-11d0-9020-00c04fc2d4cf',
  PRIVATE_INFORMATION: '91e647de-d96f-4b70-9557-d63ff4f3ccd8',
  // extended rights
  DS_REPLICATION_GET_CHANGES: '1131f6aa-9c07-11d1-f79f-00c04fc2dcd2',
  DS_REPLICATION_GET_CHANGES_ALL: '1131f6ad-9c07-11d1-f79f-00c04fc2dcd2',
  DS_REPLICATION_GET_CHANGES_IN_FILTERED_SET: '89e95b76-444d-4c62-991a-0facbeda640c',
  USER_FORCE_CHANGE_PASSWORD: '00299570-246d-11d0-a768-00aa006e0529',
  USER_CHANGE_PASSWORD: 'ab721a53-1e2f-11d0-9819-00aa0040529b',
  // validated writes
  VALIDATED_SPN: 'f3a64788-5306-11d1-a9c5-0000f80367c1',
  VALIDATED_DNS_HOST_NAME: '72e39547-7b18-11d1-adef-00c04fd8d5cd',
  SELF_MEMBERSHIP: 'bf9679c0-0de6-11d0-a285-00aa003049e2',
} as const;

export const WELL_KNOWN_GUIDS: readonly WellKnownGuid[] = [
  { guid: Guids.COMPUTER_CLASS, name: 'computer', kind: 'class' },
  { guid: Guids.USER_CLASS, name: 'user', kind: 'class' },
  { guid: Guids.GROUP_CLASS, name: 'group', kind: 'class' },
  { guid: Guids.ORGANIZATIONAL_UNIT_CLASS, name: 'organizationalUnit', kind: 'class' },
  { guid: Guids.CONTAINER_CLASS, name: 'container', kind: 'class' },
  { guid: Guids.DOMAIN_DNS_CLASS, name: 'domainDNS', kind: 'class' },
  { guid: Guids.INET_ORG_PERSON_CLASS, name: 'inetOrgPerson', kind: 'class' },
  { guid: '5cb41ed0-0e4c-11d0-a286-00aa003049e2', name: 'contact', kind: 'class' },
  { guid: 'bf967aa8-0de6-11d0-a285-00aa003049e2', name: 'printQueue', kind: 'class' },
  { guid: Guids.GMSA_CLASS, name: 'msDS-GroupManagedServiceAccount', kind: 'class' },
  { guid: 'ce206244-5827-4a86-ba1c-1c0c386c1b64', name: 'msDS-ManagedServiceAccount', kind: 'class' },
  { guid: 'f30e3bc2-9ff0-11d1-b603-0000f80367c1', name: 'groupPolicyContainer', kind: 'class' },
  { guid: Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES, name: 'ms-LAPS-Encrypted-Password-Attributes', kind: 'property-set' },
  { guid: Guids.PUBLIC_INFORMATION, name: 'Public-Information', kind: 'property-set' },
  { guid: Guids.PERSONAL_INFORMATION, name: 'Personal-Information', kind: 'property-set' },
  { guid: Guids.GENERAL_INFORMATION, name: 'General-Information', kind: 'property-set' },
  { guid: Guids.USER_ACCOUNT_RESTRICTIONS, name: 'User-Account-Restrictions', kind: 'property-set' },
  { guid: Guids.USER_LOGON, name: 'User-Logon', kind: 'property-set' },
  { guid: Guids.MEMBERSHIP, name: 'Membership', kind: 'property-set' },
  { guid: Guids.PRIVATE_INFORMATION, name: 'Private-Information', kind: 'property-set' },
  { guid: 'e45795b2-9455-11d1-aebd-0000f80367c1', name: 'Email-Information', kind: 'property-set' },
  { guid: 'e45795b3-9455-11d1-aebd-0000f80367c1', name: 'Web-Information', kind: 'property-set' },
  { guid: '037088f8-0ae1-11d2-b422-00a0c968f939', name: 'RAS-Information', kind: 'property-set' },
  { guid: 'c7407360-20bf-11d0-a768-00aa006e0529', name: 'Domain-Password', kind: 'property-set' },
  { guid: 'b8119fd0-04f6-4762-ab7a-4986c76b3f9a', name: 'Domain-Other-Parameters', kind: 'property-set' },
  { guid: Guids.VALIDATED_DNS_HOST_NAME, name: 'DNS-Host-Name-Attributes', kind: 'property-set' },
  { guid: Guids.DS_REPLICATION_GET_CHANGES, name: 'DS-Replication-Get-Changes', kind: 'extended-right' },
  { guid: Guids.DS_REPLICATION_GET_CHANGES_ALL, name: 'DS-Replication-Get-Changes-All', kind: 'extended-right' },
  { guid: Guids.DS_REPLICATION_GET_CHANGES_IN_FILTERED_SET, name: 'DS-Replication-Get-Changes-In-Filtered-Set', kind: 'extended-right' },
  { guid: '1131f6ab-9c07-11d1-f79f-00c04fc2dcd2', name: 'DS-Replication-Synchronize', kind: 'extended-right' },
  { guid: '1131f6ac-9c07-11d1-f79f-00c04fc2dcd2', name: 'DS-Replication-Manage-Topology', kind: 'extended-right' },
  { guid: Guids.USER_FORCE_CHANGE_PASSWORD, name: 'User-Force-Change-Password', kind: 'extended-right' },
  { guid: Guids.USER_CHANGE_PASSWORD, name: 'User-Change-Password', kind: 'extended-right' },
  { guid: 'ab721a54-1e2f-11d0-9819-00aa0040529b', name: 'Send-As', kind: 'extended-right' },
  { guid: 'ab721a56-1e2f-11d0-9819-00aa0040529b', name: 'Receive-As', kind: 'extended-right' },
  { guid: '68b1d179-0d15-4d4f-ab71-46152e79a7bc', name: 'Allowed-To-Authenticate', kind: 'extended-right' },
  { guid: 'edacfd8f-ffb3-11d1-b41d-00a0c968f939', name: 'Apply-Group-Policy', kind: 'extended-right' },
  { guid: '45ec5156-db7e-47bb-b53f-dbeb2d03c40f', name: 'Reanimate-Tombstones', kind: 'extended-right' },
  { guid: 'ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501', name: 'Unexpire-Password', kind: 'extended-right' },
  { guid: '280f369c-67c7-438e-ae98-1d46f3c6f541', name: 'Update-Password-Not-Required-Bit', kind: 'extended-right' },
  { guid: '05c74c5e-4deb-43b4-bd9f-86664c2a7fd5', name: 'Enable-Per-User-Reversibly-Encrypted-Password', kind: 'extended-right' },
  { guid: 'b7b1b3dd-ab09-4242-9e30-9980e5d322f7', name: 'Generate-RSoP-Planning', kind: 'extended-right' },
  { guid: 'b7b1b3de-ab09-4242-9e30-9980e5d322f7', name: 'Generate-RSoP-Logging', kind: 'extended-right' },
  { guid: Guids.VALIDATED_SPN, name: 'Validated-SPN', kind: 'validated-write' },
  { guid: Guids.VALIDATED_DNS_HOST_NAME, name: 'Validated-DNS-Host-Name', kind: 'validated-write' },
  { guid: Guids.SELF_MEMBERSHIP, name: 'Self-Membership', kind: 'validated-write' },
  { guid: '80863791-dbe9-4eb8-837e-7f0ab55d9ac7', name: 'Validated-MS-DS-Additional-DNS-Host-Name', kind: 'validated-write' },
  { guid: Guids.VALIDATED_SPN, name: 'servicePrincipalName', kind: 'attribute' },
  { guid: Guids.SELF_MEMBERSHIP, name: 'member', kind: 'attribute' },
  { guid: Guids.VALIDATED_DNS_HOST_NAME, name: 'dNSHostName', kind: 'attribute' },
  { guid: 'bf967950-0de6-11d0-a285-00aa003049e2', name: 'description', kind: 'attribute' },
  { guid: 'bf967a68-0de6-11d0-a285-00aa003049e2', name: 'userAccountControl', kind: 'attribute' },
  { guid: 'bf967953-0de6-11d0-a285-00aa003049e2', name: 'displayName', kind: 'attribute' },
  { guid: '3e0abfd0-126a-11d0-a060-00aa006c33ed', name: 'sAMAccountName', kind: 'attribute' },
  { guid: 'bf967a0a-0de6-11d0-a285-00aa003049e2', name: 'pwdLastSet', kind: 'attribute' },
  { guid: 'bf9679e1-0de6-11d0-a285-00aa003049e2', name: 'unicodePwd', kind: 'attribute' },
  { guid: 'bf967a6e-0de6-11d0-a285-00aa003049e2', name: 'userPassword', kind: 'attribute' },
  { guid: '3f78c3e5-f79a-46bd-a0b8-9d18116ddc79', name: 'msDS-AllowedToActOnBehalfOfOtherIdentity', kind: 'attribute' },
  { guid: 'f30e3bbe-9ff0-11d1-b603-0000f80367c1', name: 'gPLink', kind: 'attribute' },
  { guid: 'f30e3bbf-9ff0-11d1-b603-0000f80367c1', name: 'gPOptions', kind: 'attribute' },
  { guid: '3e978925-8c01-11d0-afda-00c04fd930c9', name: 'operatingSystem', kind: 'attribute' },
  { guid: '3e978926-8c01-11d0-afda-00c04fd930c9', name: 'operatingSystemVersion', kind: 'attribute' },
];

const byGuid = new Map<string, WellKnownGuid[]>();
for (const g of WELL_KNOWN_GUIDS) {
  const list = byGuid.get(g.guid) ?? [];
  list.push(g);
  byGuid.set(g.guid, list);
}

/** Every well-known meaning of a GUID (some are both an attribute and a validated write). */
export function wellKnownGuids(guid: string): readonly WellKnownGuid[] {
  return byGuid.get(guid.toLowerCase()) ?? [];
}

/**
 * The name of an ACE's ObjectType, chosen by what the ACE grants: a validated write for
 * SELF_WRITE, an extended right for CONTROL_ACCESS, else a property set or attribute (or class,
 * for create/delete child).
 */
export function objectTypeName(guid: string, mask = 0): string | undefined {
  const list = wellKnownGuids(guid);
  if (list.length === 0) return undefined;
  const prefer: GuidKind[] =
    mask & ADS_RIGHT_DS_SELF
      ? ['validated-write', 'attribute', 'property-set']
      : mask & ADS_RIGHT_DS_CONTROL_ACCESS
        ? ['extended-right', 'property-set', 'attribute']
        : ['property-set', 'attribute', 'class', 'extended-right', 'validated-write'];
  for (const k of prefer) {
    const hit = list.find((g) => g.kind === k);
    if (hit) return hit.name;
  }
  return list[0]!.name;
}
