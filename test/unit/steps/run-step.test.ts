/**
 * The step contract: a tiny test-only step (it wants every listed OU to carry description
 * "managed") driven by runStep through plan, consent refusal, apply, verify and the exit codes,
 * against the in-memory directory. Adding a step = one Step value; nothing else changes.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExitCode, InputError } from '../../../src/errors.js';
import { createPlan, replaceValues } from '../../../src/journal/index.js';
import { createStepContext } from '../../../src/steps/context.js';
import { runStep, type Consent } from '../../../src/steps/run-step.js';
import type { ReportModel } from '../../../src/report/model.js';
import type { PlannedStep, ProgressEvent, Step, StepContext } from '../../../src/steps/step.js';
import { MemoryDirectory } from '../journal/memory-directory.js';
import { tempJournal, type TempJournal } from '../journal/helpers.js';

const BASE = 'DC=memory,DC=test';
const OUS = [`OU=A,${BASE}`, `OU=B,${BASE}`];

const options = z.object({ ous: z.array(z.string()).default(OUS), irreversible: z.boolean().default(false) }).strict();
type Options = z.output<typeof options>;

async function planOf(ctx: StepContext, o: Options): Promise<PlannedStep<{ missing: string[] }>> {
  const missing: string[] = [];
  const drafts = [];
  for (const dn of o.ous) {
    const e = await ctx.dir!.read(dn, ['description']);
    const before = (e?.attributes['description'] ?? []) as string[];
    if (before[0] !== 'managed') {
      missing.push(dn);
      drafts.push(replaceValues({ dn, attribute: 'description', before, values: ['managed'], reason: 'test step', irreversible: o.irreversible }));
    }
  }
  const result = {
    step: 'inventory' as const,
    schemaVersion: 1,
    tool: { name: 'laps-migrate' as const, version: 'test' },
    generatedAt: ctx.now().toISOString(),
    target: ctx.target,
    findings: missing.map((dn) => ({ code: 'NOT_MANAGED', severity: 'blocker' as const, object: dn, message: `${dn} is not managed`, advice: 'apply' })),
    data: { missing },
  };
  return {
    result,
    changes: createPlan('tiny', drafts, { createdAt: ctx.now() }),
    text: () => [`${missing.length} OU(s) not managed`],
    report: (): ReportModel => ({ step: 'tiny', title: 'Tiny', generatedAt: result.generatedAt, toolVersion: 'test', target: ctx.target, headline: [], findings: result.findings, charts: [], tables: [], notes: [], json: result }),
    json: () => ({ ...result }),
  };
}

const tinyStep: Step<Options, { missing: string[] }> = { name: 'inventory', title: 'Tiny test step', options, plan: planOf };

const consent = (reversible: boolean, irreversible = false): Consent & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    reversible: async () => (asked.push('reversible'), reversible),
    irreversible: async () => (asked.push('irreversible'), irreversible),
  };
};

describe('runStep drives any Step', () => {
  let tj: TempJournal;
  let out: string;
  let dir: MemoryDirectory;
  let printed: string[];
  let notes: string[];
  let events: ProgressEvent[];
  beforeEach(() => {
    tj = tempJournal();
    out = mkdtempSync(join(tmpdir(), 'laps-run-step-'));
    dir = new MemoryDirectory();
    dir.seed(BASE, { objectClass: ['domainDNS'] });
    for (const dn of OUS) dir.seed(dn, { objectClass: ['organizationalUnit'] });
    printed = [];
    notes = [];
    events = [];
  });
  afterEach(() => {
    tj.cleanup();
    rmSync(out, { recursive: true, force: true });
  });
  const ctx = () => createStepContext({ dir, target: { server: 'memory', domain: 'memory.test', baseDn: BASE, boundAs: 'CN=Administrator' }, journal: tj.store, now: () => new Date('2026-12-03T10:00:00Z'), progress: (e) => events.push(e) });
  const run = (o: Partial<Options>, apply: boolean, c: Consent) =>
    runStep(tinyStep, ctx(), options.parse(o), { apply, consent: c, outDir: out, print: (l) => printed.push(...l), note: (l) => notes.push(l) });

  it('plans read-only: blockers give exit 3, nothing is written, consent is never asked, a report is written', async () => {
    const c = consent(true);
    const r = await run({}, false, c);
    expect(r.exitCode).toBe(ExitCode.BLOCKERS);
    expect(r.verdict).toBe('blockers');
    expect(c.asked).toEqual([]);
    expect(dir.get(OUS[0]!, 'description')).toBeUndefined();
    expect(printed[0]).toBe('2 OU(s) not managed');
    expect(notes.join('\n')).toContain('Nothing was written');
    expect(readdirSync(out).some((f) => f.endsWith('-tiny'))).toBe(true);
    expect(r.json.report).toBe(r.reportDir);
  });

  it('a refused consent writes nothing and exits 0 with "Cancelled"', async () => {
    const r = await run({}, true, consent(false));
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(r.verdict).toBe('cancelled');
    expect(notes).toContain('Cancelled; nothing was written.');
    expect(dir.get(OUS[1]!, 'description')).toBeUndefined();
  });

  it('a consent that cannot ask (throws) stops before any write', async () => {
    const c: Consent = { reversible: async () => { throw new InputError('no terminal'); }, irreversible: async () => true };
    await expect(run({}, true, c)).rejects.toThrow('no terminal');
    expect(dir.get(OUS[0]!, 'description')).toBeUndefined();
  });

  it('applies through the journal, verifies by planning again, and a rerun changes nothing', async () => {
    const r = await run({}, true, consent(true));
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(r.verdict).toBe('changed');
    expect(r.applied!.runs[0]!.counts.applied).toBe(2);
    expect(r.verified!.final.result.findings).toEqual([]);
    expect(printed.join('\n')).toMatch(/Applied run \S+: 2 written and verified/);
    expect(printed.join('\n')).toContain('Verified: a new plan has nothing to change.');
    expect(printed.join('\n')).toMatch(/Undo with: laps-migrate rollback /);
    expect(dir.get(OUS[0]!, 'description')).toEqual(['managed']);
    expect(events.some((e) => e.phase === 'writing' && /\[c1\] verified/.test(e.message ?? ''))).toBe(true);
    const again = await run({}, true, consent(false));
    expect(again.verdict).toBe('ready');
    expect(again.exitCode).toBe(ExitCode.OK);
    expect(printed).toContain('Nothing to change.');
  });

  it('irreversible changes are asked separately, and a yes to reversible changes never covers them', async () => {
    const c = consent(true, false);
    const r = await run({ irreversible: true }, true, c);
    expect(c.asked).toEqual(['irreversible']);
    expect(r.verdict).toBe('cancelled');
    expect(dir.get(OUS[0]!, 'description')).toBeUndefined();
    const c2 = consent(false, true);
    const r2 = await run({ irreversible: true }, true, c2);
    expect(c2.asked).toEqual(['irreversible']);
    expect(r2.verdict).toBe('changed');
    expect(printed.join('\n')).not.toContain('Undo with');
  });

  it('a conflict during apply stops with exit 5 and says how to look and undo', async () => {
    dir.onBeforeWrite((w) => {
      if (w.dn === OUS[1]) dir.set(OUS[1]!, 'description', ['someone else']);
    });
    const r = await run({}, true, consent(true));
    expect(r.exitCode).toBe(ExitCode.PARTIAL);
    expect(r.verdict).toBe('stopped');
    expect(notes.join('\n')).toMatch(/journal show \S+/);
  });
  describe('a step whose irreversible changes are optional (cleanup)', () => {
    // OU=B's change is irreversible, OU=A's is not
    const optional: Step<Options, { missing: string[] }> = {
      ...tinyStep,
      irreversibleOptional: true,
      plan: async (c, o) => {
        const p = await planOf(c, o);
        p.changes.changes.forEach((x) => (x.irreversible = x.dn === OUS[1]));
        return p;
      },
    };
    const runOptional = (c: Consent) => runStep(optional, ctx(), options.parse({}), { apply: true, consent: c, outDir: out, print: (l) => printed.push(...l), note: (l) => notes.push(l) });

    it('without consent for them (a refusal, or "cannot ask") the reversible ones are applied alone', async () => {
      const cannotAsk: Consent = { reversible: async () => true, irreversible: async () => { throw new InputError('the plan has 1 irreversible change; nothing was written', { reason: 'IRREVERSIBLE_NOT_CONFIRMED' }); } };
      const r = await runOptional(cannotAsk);
      // OU=B is still not managed: the tiny step's blocker remains after the apply
      expect(r.exitCode).toBe(ExitCode.BLOCKERS);
      expect(r.verdict).toBe('changed');
      expect(r.applied!.runs[0]!.counts.applied).toBe(1);
      expect(dir.get(OUS[0]!, 'description')).toEqual(['managed']);
      expect(dir.get(OUS[1]!, 'description')).toBeUndefined();
      expect(notes.join('\n')).toContain('1 irreversible change(s) left out');
      expect(printed.join('\n')).toMatch(/Undo with: laps-migrate rollback/);
    });

    it('with consent everything is applied; any other error of the consent still stops the run', async () => {
      await expect(runOptional({ reversible: async () => true, irreversible: async () => { throw new InputError('playbook has no decision', { reason: 'PLAYBOOK_DECISION_MISSING' }); } })).rejects.toThrow('no decision');
      expect(dir.get(OUS[0]!, 'description')).toBeUndefined();
      const c = consent(true, true);
      const r = await runOptional(c);
      expect(c.asked).toEqual(['irreversible', 'reversible']);
      expect(r.exitCode).toBe(ExitCode.OK);
      expect(OUS.map((dn) => dir.get(dn, 'description'))).toEqual([['managed'], ['managed']]);
    });
  });
});
