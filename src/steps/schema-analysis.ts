/**
 * Step 2 conclusions, pure: a SchemaSnapshot (recorded entries, no secrets) in; the state of both
 * LAPS schemas, the extended right, functional levels, domain controllers, KDS root keys and
 * findings with stable codes out. The plan (what apply would write) is built from this analysis
 * by schema-plan.ts.
 *
 * The parts live in steps/schema/ by concept: model (types), attributes, findings (both schema
 * families), domain-controllers (and functional levels), kds. This module composes them and is
 * their public face.
 */
import { dnKey, parentDn } from '../directory/dn.js';
import { firstString } from '../directory/entry.js';
import type { Finding } from '../model/step-result.js';
import type { SchemaSnapshot } from './schema-snapshot.js';
import { computerMayContain, num } from './schema/attributes.js';
import { levelsAndDomainControllers } from './schema/domain-controllers.js';
import { legacySchemaState, windowsSchemaState } from './schema/findings.js';
import { kdsState } from './schema/kds.js';
import type { SchemaAnalysis, SchemaCheckOptions } from './schema/model.js';

export * from './schema/model.js';

export function analyzeSchema(s: SchemaSnapshot, options: SchemaCheckOptions): SchemaAnalysis {
  const encryption = options.encryption ?? true;
  const f: Finding[] = [];
  const facts = s.facts;
  const mayContain = computerMayContain(s);

  // --- schema head, schema master, bound account
  const objectVersion = num(s.schemaHead, 'objectVersion') ?? facts.schemaVersion.objectVersion ?? null;
  const fsmo = s.schemaHead ? firstString(s.schemaHead, 'fSMORoleOwner') ?? null : null;
  const masterServerDn = fsmo ? parentDn(fsmo) : null;
  const masterServer = masterServerDn ? s.servers.find((e) => dnKey(e.dn) === dnKey(masterServerDn)) : undefined;
  const schemaMaster = {
    ntdsSettingsDn: fsmo,
    serverDn: masterServerDn,
    dnsHostName: masterServer ? firstString(masterServer, 'dNSHostName') ?? null : null,
    boundDcIsMaster: !!masterServerDn && dnKey(masterServerDn) === dnKey(s.naming.serverName),
  };
  const boundAs = {
    dn: facts.boundAs.dn,
    sid: facts.boundAs.sid,
    schemaAdmin: facts.boundAs.schemaAdmin,
    domainAdmin: facts.boundAs.domainAdmin,
    enterpriseAdmin: facts.boundAs.enterpriseAdmin,
  };

  const legacy = legacySchemaState(s, mayContain, f);
  const { windowsLaps, schemaChangesNeeded } = windowsSchemaState(s, mayContain, boundAs, schemaMaster, f);
  const { functionalLevels, domainControllers: dcs } = levelsAndDomainControllers(s, masterServerDn, encryption, f);
  const kds = kdsState(s, options, boundAs, f);

  return {
    schemaVersion: { objectVersion, name: facts.schemaVersion.name ?? null },
    schemaMaster,
    boundAs,
    legacy,
    windowsLaps,
    functionalLevels,
    domainControllers: dcs,
    kds,
    schemaChangesNeeded,
    findings: f,
  };
}
