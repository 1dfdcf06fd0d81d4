/**
 * Readiness for legacy emulation (pure; LAPS-FACTS 1). A computer is ready when: the legacy
 * schema exists; the legacy SELF permission covers it; its build runs Windows LAPS; a legacy GPO
 * with AdmPwdEnabled=1 reaches it; no Windows LAPS GPO policy reaches it; it is not a DC. Once
 * its legacy CSE is removed (or was never installed) such a computer runs in emulation and keeps
 * writing ms-Mcs-AdmPwd. Each failed condition is a verdict and a finding with advice; the
 * containers whose emulation-bound computers lack the legacy SELF permission are where --apply
 * grants it.
 */
import { friendlyPath, parentDn } from '../../directory/dn.js';
import type { OsReadinessResult } from '../../laps/os-readiness.js';
import type { Finding, Severity } from '../../model/step-result.js';
import type { PolicyFacts, Tri } from './policy.js';

export interface ReadinessComputer {
  dn: string;
  name: string;
  enabled: boolean;
  dc: boolean;
  os: OsReadinessResult;
  /** Legacy SELF coverage from the permissions analysis ('unknown': descriptor unreadable). */
  legacySelf: Tri;
  /** Holds a legacy expiration time (legacy LAPS manages or managed it). */
  legacyManaged: boolean;
  /** Holds a Windows LAPS expiration time. */
  windowsManaged: boolean;
  /** Still on legacy by the directory's rule (laps/legacy-dependence.ts); default: legacyManaged. */
  legacyDependent?: boolean;
  policy: PolicyFacts;
}

export interface ReadinessInput {
  domainDn: string;
  legacySchema: boolean;
  computers: ReadinessComputer[];
  /** Settings read from SYSVOL (false: from LDAP alone). */
  sysvol: boolean;
  /** The step's `enabled` option: false = emulation is not wanted, only warn where it would start. */
  enabled: boolean;
}

export type Verdict = 'ready' | 'needs-self' | 'no-schema' | 'stays-legacy' | 'windows-laps' | 'pinned-off' | 'no-legacy-policy' | 'domain-controller' | 'not-windows' | 'unknown';

export const VERDICTS: readonly Verdict[] = ['ready', 'needs-self', 'no-schema', 'stays-legacy', 'windows-laps', 'pinned-off', 'no-legacy-policy', 'domain-controller', 'not-windows', 'unknown'];

export type ConditionKey = 'schema' | 'self' | 'build' | 'legacyPolicy' | 'noWindowsPolicy' | 'notDc';

export interface ComputerReadiness {
  dn: string;
  name: string;
  container: string;
  containerPath: string;
  verdict: Verdict;
  conditions: Record<ConditionKey, Tri>;
  /** One line per failed or unknown condition. */
  reasons: string[];
}

export interface OuReadiness {
  container: string;
  path: string;
  computers: number;
  counts: Record<Verdict, number>;
  /** --apply grants the legacy SELF permission here. */
  grant: boolean;
}

export interface ReadinessResult {
  computers: ComputerReadiness[];
  ous: OuReadiness[];
  findings: Finding[];
  /** Containers (DNs) where --apply grants the legacy SELF permission. */
  grantContainers: string[];
  /** Containers left alone: every computer there is verified on Windows LAPS (cleanup removed the legacy right on purpose). */
  windowsOnlyContainers: string[];
  totals: Record<Verdict, number>;
}

function tri(v: boolean): Tri {
  return v ? 'yes' : 'no';
}

function buildCondition(os: OsReadinessResult): Tri {
  if (os.readiness === 'supported' || os.readiness === 'supported-if-patched') return 'yes';
  if (os.readiness === 'unknown') return 'unknown';
  return 'no';
}

export function conditionsOf(c: ReadinessComputer, legacySchema: boolean): Record<ConditionKey, Tri> {
  const p = c.policy;
  return {
    schema: tri(legacySchema),
    self: c.legacySelf,
    build: buildCondition(c.os),
    legacyPolicy: p.legacyEnabled,
    noWindowsPolicy: p.windowsPolicy === 'yes' || p.windowsDisabled ? 'no' : p.windowsPolicy === 'no' ? 'yes' : 'unknown',
    notDc: tri(!c.dc),
  };
}

export function verdictOf(c: ReadinessComputer, k: Record<ConditionKey, Tri>): Verdict {
  if (c.dc) return 'domain-controller';
  if (c.os.readiness === 'not-windows') return 'not-windows';
  if (k.build === 'no') return 'stays-legacy';
  if (c.policy.windowsPolicy === 'yes') return 'windows-laps';
  if (c.policy.windowsDisabled) return 'pinned-off';
  if (k.legacyPolicy === 'no') return 'no-legacy-policy';
  if (k.schema === 'no') return 'no-schema';
  if (k.self === 'no') return 'needs-self';
  if (Object.values(k).includes('unknown')) return 'unknown';
  return 'ready';
}

