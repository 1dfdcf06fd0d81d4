/** How the schema step reads in a terminal: the few lines an admin reads first, then findings. */
import type { SchemaAnalysis } from '../schema-analysis.js';
import type { SchemaSnapshot } from '../schema-snapshot.js';
import type { Finding } from '../../model/step-result.js';

const yes = (b: boolean) => (b ? 'yes' : 'no');
const DSRM_TEXT = { possible: 'possible', 'if-patched': 'possible if patched', 'not-possible': 'not possible', unknown: 'unknown' } as const;

export function schemaSummaryLines(a: SchemaAnalysis, s: SchemaSnapshot): string[] {
  const win = a.windowsLaps;
  const winReady = win.attributes.filter((x) => x.status === 'ok' && x.inComputerMayContain).length;
  const legacy = a.legacy.attributes.filter((x) => x.status !== 'missing');
  const dcs = a.domainControllers;
  const lines = [
    `Schema and prerequisites of ${s.facts.dnsDomain} (DC ${s.facts.dcHost}, bound as ${a.boundAs.dn})`,
    `  Legacy LAPS schema    ${a.legacy.status}${legacy.length ? `: ${legacy.map((x) => `${x.name}${x.inComputerMayContain ? '' : ' (not in computer class)'}`).join(', ')}` : ''}${a.legacy.renamed ? ' (renamed; found by attributeID)' : ''}`,
    `  Windows LAPS schema   ${win.status}: ${winReady} of ${win.attributes.length} attributes ready, extended right ${win.extendedRight.status === 'ok' ? 'present' : win.extendedRight.status}`,
  ];
  for (const x of win.attributes.filter((y) => y.status !== 'ok' || !y.inComputerMayContain)) {
    const what = x.status === 'ok' ? 'not in the computer class' : x.status === 'mismatch' ? `differs (${x.differences.filter((d) => d.severity !== 'info').map((d) => d.property).join(', ')})${x.inComputerMayContain ? '' : ', not in the computer class'}` : x.status === 'name-conflict' ? `name taken by ${x.conflict?.dn}` : 'missing';
    lines.push(`                        ${x.expectedName}: ${what}`);
  }
  lines.push(
    `  Schema                version ${a.schemaVersion.objectVersion ?? '?'}${a.schemaVersion.name ? ` (${a.schemaVersion.name})` : ''}; master ${a.schemaMaster.dnsHostName ?? a.schemaMaster.serverDn ?? 'unknown'}${a.schemaMaster.boundDcIsMaster ? ' (this DC)' : ' (not this DC)'}`,
    `  Bound account         Schema Admin: ${yes(a.boundAs.schemaAdmin)}, Domain Admin: ${yes(a.boundAs.domainAdmin)}, Enterprise Admin: ${yes(a.boundAs.enterpriseAdmin)}`,
    `  Functional levels     domain ${a.functionalLevels.domain.name}, forest ${a.functionalLevels.forest.name}${a.functionalLevels.encryptionSupported ? ' (encryption possible)' : ' (encryption needs 2016)'}`,
    `  Domain controllers    ${dcs.length}`,
  );
  for (const dc of dcs) {
    lines.push(`                        ${dc.dnsHostName || dc.name}: ${dc.operatingSystem || 'unknown OS'} ${dc.operatingSystemVersion}${dc.readOnly ? ', read-only' : ''}${dc.schemaMaster ? ', schema master' : ''}; DSRM backup ${DSRM_TEXT[dc.dsrmBackup]} (${dc.dsrmReason})`);
  }
  const k = a.kds;
  const kds =
    k.status === 'usable' ? `usable (${k.rootKeys.filter((x) => x.usableNow).length} of ${k.rootKeys.length})`
      : k.status === 'not-yet-effective' ? `present, usable from ${k.usableFrom}`
        : k.status === 'missing' ? 'none'
          : 'unknown: not readable by this account';
  lines.push(`  KDS root keys         ${kds}`);
  for (const key of k.rootKeys) {
    lines.push(`                        ${key.id}: ${key.kdfAlgorithm ?? '?'}/${key.kdfHash ?? '?'}, ${key.secretAgreement ?? '?'}${key.publicKeyLength ? ` ${key.publicKeyLength}-bit` : ''}, usable from ${key.usableFrom ?? '?'}`);
  }
  return lines;
}

/** Findings, blockers first, with advice for everything that is not informational. */
export function findingLines(findings: Finding[]): string[] {
  const order = { blocker: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings].sort((x, y) => order[x.severity] - order[y.severity]);
  return ['Findings:', ...sorted.flatMap((f) => [`  [${f.severity}] ${f.code}: ${f.message}`, ...(f.severity === 'info' ? [] : [`      what to do: ${f.advice}`])])];
}
