/**
 * Progress of `run --playbook`: a listr2 task list in a terminal (one task per step, live counts
 * as they come), plain timestamped lines on stderr otherwise (cron, CI, `| tee`, --json).
 * NO_COLOR is honoured (listr2 reads it; plain lines carry no color at all).
 */
import type { ProgressEvent } from '../steps/step.js';

export interface RunTask {
  title: string;
  /** Runs the step; `progress` shows a line about it. Returns the task's final title and whether the run stops here. */
  run(progress: (e: ProgressEvent) => void): Promise<{ summary: string; stop: boolean }>;
  /** Called instead of run() for tasks after a stop. */
  skipped(): string;
}

const OUTCOME = /\] (verified|already-done|conflict|failed|interrupted)\b/;

function eventText(e: ProgressEvent): string {
  const counts = e.counts ? Object.entries(e.counts).map(([k, v]) => (k === 'done' && e.counts?.total !== undefined ? `${v}/${e.counts.total}` : k === 'total' ? '' : `${v} ${k}`)).filter(Boolean).join(', ') : '';
  return `${e.phase}${counts ? `: ${counts}` : ''}`;
}

/** Plain lines: `2026-12-03T13:20:01Z inventory: reading computers: 1200 computers`. */
export async function runPlain(tasks: RunTask[], write: (line: string) => void = (l) => process.stderr.write(`${l}\n`), now: () => Date = () => new Date()): Promise<void> {
  const stamp = () => `${now().toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  let stopped = false;
  for (const t of tasks) {
    if (stopped) {
      write(`${stamp()} ${t.title}: ${t.skipped()}`);
      continue;
    }
    write(`${stamp()} ${t.title}: started`);
    let lastPhase = '';
    let lastCountAt = 0;
    const r = await t.run((e) => {
      if (e.message && OUTCOME.test(e.message)) return write(`${stamp()} ${t.title}: ${e.message}`);
      const at = now().getTime();
      if (e.phase !== lastPhase || (e.counts && at - lastCountAt >= 10_000)) {
        lastPhase = e.phase;
        lastCountAt = at;
        write(`${stamp()} ${t.title}: ${eventText(e)}`);
      }
    });
    write(`${stamp()} ${t.title}: ${r.summary}`);
    stopped = r.stop;
  }
}

/** A listr2 task list (terminal only). */
export async function runListr(tasks: RunTask[]): Promise<void> {
  const { Listr } = await import('listr2');
  let stopped = false;
  const list = new Listr(
    tasks.map((t) => ({
      title: t.title,
      skip: () => (stopped ? `${t.title}: ${t.skipped()}` : false),
      task: async (_ctx: unknown, task: { output: string; title: string }) => {
        const r = await t.run((e) => {
          task.output = e.message && OUTCOME.test(e.message) ? e.message : eventText(e);
        });
        task.title = `${t.title}: ${r.summary}`;
        stopped = r.stop;
      },
    })),
    { concurrent: false, exitOnError: true, rendererOptions: { collapseSubtasks: false, collapseSkips: false } },
  );
  await list.run();
}
