/**
 * The step contract (ARCHITECTURE "The step contract"). Every step of the migration is one
 * `Step` value; `runStep` (run-step.ts) drives it through plan, consent, apply and verify. The
 * CLI commands, `run --playbook` and the wizard differ only in where the options come from
 * (flags, YAML, prompts) and who gives consent (flags, the playbook, a person).
 *
 * A step never writes to stdout/stderr itself: it reports progress through ctx.progress and
 * returns text lines, a JSON document and a report model that the caller decides how to show.
 */
import type { z } from 'zod';
import type { Directory } from '../directory/types.js';
import type { DomainFacts } from '../directory/domain-facts.js';
import type { ApplyProgress, ApplyResult, Change, JournalStore, Plan } from '../journal/index.js';

/** One journal run of an apply, as the runner reports it. */
export type AppliedRun = Pick<ApplyResult, 'runId' | 'journalFile' | 'status' | 'exitCode' | 'counts' | 'stoppedAt'>;
import type { ReportModel } from '../report/model.js';
import type { StepName, StepResult, TargetInfo } from '../model/step-result.js';
import type { RecordSpool } from './record-spool.js';

/** A progress event: what the step is doing and the counts so far (never a secret). */
export interface ProgressEvent {
  step: StepName | string;
  /** e.g. "reading computers", "writing", "verifying". */
  phase: string;
  /** Live counts, e.g. { computers: 1200 }. */
  counts?: Record<string, number>;
  /** One line about a single change or object, e.g. "[c3] verified". */
  message?: string;
}

export interface StepContext {
  /** The bound directory; absent only for offline runs (schema --from-snapshot). */
  dir?: Directory;
  /** Opens a second connection (parallel reads); absent offline. */
  fork?: () => Promise<Directory>;
  target: TargetInfo;
  /** Facts about the domain and the bound account, read once per run. */
  facts?: DomainFacts;
  /** The run's clock: every step reads "now" from here (tests pin it). */
  now: () => Date;
  /** The journal, opened on first use (a read-only run never creates one). */
  journal: () => JournalStore;
  progress: (e: ProgressEvent) => void;
  /** The SYSVOL share (top folder, domain folder or Policies) for steps that read GPO files; a connection setting (--sysvol, the profile's sysvol, the playbook's connection). */
  sysvol?: string;
  /** A private temporary spool for per-object records; the runner disposes it on every exit path. */
  spool: <T>(prefix: string) => RecordSpool<T>;
}

/** What `plan` returns: findings and data, the changes it would make, and how to show them. */
export interface PlannedStep<D = unknown> {
  result: StepResult<D>;
  /** Journaled changes (an empty plan for read-only steps). */
  changes: Plan;
  /** The plan phase as text for a terminal: summary, findings, the plan itself. */
  text(): string[];
  /** The report of this state (rendered by report/write-report). */
  report(): ReportModel;
  /** The --json document (without the report path, which the runner adds). */
  json(): Record<string, unknown>;
}

/** The outcome of applying a plan, possibly in several journal runs (schema phases). */
export interface StepApplied {
  runs: AppliedRun[];
  /** 0 when every change is applied or already done; 5 after a conflict or a part-way stop. */
  exitCode: number;
  /** Extra text about the apply itself (one line per run is printed by the runner). */
  notes?: string[];
  /** Extra JSON about the apply (e.g. schemaUpdateNow results). */
  json?: Record<string, unknown>;
}

export interface ApplyContext {
  /** Progress of each change, already routed to ctx.progress by the runner. */
  onProgress: (p: ApplyProgress) => void;
  /** The options to record with each journal run (secrets are dropped by the journal). */
  journalOptions: Record<string, unknown>;
}

/** How the final state is shown after an apply (text after the per-run lines, JSON, report). */
export interface VerifiedView {
  text: string[];
  json: Record<string, unknown>;
  /** The state the report is written from (the verified state when there is one). */
  final: PlannedStep;
  /** Blockers that remain after the apply decide the exit code. */
  blockers: boolean;
}

export interface Step<O = unknown, D = unknown> {
  name: StepName;
  title: string;
  /**
   * The single source of the step's options: CLI flags, the playbook section and the wizard's
   * questions are all parsed with it (output = the options the step runs with, defaults filled).
   */
  options: z.ZodType<O>;
  /** Read-only: findings, report model and the changes it would make. */
  plan(ctx: StepContext, options: O): Promise<PlannedStep<D>>;
  /** Refuses an apply the bound account or DC cannot carry out, before anything is written. */
  preconditions?(ctx: StepContext, planned: PlannedStep<D>, options: O): void | Promise<void>;
  /** Writes the plan through the journal (default: one applyPlan run of all changes). */
  apply?(ctx: StepContext, planned: PlannedStep<D>, options: O, a: ApplyContext): Promise<StepApplied>;
  /**
   * After an apply: the state read again and how to show it (default: plan again; the text says
   * how many changes a new plan still has).
   */
  verify?(ctx: StepContext, planned: PlannedStep<D>, options: O, applied: StepApplied): Promise<VerifiedView>;
  /** Text shown when the plan has changes but --apply was not given (how to apply). */
  applyHint?(options: O): string;
  /** Text shown when --apply finds nothing to change. */
  nothingToChange?: string;
  /** Extra warning shown with the question about irreversible changes. */
  irreversibleWarning?: string;
  /**
   * The irreversible changes are optional (cleanup): without consent for them the reversible
   * ones are applied alone, instead of the whole plan being refused.
   */
  irreversibleOptional?: true;
  /** What the wizard asks (the questions themselves come from the options schema). */
  wizard?: WizardQuestions<O>;
  /**
   * For a step whose options are too nested to ask key by key (the cutover's policy and waves):
   * a flat schema of questions and how its answers become the step's options. Used instead of
   * `wizard` when present.
   */
  wizardForm?: WizardForm;
}

/** A choice the wizard offers for an option (e.g. OUs or groups found in the domain). */
export interface Choice {
  name: string;
  value: string;
  description?: string;
}

export interface WizardQuestions<O> {
  /** The option keys to ask about, in order (the rest keep their defaults). */
  keys: Array<keyof O & string>;
  /** Values to choose from for some keys, read from the directory. */
  choices?(ctx: StepContext): Promise<Partial<Record<keyof O & string, Choice[]>>>;
}

export interface WizardForm {
  /** A flat zod object: each key is one question (its type, description and default decide the prompt). */
  answers: z.ZodType;
  keys: string[];
  choices?(ctx: StepContext): Promise<Record<string, Choice[]>>;
  /** The step's options input (parsed afterwards by the step's own schema). */
  toOptions(answers: Record<string, unknown>): unknown;
}

/** Options of a step as parsed by its schema. */
export type StepOptions<S> = S extends Step<infer O, unknown> ? O : never;

export function irreversibleChanges(plan: Plan): Change[] {
  return plan.changes.filter((c) => c.irreversible);
}

export function hasBlockingFindings(planned: PlannedStep): boolean {
  return planned.result.findings.some((f) => f.severity === 'blocker');
}

/**
 * A step of any option type, as the registry holds them. Callers pass it options parsed by the
 * step's own schema, so the options always match.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = Step<any, any>;
