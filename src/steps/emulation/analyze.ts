/**
 * Step 4's analysis (pure): facts in, the step's data and findings out. Readiness per computer
 * and per OU, the GPO settings table, monitoring, and the containers --apply grants the legacy
 * SELF permission on.
 */
import { friendlyPath } from '../../directory/dn.js';
import { decodeGpoLapsPolicy, type LegacyLapsSettings, type WindowsLapsSettings } from '../../laps/laps-policy.js';
import type { Finding } from '../../model/step-result.js';
import { monitor, type MonitorResult, type MonitorStart } from './monitoring.js';
import type { EmulationOptions } from './options.js';
import { fileStateText, mayCarryLaps } from './policy.js';
import type { EmulationFacts } from './read.js';
import { assessReadiness, type ComputerReadiness, type OuReadiness, type Verdict } from './readiness.js';

export interface GpoRow {
  name: string;
  guid: string;
  links: string;
  kinds: string;
  file: string;
  legacy: string;
  windows: string;
  problems: string;
}

export interface EmulationData {
  options: EmulationOptions;
  sysvol: { given: boolean; policiesDir: string | null };
  legacySchema: boolean;
  summary: { computers: number; verdicts: Record<Verdict, number>; grantContainers: number; lapsGpos: number; unreadableGpos: number };
  ous: OuReadiness[];
  gpos: GpoRow[];
  computers: ComputerReadiness[];
  monitor: MonitorResult;
  /** Containers --apply grants the legacy SELF permission on, with how many computers it is for. */
  grants: Array<{ container: string; dn: string; computers: number }>;
  /** Containers skipped because every computer there is on Windows LAPS (cleanup removed the right on purpose). */
  windowsOnly: string[];
}

export function legacyText(s: LegacyLapsSettings | undefined): string {
  if (!s) return '-';
  return `AdmPwdEnabled=${s.enabled ? 1 : 0}; age ${s.passwordAgeDays} d; length ${s.passwordLength}; complexity ${s.passwordComplexity}; account ${s.adminAccountName ?? 'built-in (RID 500)'}${s.expirationProtection ? '; expiration protection' : ''}`;
}

export function windowsText(s: WindowsLapsSettings | undefined): string {
  if (!s) return '-';
  if (s.backupDirectory === 'disabled') return 'BackupDirectory=0 (Windows LAPS off)';
  const enc = s.encryptionEnabled ? `encrypted to ${s.encryptionPrincipal ?? 'Domain Admins'}; history ${s.historySize}` : 'clear text';
  return `BackupDirectory=${s.backupDirectory === 'ad' ? 'AD' : 'Entra'}; ${enc}; age ${s.passwordAgeDays} d; length ${s.passwordLength}; complexity ${s.passwordComplexity}${s.backupDsrm ? '; DSRM backup' : ''}`;
}