function reasonsOf(c: ReadinessComputer, k: Record<ConditionKey, Tri>): string[] {
  const out: string[] = [];
  const say = (key: ConditionKey, no: string, unknown: string) => {
    if (k[key] === 'no') out.push(no);
    else if (k[key] === 'unknown') out.push(unknown);
  };
  say('schema', 'the legacy schema (ms-Mcs-AdmPwd) is missing: event 10012', 'legacy schema unknown');
  say('self', 'the legacy SELF permission does not cover it: event 10065', 'legacy SELF coverage unknown (descriptor unreadable)');
  say('build', c.os.reason, `build unknown: ${c.os.reason}`);
  say('legacyPolicy', c.policy.legacy ? 'the legacy policy reaching it does not set AdmPwdEnabled=1' : 'no legacy LAPS policy reaches it', `legacy policy unknown (${c.policy.unknown.join('; ') || 'no SYSVOL'})`);
  say('noWindowsPolicy', c.policy.windowsDisabled ? 'a Windows LAPS GPO sets BackupDirectory=0: Windows LAPS (and emulation) is off' : 'a Windows LAPS GPO policy reaches it: Windows LAPS policy wins, not emulation', `Windows LAPS GPO policy unknown (${c.policy.unknown.join('; ') || 'no SYSVOL'})`);
  say('notDc', 'a domain controller: Windows LAPS never emulates legacy LAPS on a DC', '');
  return out;
}

function emptyCounts(): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
}

export function assessReadiness(input: ReadinessInput): ReadinessResult {
  const path = (dn: string) => friendlyPath(dn, input.domainDn);
  const computers: ComputerReadiness[] = [];
  const ous = new Map<string, OuReadiness & { windowsOnly: boolean }>();
  const totals = emptyCounts();
  for (const c of input.computers) {
    const k = conditionsOf(c, input.legacySchema);
    const verdict = verdictOf(c, k);
    const container = parentDn(c.dn);
    const key = container.toLowerCase();
    let ou = ous.get(key);
    if (!ou) ous.set(key, (ou = { container, path: path(container), computers: 0, counts: emptyCounts(), grant: false, windowsOnly: true }));
    ou.computers++;
    ou.counts[verdict]++;
    if (!(c.windowsManaged && !(c.legacyDependent ?? c.legacyManaged))) ou.windowsOnly = false;
    totals[verdict]++;
    computers.push({ dn: c.dn, name: c.name, container, containerPath: ou.path, verdict, conditions: k, reasons: verdict === 'ready' ? [] : reasonsOf(c, k) });
  }
  const windowsOnlyContainers: string[] = [];
  const grantContainers: string[] = [];
  for (const ou of ous.values()) {
    if (ou.counts['needs-self'] === 0) continue;
    if (ou.windowsOnly) windowsOnlyContainers.push(ou.container);
    else if (input.enabled) {
      ou.grant = true;
      grantContainers.push(ou.container);
    }
  }
  const list = [...ous.values()].map(({ windowsOnly: _w, ...o }) => o).sort((a, b) => a.path.localeCompare(b.path));
  return { computers, ous: list, findings: readinessFindings(input, list, totals, computers), grantContainers, windowsOnlyContainers, totals };
}

const ADVICE: Record<Exclude<Verdict, 'ready'>, { code: string; severity: Severity; what: string; advice: string }> = {
  'needs-self': {
    code: 'EMULATION_SELF_MISSING',
    severity: 'warning',
    what: 'computer(s) would run in emulation but the legacy SELF permission does not cover them: each cycle they are refused (event 10065) and their password is not rotated',
    advice: 'Run `laps-migrate emulation --apply` to grant the legacy SELF permission here (journaled, reversible), or Set-AdmPwdComputerSelfPermission -OrgUnit on this OU. Computers moved into an OU keep the permission of their new OU only.',
  },
  'no-schema': {
    code: 'EMULATION_LEGACY_SCHEMA_MISSING',
    severity: 'blocker',
    what: 'computer(s) are under a legacy policy but the legacy schema (ms-Mcs-AdmPwd) is missing: emulation fails with event 10012',
    advice: 'Emulation writes ms-Mcs-AdmPwd: extend the legacy schema (Update-AdmPwdADSchema) or go straight to Windows LAPS (steps 2 and 5).',
  },
  'stays-legacy': {
    code: 'EMULATION_UNSUPPORTED_BUILD',
    severity: 'info',
    what: 'computer(s) run a build without Windows LAPS (Server 2016 / 1607, or below 17763): they stay on the legacy CSE until retired',
    advice: 'Do not deploy the CSE removal script to them: without the CSE nothing manages their password. Plan their upgrade or retirement; the legacy GPO and the legacy SELF permission must stay until then.',
  },
  'windows-laps': {
    code: 'EMULATION_WINDOWS_POLICY',
    severity: 'info',
    what: 'computer(s) are reached by a Windows LAPS GPO policy: Windows LAPS applies its own policy there, not emulation',
    advice: 'Nothing to do for emulation. If this is not intended, unlink the Windows LAPS GPO (a Windows LAPS policy also blocks the legacy CSE: event 10031).',
  },
  'pinned-off': {
    code: 'EMULATION_PINNED_OFF',
    severity: 'info',
    what: 'computer(s) are reached by a Windows LAPS GPO that sets BackupDirectory=0: Windows LAPS and emulation are off; only an installed legacy CSE manages them',
    advice: 'Keep the legacy CSE on these computers while the pin is in place; remove the BackupDirectory value from that GPO when they should move to emulation.',
  },
  'no-legacy-policy': {
    code: 'EMULATION_NO_LEGACY_POLICY',
    severity: 'info',
    what: 'computer(s) are not reached by a legacy GPO with AdmPwdEnabled=1: emulation does not start there',
    advice: 'Link the legacy LAPS GPO (AdmPwdEnabled=1) to their OU if they should be managed through emulation, or manage them with Windows LAPS directly (step 5).',
  },
  'domain-controller': {
    code: 'EMULATION_DOMAIN_CONTROLLER',
    severity: 'info',
    what: 'domain controller(s): Windows LAPS never emulates legacy LAPS on a DC',
    advice: 'DCs move to Windows LAPS with a policy of their own (DSRM backup, step 5); do not rely on the legacy policy for them.',
  },
  'not-windows': {
    code: 'EMULATION_NOT_WINDOWS',
    severity: 'info',
    what: 'computer(s) do not run Windows: LAPS does not manage them',
    advice: 'Nothing to do; manage their local accounts with another tool.',
  },
  unknown: {
    code: 'EMULATION_READINESS_UNKNOWN',
    severity: 'info',
    what: 'computer(s) whose readiness needs facts AD does not hold (GPO settings without SYSVOL, an unreadable Registry.pol or descriptor, an unknown build)',
    advice: 'Give --sysvol PATH (the SYSVOL share mounted or copied, or `sysvol:` in the profile) so that the GPO settings are read; check the reasons in the per-computer CSV.',
  },
};

