import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setStateDir } from '../../../src/config/paths.js';
import { applyPlan } from '../../../src/journal/apply-plan.js';
import { JournalStore, sanitizeOptions } from '../../../src/journal/journal-store.js';
import { readJsonLines, JsonlAppender } from '../../../src/journal/jsonl-file.js';
import { recordReadEvent } from '../../../src/journal/read-event.js';
import { JOURNAL_FORMAT } from '../../../src/journal/journal-records.js';
import { estate, filesUnder, selfWritePlan, tempJournal, type TempJournal } from './helpers.js';

let tj: TempJournal;
beforeEach(() => {
  tj = tempJournal();
});
afterEach(() => {
  setStateDir(undefined);
  tj.cleanup();
});

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('JournalStore files', () => {
  it('creates folders 0700 and files 0600 under the state folder, even with a permissive umask', async () => {
    const old = process.umask(0o000);
    try {
      setStateDir(tj.root);
      const store = JournalStore.open();
      expect(store.dir).toBe(join(tj.root, 'journal'));
      const dir = estate(['A']);
      await applyPlan(dir, selfWritePlan(dir, ['A']), store);
      recordReadEvent({ who: 'CN=Helpdesk,DC=memory,DC=test', object: 'CN=PC1,DC=memory,DC=test', source: 'ms-Mcs-AdmPwd', reason: 'ticket 42' }, store);
      expect(mode(store.dir)).toBe(0o700);
      expect(mode(store.runsDir)).toBe(0o700);
      const files = filesUnder(store.dir);
      const rel = files.map((f) => f.slice(store.dir.length + 1));
      expect(rel).toHaveLength(3);
      expect(rel).toEqual(expect.arrayContaining(['index.jsonl', 'reads.jsonl', expect.stringMatching(/^runs\/\d{8}T\d{6}Z-permissions-[0-9a-f]{6}\.jsonl$/)]));
      for (const f of files) expect(mode(f)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('lists runs from the index with status and counts, and marks a run without an end as incomplete', async () => {
    const dir = estate(['A', 'B']);
    const done = await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store);
    const open = tj.store.startRun({ kind: 'apply', step: 'schema', who: { dn: 'CN=x' }, server: 'ldaps://dc' });
    open.recordState('c9', 'writing'); // a record for a change the (missing) plan does not list
    const { runs, warnings } = tj.store.listRuns();
    // the unfinished run's damage is warned about by `journal list` too
    expect(warnings).toEqual([expect.stringMatching(/c9/)]);
    expect(runs.map((r) => [r.runId, r.status])).toEqual([
      [done.runId, 'completed'],
      [open.runId, 'incomplete'],
    ]);
    expect(runs[0]!.counts).toEqual({ planned: 1, applied: 1, alreadyDone: 0, conflicts: 0, failed: 0, inDoubt: 0, pending: 0 });
    expect(runs[0]!.exitCode).toBe(0);
    expect(tj.store.readRun(open.runId).warnings.join()).toMatch(/c9/);
    open.abandon();
  });

  it('finds a run whose index line was lost', async () => {
    const dir = estate(['A']);
    const r = await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store);
    writeFileSync(tj.store.indexFile, '', { mode: 0o600 });
    const { runs, warnings } = tj.store.listRuns();
    expect(runs.map((s) => [s.runId, s.status])).toEqual([[r.runId, 'completed']]);
    expect(warnings.join()).toMatch(/missing from the index/);
  });

  it('resolves a run by full id, unique prefix or "last", and rejects unknown or ambiguous ones (exit 2)', async () => {
    const dir = estate(['A', 'B']);
    const a = await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store);
    const b = await applyPlan(dir, selfWritePlan(dir, ['B']), tj.store);
    expect(tj.store.resolveRunId(a.runId)).toBe(a.runId);
    expect(tj.store.resolveRunId('last')).toBe(b.runId);
    expect(tj.store.resolveRunId(b.runId.slice(0, b.runId.length - 2))).toBe(b.runId);
    expect(() => tj.store.resolveRunId('nope')).toThrow(expect.objectContaining({ exitCode: 2, reason: 'RUN_NOT_FOUND' }));
    const common = a.runId.slice(0, 8);
    expect(b.runId.startsWith(common)).toBe(true);
    expect(() => tj.store.resolveRunId(common)).toThrow(expect.objectContaining({ exitCode: 2, reason: 'RUN_AMBIGUOUS' }));
  });

  it('an empty journal lists nothing and "show" says there are no runs', () => {
    expect(tj.store.listRuns()).toEqual({ runs: [], warnings: [] });
    expect(() => tj.store.readRun('last')).toThrow(/no runs/);
  });
});

describe('crash leftovers', () => {
  it('ignores a torn last line with a warning and keeps every complete record', async () => {
    const dir = estate(['A', 'B']);
    const r = await applyPlan(dir, selfWritePlan(dir, ['A', 'B']), tj.store);
    const file = tj.store.runFile(r.runId);
    const text = readFileSync(file, 'utf8');
    // cut the file in the middle of the run-end record, as a kill during that write would
    const cut = text.slice(0, text.lastIndexOf('{"journal"') + 25);
    writeFileSync(file, cut);
    const run = tj.store.readRun(r.runId);
    expect(run.status).toBe('incomplete');
    expect(run.changes.map((c) => c.state)).toEqual(['verified', 'verified']);
    expect(run.warnings).toEqual([expect.stringMatching(/last line is incomplete.*ignored/)]);
    // the run-end line is gone: the index still says completed, so drop its end line as the kill would have
    writeFileSync(tj.store.indexFile, readFileSync(tj.store.indexFile, 'utf8').split('\n').filter((l) => !l.includes('run-index-end')).join('\n'));
    expect(tj.store.listRuns().warnings).toEqual([expect.stringMatching(/last line is incomplete.*ignored/)]);
  });

  it('an append after a torn line terminates it first, so both the old records and the new one survive', () => {
    const file = join(tj.root, 'x.jsonl');
    writeFileSync(file, '{"journal":1,"type":"a"}\n{"journal":1,"ty', { mode: 0o600 });
    const app = new JsonlAppender(file);
    app.append({ journal: 1, type: 'b' });
    app.close();
    const content = readJsonLines<{ type: string }>(file);
    expect(content.records.map((r) => r.type)).toEqual(['a', 'b']);
    expect(content.tornTail).toBe(false);
    expect(content.warnings).toEqual([expect.stringMatching(/line 2 is not a complete record/)]);
  });

  it('treats a zero-filled tail (what a power cut can leave) as torn', () => {
    const file = join(tj.root, 'z.jsonl');
    writeFileSync(file, '{"journal":1,"type":"a"}\n');
    appendFileSync(file, Buffer.alloc(64));
    const content = readJsonLines<{ type: string }>(file);
    expect(content.records).toHaveLength(1);
    expect(content.tornTail).toBe(false);
    writeFileSync(file, Buffer.concat([Buffer.from('{"journal":1,"type":"a"}\n{"jour'), Buffer.alloc(10)]));
    expect(readJsonLines(file).tornTail).toBe(true);
  });

  it('refuses to create a second file with the same run id', () => {
    const file = join(tj.root, 'same.jsonl');
    new JsonlAppender(file, { exclusive: true }).close();
    expect(() => new JsonlAppender(file, { exclusive: true })).toThrow(/EEXIST/);
  });
});

describe('run metadata', () => {
  it('records options without anything that could be a secret', () => {
    expect(
      sanitizeOptions({ server: 'ldaps://dc', passwordFile: '/x', apply: true, token: 'abc', waves: ['w1', 2], fn: () => 1, blob: Buffer.from('x'), nested: { a: 1 }, missing: undefined }),
    ).toEqual({ server: 'ldaps://dc', passwordFile: '[not recorded]', apply: true, token: '[not recorded]', waves: ['w1', 2], blob: '[binary]', nested: '[value]' });
  });

  it('stamps every record of every file with the journal format version', async () => {
    const dir = estate(['A']);
    await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store, { options: { apply: true, password: 'hunter2' } });
    recordReadEvent({ who: 'w', object: 'o', source: 's' }, tj.store);
    for (const f of filesUnder(tj.store.dir)) {
      for (const line of readFileSync(f, 'utf8').trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ journal: JOURNAL_FORMAT, type: expect.any(String), at: expect.any(String) });
    }
    const run = tj.store.readRun('last');
    expect(run.options).toEqual({ apply: true, password: '[not recorded]' });
    expect(run.who.osUser).toBeTypeOf('string');
  });

  it('warns about records written by a newer format', async () => {
    const dir = estate(['A']);
    const r = await applyPlan(dir, selfWritePlan(dir, ['A']), tj.store);
    appendFileSync(tj.store.runFile(r.runId), `${JSON.stringify({ journal: JOURNAL_FORMAT + 1, type: 'future', at: 'x' })}\n`);
    expect(tj.store.readRun(r.runId).warnings.join()).toMatch(new RegExp(`format ${JOURNAL_FORMAT + 1}`));
  });
});
