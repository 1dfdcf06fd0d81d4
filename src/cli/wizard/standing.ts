/**
 * Where the migration stands, from what this machine knows: the newest report of each step in
 * the report folder (its verdict: blockers or not) and the journal's apply runs per step (what
 * was written, what stopped part-way). The wizard proposes to continue at the first step that
 * has no report yet, has blockers, or whose last apply did not complete.
 */
import { readRuns } from '../../report/run-index.js';
import type { JournalStore, RunSummary as JournalRun } from '../../journal/index.js';
import type { StepEntry } from '../../steps/registry.js';

export interface StepStanding {
  step: string;
  title: string;
  available: boolean;
  lastReport?: { at: string; blockers: number; warnings: number; folder: string; headline: Array<{ label: string; value: string | number; tone?: string }> };
  lastApply?: { at: string; runId: string; status: string; exitCode?: number };
}

export function migrationStanding(steps: readonly StepEntry[], outDir: string, journal: JournalStore | undefined): StepStanding[] {
  const runs = readRuns(outDir);
  let applies: JournalRun[] = [];
  try {
    applies = journal ? journal.listRuns().runs.filter((r) => r.kind === 'apply') : [];
  } catch {
    applies = [];
  }
  return steps.map((s) => {
    const rep = runs.find((r) => r.summary.step === s.name);
    const app = applies.filter((r) => r.step === s.name).sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    return {
      step: s.name,
      title: s.title,
      available: !!s.load && s.wizard !== false,
      ...(rep ? { lastReport: { at: rep.summary.generatedAt, blockers: rep.summary.findings.blocker, warnings: rep.summary.findings.warning, folder: rep.folder, headline: rep.summary.headline } } : {}),
      ...(app ? { lastApply: { at: app.startedAt, runId: app.runId, status: app.status, ...(app.exitCode !== undefined ? { exitCode: app.exitCode } : {}) } } : {}),
    };
  });
}

/**
 * The step to continue at: a step whose last apply stopped part-way (interrupted, conflict) comes
 * first, since the domain is between two states there; then the first one not yet done cleanly.
 */
export function resumePoint(standing: StepStanding[]): string | undefined {
  const stopped = standing.find((s) => s.available && s.lastApply && (s.lastApply.status !== 'completed' || (s.lastApply.exitCode !== undefined && s.lastApply.exitCode !== 0)));
  if (stopped) return stopped.step;
  const open = standing.find((s) => s.available && (!s.lastReport || s.lastReport.blockers > 0));
  return (open ?? standing.find((s) => s.available))?.step;
}

export function standingLines(standing: StepStanding[]): string[] {
  return standing.map((s) => {
    const what = !s.available
      ? 'not available in the wizard yet'
      : !s.lastReport
        ? 'not run yet'
        : `last run ${s.lastReport.at.slice(0, 16).replace('T', ' ')} UTC: ${s.lastReport.blockers ? `${s.lastReport.blockers} blocker(s)` : 'no blockers'}${s.lastReport.warnings ? `, ${s.lastReport.warnings} warning(s)` : ''}`;
    const apply = s.lastApply ? `; last apply ${s.lastApply.runId} ${s.lastApply.status}` : '';
    return [`  ${s.title.padEnd(26)} ${what}${apply}`, ...waveLines(s)].join('\n');
  });
}

/**
 * The cutover's waves as its last report saw them (one headline card per wave, tone good = its
 * gate met): which wave is in progress and whether the next one may start.
 */
function waveLines(s: StepStanding): string[] {
  if (s.step !== 'cutover' || !s.lastReport) return [];
  return s.lastReport.headline
    .filter((h) => h.label.startsWith('Wave '))
    .map((h) => `    ${h.label}: ${h.value}${h.value === 'not started' ? '' : h.tone === 'good' ? ', gate met' : ', gate not met yet'}`);
}
