/**
 * What every step produces (ARCHITECTURE "A step's life"): findings with stable codes and the
 * changes it would make. Reports are written from these, never from raw LDAP entries.
 */
export type Severity = 'info' | 'warning' | 'blocker';

export interface Finding {
  /** Stable UPPER_SNAKE identifier listed in the README; scripts and tests rely on it. */
  code: string;
  severity: Severity;
  /** The object concerned: a DN, an OU, a GPO, "domain", "schema". */
  object: string;
  message: string;
  /** Facts that support it (never a secret). */
  evidence?: string;
  advice: string;
  /** How many objects this finding stands for, when it is a rollup. */
  count?: number;
}

export type StepName = 'inventory' | 'schema' | 'permissions' | 'emulation' | 'cutover' | 'cleanup';

export interface TargetInfo {
  server: string;
  domain: string;
  baseDn: string;
  /** The search scope the run was limited to (--ou), if any. */
  scope?: string;
  boundAs: string;
}

export interface StepResult<D = unknown> {
  step: StepName;
  /** Version of this JSON document's schema (bumped when fields change meaning). */
  schemaVersion: number;
  tool: { name: 'laps-migrate'; version: string };
  generatedAt: string;
  target: TargetInfo;
  findings: Finding[];
  data: D;
}

export function hasBlockers(findings: Finding[]): boolean {
  return findings.some((f) => f.severity === 'blocker');
}
