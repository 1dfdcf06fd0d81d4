/**
 * Step 2's changes, pure: from the analysis, the journal drafts that extend the Windows LAPS
 * schema exactly as Update-LapsADSchema does (only what is missing) and, when asked, create a
 * KDS root key. Every change here is irreversible. Drafts are grouped in phases because a
 * schema cache refresh (schemaUpdateNow) must separate new attributes from the class change
 * that references them.
 */
import type { RootKey } from '../dpapi-ng/root-key.js';
import { addEntry, addValues, type ChangeDraft } from '../journal/index.js';
import { firstString, allStrings } from '../directory/entry.js';
import { kdsMasterRootKeysDn, kdsRootKeyAttributes, kdsRootKeyDn, kdsServiceDn } from '../directory/kds.js';
import { dnKey } from '../directory/dn.js';
import { lapsAttribute, LAPS_PROPERTY_SET_NAME } from '../laps/attributes.js';
import { lapsExtendedRightEntry, windowsLapsAttributeEntries } from '../laps/schema-entries.js';
import type { SchemaAnalysis } from './schema-analysis.js';
import type { SchemaSnapshot } from './schema-snapshot.js';

/** 1: attributeSchema objects and the extended right; 2: the computer class; 3: KDS objects. */
export type SchemaPhase = 'schema-objects' | 'computer-class' | 'kds';
export const SCHEMA_PHASES: SchemaPhase[] = ['schema-objects', 'computer-class', 'kds'];

export interface PhasedDraft {
  phase: SchemaPhase;
  draft: ChangeDraft;
}

export interface SchemaPlanOptions {
  /** A new root key to create (built by the caller with newRootKey); omitted = no KDS change. */
  kdsRootKey?: RootKey;
}

export interface SchemaDrafts {
  drafts: PhasedDraft[];
  /** What the plan deliberately leaves alone, for the admin to read. */
  notes: string[];
}

/** The bound DC's computer object (msKds-DomainID of keys it creates), from its server object. */
export function boundDcComputerDn(s: SchemaSnapshot): string | undefined {
  const server = s.servers.find((e) => dnKey(e.dn) === dnKey(s.naming.serverName));
  return server ? firstString(server, 'serverReference') : undefined;
}

export function schemaDrafts(s: SchemaSnapshot, a: SchemaAnalysis, options: SchemaPlanOptions = {}, now: Date = new Date()): SchemaDrafts {
  const drafts: PhasedDraft[] = [];
  const notes: string[] = [];
  const schemaDn = s.naming.schemaNamingContext;
  const configDn = s.naming.configurationNamingContext;
  const entries = windowsLapsAttributeEntries(schemaDn);

  // the extended right first: it is the object most likely to be refused (Configuration NC), and a
  // refusal then comes before any attribute is written
  if (a.windowsLaps.extendedRight.status === 'missing') {
    const right = lapsExtendedRightEntry(configDn);
    drafts.push({
      phase: 'schema-objects',
      draft: addEntry({
        dn: right.dn,
        attributes: right.attributes,
        irreversible: true,
        reason: `Update-LapsADSchema: the ${LAPS_PROPERTY_SET_NAME} extended right (property set of the encrypted attributes, read/write property)`,
      }),
    });
  }
  for (const key of a.windowsLaps.attributesToAdd) {
    const def = lapsAttribute(key);
    const entry = entries.find((e) => String(e.attributes.lDAPDisplayName?.[0]).toLowerCase() === def.name.toLowerCase());
    if (!entry) continue;
    drafts.push({
      phase: 'schema-objects',
      draft: addEntry({
        dn: entry.dn,
        attributes: entry.attributes,
        irreversible: true,
        reason: `Update-LapsADSchema: attribute ${def.name} (${def.attributeId}); schema objects cannot be deleted, only made defunct`,
      }),
    });
  }
  if (a.windowsLaps.mayContainToAdd.length > 0 && s.computerClass) {
    drafts.push({
      phase: 'computer-class',
      draft: addValues({
        dn: s.computerClass.dn,
        attribute: 'mayContain',
        before: allStrings(s.computerClass, 'mayContain'),
        values: a.windowsLaps.mayContainToAdd,
        match: 'case-ignore',
        irreversible: true,
        reason: 'Update-LapsADSchema: let computer objects hold the Windows LAPS attributes',
      }),
    });
  }
  for (const attr of a.windowsLaps.attributes) {
    if (attr.status === 'mismatch') notes.push(`${attr.name} differs from Microsoft's definition and is left as it is (see WINDOWS_LAPS_ATTRIBUTE_MISMATCH).`);
    if (attr.status === 'name-conflict') notes.push(`${attr.expectedName} cannot be added: ${attr.conflict?.dn} holds its name with another attributeID.`);
  }
  if (a.windowsLaps.extendedRight.status === 'conflict') notes.push(`The ${LAPS_PROPERTY_SET_NAME} extended right cannot be added: its name is taken by another right.`);

  if (options.kdsRootKey) {
    const key = options.kdsRootKey;
    if (a.kds.status === 'usable' || a.kds.status === 'not-yet-effective') {
      notes.push(`A KDS root key already exists (${a.kds.rootKeys.map((k) => k.id).join(', ')}): none is created.`);
    } else if (a.kds.status === 'unreadable') {
      notes.push('No KDS root key is planned: this account cannot read root keys, so it cannot tell whether one exists (run as a Domain or Enterprise Admin).');
    } else {
      const domainIdDn = boundDcComputerDn(s);
      if (!domainIdDn) {
        notes.push('No KDS root key is planned: the bound DC\'s computer object (msKds-DomainID) could not be read.');
      } else {
        if (!a.kds.serviceContainer) {
          drafts.push({
            phase: 'kds',
            draft: addEntry({
              dn: kdsServiceDn(configDn),
              attributes: { objectClass: ['top', 'container'], cn: ['Group Key Distribution Service'] },
              irreversible: true,
              reason: 'the KDS container that holds root keys (Windows creates it with the forest)',
            }),
          });
        }
        if (!a.kds.masterRootKeysContainer) {
          drafts.push({
            phase: 'kds',
            draft: addEntry({
              dn: kdsMasterRootKeysDn(configDn),
              attributes: { objectClass: ['top', 'container'], cn: ['Master Root Keys'] },
              irreversible: true,
              reason: 'the container of msKds-ProvRootKey objects',
            }),
          });
        }
        const usable = key.useStartTime ?? now;
        drafts.push({
          phase: 'kds',
          draft: addEntry({
            dn: kdsRootKeyDn(configDn, key.id),
            attributes: kdsRootKeyAttributes(key, domainIdDn, now),
            irreversible: true,
            reason: `KDS root key (${key.kdfAlgorithm}/${key.kdfHash}, ${key.secretAgreementAlgorithm} ${key.publicKeyLength}-bit), usable from ${usable.toISOString()}; permanent: gMSAs and encrypted passwords depend on it`,
          }),
        });
        notes.push('For a production forest prefer Add-KdsRootKey on a DC: group managed service accounts depend on root keys too and a root key cannot be removed safely.');
      }
    }
  }
  return { drafts, notes };
}