function readinessFindings(input: ReadinessInput, ous: OuReadiness[], totals: Record<Verdict, number>, computers: ComputerReadiness[]): Finding[] {
  const findings: Finding[] = [];
  const examples = (container: string, verdict: Verdict) =>
    computers
      .filter((c) => c.container === container && c.verdict === verdict)
      .slice(0, 5)
      .map((c) => c.name);
  for (const verdict of VERDICTS) {
    if (verdict === 'ready') continue;
    const a = ADVICE[verdict];
    for (const ou of ous) {
      const n = ou.counts[verdict];
      if (!n) continue;
      const first = computers.find((c) => c.container === ou.container && c.verdict === verdict);
      findings.push({
        code: a.code,
        severity: a.severity,
        object: ou.container,
        message: `${ou.path}: ${n} ${a.what}.`,
        evidence: `e.g. ${examples(ou.container, verdict).join(', ')}${first?.reasons.length ? `; ${first.reasons[0]}` : ''}`,
        advice: a.advice,
        count: n,
      });
    }
  }
  const bound = totals.ready + totals['needs-self'];
  if (!input.enabled && bound > 0) {
    findings.push({
      code: 'EMULATION_WOULD_START',
      severity: 'warning',
      object: 'domain',
      message: `${bound} computer(s) on Windows LAPS builds are reached by a legacy policy only: wherever the legacy CSE is missing (new or reimaged machines) they start emulation by themselves.`,
      evidence: `ready: ${totals.ready}; ready but for the legacy SELF permission: ${totals['needs-self']}`,
      advice: 'If emulation must stay off on some of them (e.g. during OS deployment), pin it off with BackupDirectory=0 under the local LAPS\\Config key (Set-LapsEmulationPin.ps1 from a run with enabled: true), or link a Windows LAPS policy.',
    });
  } else if (bound > 0) {
    findings.push({
      code: 'EMULATION_READY',
      severity: 'info',
      object: 'domain',
      message: `${totals.ready} computer(s) are ready for emulation${totals['needs-self'] ? `; ${totals['needs-self']} more once the legacy SELF permission is granted` : ''}: once the legacy CSE is removed they keep writing ms-Mcs-AdmPwd through Windows LAPS.`,
      evidence: `per-OU grid in the report; a computer with the CSE still installed stays on the CSE (Windows LAPS defers: event 10033)`,
      advice: 'Deploy Remove-LegacyLapsCse.ps1 from the report folder to ready computers (OU by OU), then run `laps-migrate emulation --monitor --since DATE` to see them rotate.',
    });
  }
  if (!input.sysvol) {
    findings.push({
      code: 'EMULATION_NO_SYSVOL',
      severity: 'info',
      object: 'domain',
      message: 'GPO settings were not read (no --sysvol): whether AdmPwdEnabled=1 and whether a Windows LAPS policy reaches a computer is unknown; only the GPOs listing the legacy CSE are known from LDAP.',
      advice: 'Mount or copy the SYSVOL share (e.g. mount -t cifs //dc/SYSVOL /mnt/sysvol -o user=...) and give --sysvol /mnt/sysvol, or set `sysvol:` in the profile.',
    });
  }
  return findings;
}
