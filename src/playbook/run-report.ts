/**
 * The run-level report of `run --playbook` (`<out>/<time>-run/`): one row per step with its
 * verdict, key numbers and a link to the step's own report folder; for a readiness playbook, the
 * page a manager reads (a go / no-go per area). Written by report/write-report like every other
 * report (report.html, summary.md, run.json with this run's document under "details").
 */
import { basename } from 'node:path';
import { countBySeverity } from '../report/report-text.js';
import type { Headline, ReportModel, Tone } from '../report/model.js';
import type { Finding, StepName, TargetInfo } from '../model/step-result.js';
import { VERSION } from '../version.js';

/** What the run report says of a step. */
export type RunVerdict = 'ready' | 'blockers' | 'changes planned' | 'changed' | 'conflict' | 'interrupted' | 'cancelled' | 'failed' | 'not run';

export interface StepOutcome {
  step: StepName;
  title: string;
  verdict: RunVerdict;
  /** The step's own exit code (undefined when it did not run). */
  exitCode?: number;
  /** The step's report folder. */
  reportDir?: string;
  /** The step report's headline (its key numbers). */
  headline: Headline[];
  findings: Finding[];
  /** Why it failed or was not run. */
  message?: string;
}

export interface RunDocument {
  playbook: string;
  description?: string;
  apply: boolean;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  /** The step to resume from (--from) when the run stopped early. */
  resumeFrom?: string;
  /** What to do then, with the command that resumes the run. */
  resumeHint?: string;
  steps: Array<{ step: StepName; verdict: RunVerdict; exitCode?: number; report?: string; message?: string; findings: { blocker: number; warning: number; info: number } }>;
}

const TONE: Record<RunVerdict, Tone> = {
  ready: 'good',
  'changes planned': 'warn',
  changed: 'good',
  blockers: 'bad',
  conflict: 'bad',
  interrupted: 'warn',
  failed: 'bad',
  cancelled: 'neutral',
  'not run': 'neutral',
};

function keyNumbers(h: Headline[]): string {
  return h
    .slice(0, 4)
    .map((x) => `${x.label}: ${typeof x.value === 'number' ? x.value.toLocaleString('en-US') : x.value}`)
    .join(' · ');
}

/** go: every step that ran is ready (or changed as planned) and none was left out by an error. */
export function goNoGo(outcomes: readonly StepOutcome[]): 'go' | 'no-go' {
  return outcomes.every((o) => o.verdict === 'ready' || o.verdict === 'changed' || o.verdict === 'changes planned' || o.verdict === 'not run') ? 'go' : 'no-go';
}

export function runReportModel(doc: RunDocument, outcomes: readonly StepOutcome[], target: TargetInfo): ReportModel {
  const ran = outcomes.filter((o) => o.verdict !== 'not run');
  const verdict = goNoGo(outcomes);
  const findings = ran.flatMap((o) => o.findings.filter((f) => f.severity !== 'info').map((f) => ({ ...f, message: `[${o.step}] ${f.message}` })));
  const notes = [
    `Playbook ${doc.playbook}${doc.description ? `: ${doc.description}` : ''}.`,
    doc.apply ? 'Run with --apply: changes were written where each step said so; every write is in the journal and can be rolled back unless marked irreversible.' : 'Read-only run (no --apply): nothing was written to the directory.',
    ...(doc.resumeHint ? [doc.resumeHint] : []),
    ...outcomes.filter((o) => o.verdict === 'not run' && o.message).map((o) => `${o.step}: not run (${o.message}).`),
    'This page lists blockers and warnings; informational findings are in each step\'s own report (Report column).',
  ];
  // a go / no-go per area at the top: one card per step, its verdict and its first key number
  const headline: Headline[] = [
    { label: 'Verdict', value: verdict, tone: verdict === 'go' ? 'good' : 'bad', detail: `${ran.length} of ${outcomes.length} steps ran, exit code ${doc.exitCode}` },
    ...outcomes.map((o) => ({ label: `${o.title}`, value: o.verdict, tone: TONE[o.verdict], detail: o.message ?? keyNumbers(o.headline.slice(0, 1)) })),
  ];
  return {
    step: 'run',
    title: `Playbook run: ${doc.description ?? basename(doc.playbook)}`,
    generatedAt: doc.finishedAt,
    toolVersion: VERSION,
    target,
    headline,
    charts: ran.length
      ? [
          {
            kind: 'stacked-bar',
            id: 'findings',
            title: 'Findings per step',
            series: [
              { label: 'blockers', tone: 'bad' },
              { label: 'warnings', tone: 'warn' },
            ],
            bars: ran.map((o) => {
              const c = countBySeverity(o.findings);
              return { label: o.step, values: [c.blocker, c.warning] };
            }),
          },
        ]
      : [],
    tables: [
      {
        id: 'steps',
        title: 'Steps',
        description: 'One row per step of the playbook, in order; the report column opens that step\'s own report.',
        columns: [
          { key: 'step', label: 'Step' },
          { key: 'verdict', label: 'Verdict' },
          { key: 'numbers', label: 'Key numbers' },
          { key: 'blockers', label: 'Blockers', numeric: true },
          { key: 'warnings', label: 'Warnings', numeric: true },
          { key: 'exitCode', label: 'Exit', numeric: true },
          { key: 'report', label: 'Report', href: 'reportLink' },
        ],
        rows: outcomes.map((o) => {
          const c = countBySeverity(o.findings);
          const folder = o.reportDir ? basename(o.reportDir) : undefined;
          return {
            step: `${o.step} (${o.title})`,
            verdict: TONE[o.verdict] === 'bad' && o.message ? `${o.verdict}: ${o.message}` : o.verdict === 'not run' && o.message ? `not run: ${o.message}` : o.verdict,
            numbers: keyNumbers(o.headline),
            blockers: o.verdict === 'not run' ? null : c.blocker,
            warnings: o.verdict === 'not run' ? null : c.warning,
            exitCode: o.exitCode ?? null,
            report: folder ?? '',
            reportLink: folder ? `../${folder}/report.html` : undefined,
          };
        }),
        csvFile: 'steps.csv',
      },
    ],
    findings,
    notes,
    json: doc,
  };
}
