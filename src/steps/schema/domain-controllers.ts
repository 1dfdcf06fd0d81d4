/**
 * Domain controllers and functional levels: each DC's OS, level, role and whether Windows LAPS can
 * back up its DSRM password; whether the domain level allows encryption.
 */
import { dnKey, parentDn } from '../../directory/dn.js';
import { functionalLevelName } from '../../directory/domain-facts.js';
import { firstString } from '../../directory/entry.js';
import { classifyOs } from '../../laps/os-readiness.js';
import type { SchemaSnapshot } from '../schema-snapshot.js';
import type { Finding, Severity } from '../../model/step-result.js';
import { DFL_2016, type DomainControllerRecord, type DsrmBackup, type SchemaAnalysis } from './model.js';
import { num } from './attributes.js';

const UAC_SERVER_TRUST_ACCOUNT = 0x2000;
const UAC_PARTIAL_SECRETS_ACCOUNT = 0x4000000;
const NTDSDSA_OPT_IS_GC = 1;


function domainControllers(s: SchemaSnapshot, masterServerDn: string | null, encryptionSupported: boolean): DomainControllerRecord[] {
  const serverByDn = new Map(s.servers.map((e) => [dnKey(e.dn), e]));
  const dsaByServer = new Map(s.dsaSettings.map((e) => [dnKey(parentDn(e.dn)), e]));
  const bound = dnKey(s.naming.serverName);
  return s.domainControllers
    .map((e): DomainControllerRecord => {
      const uac = num(e, 'userAccountControl') ?? 0;
      const readOnly = (uac & UAC_PARTIAL_SECRETS_ACCOUNT) !== 0 && (uac & UAC_SERVER_TRUST_ACCOUNT) === 0;
      const serverDn = firstString(e, 'serverReferenceBL') ?? s.servers.find((x) => dnKey(firstString(x, 'serverReference') ?? '') === dnKey(e.dn))?.dn;
      const server = serverDn ? serverByDn.get(dnKey(serverDn)) : undefined;
      const dsa = serverDn ? dsaByServer.get(dnKey(serverDn)) : undefined;
      const level = num(dsa, 'msDS-Behavior-Version');
      const options = num(dsa, 'options');
      const os = firstString(e, 'operatingSystem') ?? '';
      const osv = firstString(e, 'operatingSystemVersion') ?? '';
      const readiness = classifyOs(os, osv);
      let dsrmBackup: DsrmBackup;
      let dsrmReason: string;
      if (readiness.readiness === 'not-windows' || readiness.readiness === 'unsupported') {
        dsrmBackup = 'not-possible';
        dsrmReason = readiness.readiness === 'not-windows' ? `${os || 'this OS'} is not Windows: no Windows LAPS` : readiness.reason;
      } else if (readiness.readiness === 'unknown') {
        dsrmBackup = 'unknown';
        dsrmReason = readiness.reason;
      } else if (!encryptionSupported) {
        dsrmBackup = 'not-possible';
        dsrmReason = 'DSRM backup needs password encryption, which needs domain functional level 2016';
      } else if (readOnly) {
        dsrmBackup = 'unknown';
        dsrmReason = 'read-only DC: whether Windows LAPS backs up DSRM passwords on RODCs is not documented (UNCONFIRMED)';
      } else if (readiness.readiness === 'supported-if-patched') {
        dsrmBackup = 'if-patched';
        dsrmReason = readiness.reason;
      } else {
        dsrmBackup = 'possible';
        dsrmReason = readiness.reason;
      }
      const dnsHostName = firstString(e, 'dNSHostName') ?? (server ? firstString(server, 'dNSHostName') : undefined) ?? '';
      return {
        name: firstString(e, 'cn') ?? e.dn.replace(/^CN=([^,]+),.*$/i, '$1'),
        dn: e.dn,
        dnsHostName,
        operatingSystem: os,
        operatingSystemVersion: osv,
        readOnly,
        globalCatalog: options === null ? null : (options & NTDSDSA_OPT_IS_GC) !== 0,
        functionalLevel: level === null ? null : { level, name: functionalLevelName(level) },
        windowsLaps: readiness.readiness,
        dsrmBackup,
        dsrmReason,
        schemaMaster: !!serverDn && !!masterServerDn && dnKey(serverDn) === dnKey(masterServerDn),
        boundDc: !!serverDn && dnKey(serverDn) === bound,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}



/** Functional levels and domain controllers; codes DFL_BELOW_2016, DFL_SUPPORTS_ENCRYPTION, DSRM_BACKUP_UNAVAILABLE. */
export function levelsAndDomainControllers(
  s: SchemaSnapshot,
  masterServerDn: string | null,
  encryption: boolean,
  f: Finding[],
): { functionalLevels: SchemaAnalysis['functionalLevels']; domainControllers: DomainControllerRecord[] } {
  const facts = s.facts;
  const encSeverity: Severity = encryption ? 'blocker' : 'warning';
  const domainLevel = facts.domainFunctionalLevel;
  const forestLevel = facts.forestFunctionalLevel;
  const encryptionSupported = domainLevel.level >= DFL_2016;
  const dcs = domainControllers(s, masterServerDn, encryptionSupported);
  if (!encryptionSupported) {
    const old = dcs.filter((d) => d.functionalLevel && d.functionalLevel.level < DFL_2016);
    f.push({
      code: 'DFL_BELOW_2016',
      severity: encSeverity,
      object: facts.domainDn,
      message: `The domain functional level is ${domainLevel.name}, below 2016: Windows LAPS cannot encrypt passwords in this domain, so it can keep neither a password history nor DSRM passwords of DCs.`,
      evidence: `domain msDS-Behavior-Version ${domainLevel.level} (${domainLevel.name}), forest ${forestLevel.level} (${forestLevel.name})${old.length ? `; DCs below 2016: ${old.map((d) => `${d.name} (${d.functionalLevel!.name})`).join(', ')}` : ''}`,
      advice: encryption
        ? 'Raise the domain functional level to 2016 (every DC must run Windows Server 2016 or later) before enabling encryption. Until then a policy with ADPasswordEncryptionEnabled=1 (the default) makes clients log event 10006 and store nothing: set ADPasswordEncryptionEnabled=0 to store clear-text msLAPS-Password instead, protected by ACLs only.'
        : 'You plan Windows LAPS without encryption: passwords stay readable by anyone with the right ACLs, with no history and no DSRM backup. Set ADPasswordEncryptionEnabled=0 in the policy (its default, 1, makes clients log event 10006 and store nothing).',
    });
  } else {
    f.push({
      code: 'DFL_SUPPORTS_ENCRYPTION',
      severity: 'info',
      object: facts.domainDn,
      message: `The domain functional level is ${domainLevel.name}: Windows LAPS can encrypt passwords, keep a history and back up DSRM passwords.`,
      evidence: `domain msDS-Behavior-Version ${domainLevel.level}, forest ${forestLevel.level} (${forestLevel.name})`,
      advice: 'Nothing to do.',
    });
  }
  const noDsrm = dcs.filter((d) => d.dsrmBackup === 'not-possible' || d.dsrmBackup === 'unknown');
  if (noDsrm.length) {
    f.push({
      code: 'DSRM_BACKUP_UNAVAILABLE',
      severity: 'info',
      object: 'domain controllers',
      count: noDsrm.length,
      message: `Windows LAPS cannot (or may not) back up the DSRM password on ${noDsrm.length} of ${dcs.length} DC(s): ${noDsrm.map((d) => d.name).join(', ')}.`,
      evidence: noDsrm.map((d) => `${d.name}: ${d.dsrmReason}`).join('; '),
      advice: 'Keep the DSRM passwords of these DCs in your existing vault; upgrade or replace DCs that cannot run Windows LAPS.',
    });
  }
  return { functionalLevels: { domain: domainLevel, forest: forestLevel, encryptionSupported }, domainControllers: dcs };
}
