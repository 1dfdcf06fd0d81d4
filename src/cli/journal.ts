/**
 * `laps-migrate journal list|show|export|reads`: read the journal of runs, their changes and
 * every secret revealed to a user, for administrators and auditors. Read-only; no connection.
 */
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { action } from './action.js';

function warn(lines: string[]): void {
  for (const w of lines) process.stderr.write(`warning: ${w}\n`);
}

export interface JournalCommandOptions {
  /** Security descriptor bytes to SDDL for `show --details` (wired by the caller to src/security). */
  describeDescriptor?: (buf: Buffer) => string;
}

export function registerJournal(program: Command, options: JournalCommandOptions = {}): void {
  const journal = program
    .command('journal')
    .description('show what the tool changed (runs, changes with before/after, password reads) for audits');

  journal
    .command('list')
    .description('list every run, oldest first, with its status and change counts')
    .option('--json', 'print the runs as JSON')
    .action(
      action(async (flags: { json?: boolean }) => {
        const { JournalStore } = await import('../journal/journal-store.js');
        const { renderRunList } = await import('../journal/render-run.js');
        const { runs, warnings } = JournalStore.open().listRuns();
        warn(warnings);
        process.stdout.write(flags.json ? `${JSON.stringify({ runs }, null, 2)}\n` : renderRunList(runs));
        return 0;
      }),
    );

  journal
    .command('show <run>')
    .description('show one run: who, where, options, and every change with its state (RUN: id, unique prefix or "last")')
    .option('--json', 'print the run as JSON (descriptors as base64, secrets as presence + length)')
    .option('--details', 'also print each change\'s diff and state history')
    .action(
      action(async (runArg: string, flags: { json?: boolean; details?: boolean }) => {
        const { JournalStore } = await import('../journal/journal-store.js');
        const { renderRun } = await import('../journal/render-run.js');
        const run = JournalStore.open().readRun(runArg);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
        } else {
          process.stdout.write(renderRun({ ...run, warnings: [] }, { details: !!flags.details, ...(options.describeDescriptor ? { describeDescriptor: options.describeDescriptor } : {}) }));
        }
        // on stderr, as every journal command warns (torn or damaged lines, newer formats)
        warn(run.warnings);
        return 0;
      }),
    );

  journal
    .command('export [run]')
    .description('write a CSV for auditors: one run\'s changes, or with --all every run and every password read')
    .option('--all', 'export every run and every password read')
    .option('--csv <file>', 'the CSV file to write (UTF-8 with BOM, formula-escaped, mode 0600)')
    .action(
      action(async (runArg: string | undefined, flags: { all?: boolean; csv?: string }) => {
        if (!flags.csv) throw new InputError('journal export needs --csv FILE');
        if (!!runArg === !!flags.all) throw new InputError('give either a RUN or --all', { advice: 'laps-migrate journal export RUN --csv FILE, or journal export --all --csv FILE' });
        const { outputFile } = await import('./parse-input.js');
        outputFile('--csv', flags.csv);
        const { JournalStore } = await import('../journal/journal-store.js');
        const { readEventRows, runRows, toCsv } = await import('../journal/export-csv.js');
        const { writePrivateFile } = await import('../config/paths.js');
        const store = JournalStore.open();
        const rows = [];
        const warnings: string[] = [];
        if (runArg) {
          const run = store.readRun(runArg);
          warnings.push(...run.warnings);
          rows.push(...runRows(run));
        } else {
          const list = store.listRuns();
          warnings.push(...list.warnings);
          for (const s of list.runs) {
            const run = store.readRun(s.runId);
            warnings.push(...run.warnings);
            rows.push(...runRows(run));
          }
          const reads = store.readReadEvents();
          warnings.push(...reads.warnings);
          rows.push(...readEventRows(reads.events));
        }
        writePrivateFile(flags.csv, toCsv(rows));
        warn(warnings);
        process.stderr.write(`wrote ${rows.length} row${rows.length === 1 ? '' : 's'} to ${flags.csv}\n`);
        return 0;
      }),
    );

  journal
    .command('reads')
    .description('list every secret revealed to a user: when, who, which object, which source (never the value)')
    .option('--json', 'print the events as JSON')
    .action(
      action(async (flags: { json?: boolean }) => {
        const { JournalStore } = await import('../journal/journal-store.js');
        const { events, warnings } = JournalStore.open().readReadEvents();
        warn(warnings);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ events }, null, 2)}\n`);
          return 0;
        }
        if (events.length === 0) {
          process.stdout.write('No secret has been revealed through laps-migrate.\n');
          return 0;
        }
        for (const e of events) {
          process.stdout.write(`${e.at}  ${e.who}${e.osUser ? ` (${e.osUser}@${e.host ?? '?'})` : ''}  ${e.object}  ${e.source}${e.reason ? `  reason: ${e.reason}` : ''}\n`);
        }
        return 0;
      }),
    );
}