function gpoAnalysis(facts: EmulationFacts): { rows: GpoRow[]; findings: Finding[]; unreadable: number } {
  const rows: GpoRow[] = [];
  const findings: Finding[] = [];
  let unreadable = 0;
  const path = (dn: string) => friendlyPath(dn, facts.domainDn);
  for (const g of facts.gpos) {
    const decoded = g.entries ? decodeGpoLapsPolicy(g.entries) : undefined;
    const carries = !!(decoded?.legacy || decoded?.windows);
    if (!mayCarryLaps(g) && !carries) continue;
    const problems = [...(decoded?.legacy?.problems ?? []), ...(decoded?.windows?.problems ?? [])].map((p) => p.message);
    rows.push({
      name: g.name,
      guid: g.guid,
      links: g.links.map((l) => `${path(l.at)}${l.enforced ? ' (enforced)' : ''}${l.disabled ? ' (link disabled)' : ''}`).join('; ') || 'not linked',
      kinds: g.kinds.join(', '),
      file: fileStateText(g),
      legacy: g.file === 'read' || g.file === 'absent' ? legacyText(decoded?.legacy) : 'unknown',
      windows: g.file === 'read' || g.file === 'absent' ? windowsText(decoded?.windows) : 'unknown',
      problems: problems.join('; ') || '-',
    });
    if ((g.file === 'malformed' || g.file === 'missing-folder') && g.links.some((l) => !l.disabled)) {
      unreadable++;
      findings.push({
        code: 'EMULATION_GPO_UNREADABLE',
        severity: 'warning',
        object: g.dn,
        message: `GPO "${g.name}": ${fileStateText(g)}; the computers it reaches have an unknown LAPS policy.`,
        evidence: `${g.guid}; linked at ${g.links.map((l) => path(l.at)).join(', ') || 'nowhere'}`,
        advice: 'Check SYSVOL replication and the GPO in GPMC (an edit that did not finish, or a copy of SYSVOL taken mid-replication); `laps-migrate gpo show` compares both halves.',
      });
    }
    if (problems.length && g.links.some((l) => !l.disabled)) {
      findings.push({
        code: 'EMULATION_GPO_VALUE_IGNORED',
        severity: 'warning',
        object: g.dn,
        message: `GPO "${g.name}" sets LAPS values the client ignores: ${problems.join('; ')}.`,
        advice: 'Fix the values in the GPO (LAPS-FACTS ranges); the defaults apply meanwhile.',
      });
    }
  }
  return { rows, findings, unreadable };
}

export function analyzeEmulation(facts: EmulationFacts, o: EmulationOptions, now: Date, start: MonitorStart | undefined): { data: EmulationData; findings: Finding[] } {
  const readiness = assessReadiness({ domainDn: facts.domainDn, legacySchema: facts.legacySchema, computers: facts.computers, sysvol: !!facts.policiesDir, enabled: o.enabled && o.grantLegacySelf });
  const byDn = new Map(readiness.computers.map((c) => [c.dn, c]));
  const mon = monitor({
    now,
    start,
    graceDays: o.graceDays,
    computers: facts.computers.map((c) => {
      const r = byDn.get(c.dn)!;
      return { ...c, verdict: r.verdict, container: r.container, containerPath: r.containerPath };
    }),
  });
  const gpo = gpoAnalysis(facts);
  const grants = readiness.ous.filter((u) => u.grant).map((u) => ({ container: u.path, dn: u.container, computers: u.counts['needs-self'] }));
  const findings = [...readiness.findings, ...gpo.findings, ...mon.findings];
  if (readiness.windowsOnlyContainers.length) {
    findings.push({
      code: 'EMULATION_SELF_NOT_REGRANTED',
      severity: 'info',
      object: readiness.windowsOnlyContainers.join('; '),
      message: `${readiness.windowsOnlyContainers.length} container(s) lack the legacy SELF permission but every computer there is on Windows LAPS: the legacy right is not granted again (cleanup removed it on purpose).`,
      advice: 'Unlink the legacy GPO from these OUs so that no computer there falls back to emulation.',
    });
  }
  if (!start) {
    findings.push({
      code: 'EMULATION_MONITOR_NOT_STARTED',
      severity: 'info',
      object: 'domain',
      message: 'Monitoring has no start date: no emulation --apply is in the journal and no --since was given, so no computer is reported as stuck yet.',
      advice: 'When the CSE removal starts, run `laps-migrate emulation --monitor --since YYYY-MM-DD` (or rerun after `emulation --apply`).',
    });
  }
  return {
    data: {
      options: o,
      sysvol: { given: !!facts.policiesDir, policiesDir: facts.policiesDir ?? null },
      legacySchema: facts.legacySchema,
      summary: { computers: facts.computers.length, verdicts: readiness.totals, grantContainers: grants.length, lapsGpos: gpo.rows.length, unreadableGpos: gpo.unreadable },
      ous: readiness.ous,
      gpos: gpo.rows,
      computers: readiness.computers,
      monitor: mon,
      grants,
      windowsOnly: readiness.windowsOnlyContainers,
    },
    findings,
  };
}
