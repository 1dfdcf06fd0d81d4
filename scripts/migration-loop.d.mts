// Types of scripts/migration-loop.mjs for the TypeScript tests that drive it.
export const ROOT: string;
export const CLI: string;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface WaveComputer {
  name: string;
  dn: string;
  state: 'verified' | 'pending' | 'failed' | 'stuck' | 'left-behind';
  reasons: string[];
  leftBehind: string | null;
}

export interface WaveState {
  name: string;
  gpo: string;
  ous: string[];
  startedAt: string | null;
  counts: Record<string, number>;
  gate: { met: boolean; unmet: string[]; soakDays: number };
  computers: WaveComputer[];
}

export interface StepRunResult {
  step: string;
  verdict: string;
  exitCode: number;
  report?: string;
  // the step command's own --json document
  result?: { findings?: Array<{ code: string; severity: string; message: string; evidence?: string }>; data?: unknown; plan?: { changes: unknown[] } };
}

export interface RunDocument {
  playbook: string;
  apply: boolean;
  exitCode: number;
  report: string;
  steps: StepRunResult[];
}

export interface Standing {
  changed: string[];
  waves: WaveState[];
  waiting: string | undefined;
  soakingWave: string | undefined;
  complete: boolean;
  /** Waves whose start moved later after their computers were verified (see restartedWaves). */
  restarted: Restart[];
}

export interface Restart {
  wave: string;
  from: string;
  to: string;
  computers: string[];
}

export interface CycleResult {
  cycle: number;
  devices: number;
  rotated: number;
  refused: number;
  modes: Record<string, number>;
  events: Record<string, number>;
}

export interface DriveOptions {
  playbook: string;
  labDir: string;
  out: string;
  env?: Record<string, string>;
  runArgs?: string[];
  maxCycles?: number;
  perStep?: boolean;
  verified?: Map<string, string | null>;
  log?: string;
  stopWhen?: (state: Standing) => boolean;
  afterStep?: (step: StepRunResult, round: number) => void | Promise<void>;
  afterRound?: (state: Standing, round: number, lastRun: RunDocument) => void | Promise<void>;
  afterCycle?: (cycle: CycleResult, round: number) => void | Promise<void>;
}

export interface DriveResult {
  complete: boolean;
  rounds: number;
  cycles: number;
  lastRun: RunDocument;
  state: Standing;
  stepsRun: number;
}

export function runCli(args: string[], options?: { env?: Record<string, string>; log?: string }): Promise<CliRun>;
export function builtSteps(): Promise<string[]>;
export function rehearsalPlaybook(source: string, target: string, options: { soakDays?: number; built: string[] }): { steps: string[]; missing: string[]; changed: string[] };
export function playbookSteps(file: string): string[];
export function standing(stepResults: StepRunResult[], listed: string[]): Standing;
export function restartedWaves(waves: WaveState[], verified: Map<string, string | null>): Restart[];
export function driveMigration(options: DriveOptions): Promise<DriveResult>;
