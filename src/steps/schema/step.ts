/**
 * Step 2, schema and prerequisites, as a Step. The plan is read from the live directory or from
 * a saved snapshot (offline, no apply). Every change it makes is irreversible (schema additions,
 * a KDS root key), applied phase by phase (schema objects, computer class, KDS), each phase one
 * journal run with schemaUpdateNow between them; verification reads everything again.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { writePrivateFile } from '../../config/paths.js';
import { newRootKey } from '../../dpapi-ng/new-root-key.js';
import { createPlan, renderPlan, type Plan } from '../../journal/index.js';
import { analyzeSchema, type SchemaAnalysis } from '../schema-analysis.js';
import { schemaDrafts, type SchemaPhase } from '../schema-plan.js';
import { snapshotFromJson, snapshotToJson, type SchemaSnapshot } from '../schema-snapshot.js';
import { schemaReportModel } from '../schema-report.js';
import { applySchemaPlan, checkApplyPreconditions, readSchemaSnapshot, schemaResult, type SchemaApplyOutcome, type SchemaData, type SchemaResult } from '../schema.js';
import type { PlannedStep, Step, StepContext } from '../step.js';
import type { TargetInfo } from '../types.js';
import { KDS_ALGORITHMS, schemaOptions, type SchemaOptions } from './options.js';
import { findingLines, schemaSummaryLines } from './text.js';

const TEN_HOURS_MS = 10 * 3600 * 1000;

interface SchemaState {
  snapshot: SchemaSnapshot;
  analysis: SchemaAnalysis;
  plan: Plan;
  phaseOf: Map<string, SchemaPhase>;
  notes: string[];
}
const states = new WeakMap<PlannedStep, SchemaState>();

/** Reads a saved snapshot (schema --from-snapshot); a missing or malformed file is exit 2. */
export function readSnapshotFile(file: string): SchemaSnapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read snapshot ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return snapshotFromJson(text);
}

/** The target a snapshot describes (for offline runs). */
export function snapshotTarget(s: SchemaSnapshot): TargetInfo {
  return { server: s.facts.connection.url, domain: s.facts.dnsDomain, baseDn: s.facts.domainDn, boundAs: s.facts.boundAs.dn };
}

function planned(st: SchemaState, result: SchemaResult, extra: string[]): PlannedStep<SchemaData> {
  const p: PlannedStep<SchemaData> = {
    result,
    changes: st.plan,
    text: () => [
      ...extra,
      ...schemaSummaryLines(st.analysis, st.snapshot),
      '',
      ...findingLines(result.findings),
      '',
      ...renderPlan(st.plan).trimEnd().split('\n'),
      ...(st.notes.length ? ['', 'Notes:', ...st.notes.map((n) => `  - ${n}`)] : []),
      '',
    ],
    report: () => schemaReportModel(result),
    json: () => ({ ...result }),
  };
  states.set(p as PlannedStep, st);
  return p;
}

async function read(ctx: StepContext, o: SchemaOptions): Promise<{ snapshot: SchemaSnapshot; extra: string[] }> {
  if (o.fromSnapshot) return { snapshot: readSnapshotFile(o.fromSnapshot), extra: [] };
  if (!ctx.dir) throw new Error('the schema step needs a live directory or a snapshot');
  const snapshot = await readSchemaSnapshot(ctx.dir, ctx.now());
  if (!o.saveSnapshot) return { snapshot, extra: [] };
  writePrivateFile(o.saveSnapshot, snapshotToJson(snapshot));
  return { snapshot, extra: [`Snapshot written to ${o.saveSnapshot}`, ''] };
}

function resultOptions(o: SchemaOptions): SchemaData['options'] {
  return { encryption: o.encryption, createKdsRootKey: o.createKdsRootKey, kdsAlgorithm: o.createKdsRootKey ? KDS_ALGORITHMS[o.kdsAlgorithm] : null, effectiveNow: o.effectiveNow };
}

export const schemaStep: Step<SchemaOptions, SchemaData> = {
  name: 'schema',
  title: 'Schema and prerequisites',
  options: schemaOptions,
  wizard: { keys: ['encryption', 'createKdsRootKey'] },
  irreversibleWarning: 'Schema additions and KDS root keys can never be removed.',
  nothingToChange: 'Nothing to change: everything this step can do is already in place.',
  applyHint: (o) =>
    `Nothing was written. To apply: laps-migrate schema --apply --confirm-irreversible${o.createKdsRootKey ? ' --create-kds-root-key' : ''}${o.effectiveNow ? ' --effective-now' : ''} (as a Schema Admin, against the schema master)`,

  async plan(ctx, o) {
    const now = ctx.now();
    const { snapshot, extra } = await read(ctx, o);
    const analysis = analyzeSchema(snapshot, { now, encryption: o.encryption });
    const rootKey = o.createKdsRootKey
      ? newRootKey({ kdfHash: 'SHA512', secretAgreementAlgorithm: KDS_ALGORITHMS[o.kdsAlgorithm], useStartTime: o.effectiveNow ? now : new Date(now.getTime() + TEN_HOURS_MS) })
      : undefined;
    const { drafts: all, notes } = schemaDrafts(snapshot, analysis, rootKey ? { kdsRootKey: rootKey } : {}, now);
    const drafts = o.extend ? all : all.filter((d) => d.phase === 'kds');
    if (!o.extend && drafts.length < all.length) notes.push('The Windows LAPS schema is not extended because the options say extend: false.');
    const plan = createPlan('schema', drafts.map((d) => d.draft), { createdAt: now });
    const phaseOf = new Map<string, SchemaPhase>(plan.changes.map((c, i) => [c.id, drafts[i]!.phase]));
    const target = o.fromSnapshot ? snapshotTarget(snapshot) : ctx.target;
    const result = schemaResult({ snapshot, analysis, plan, phaseOf, notes, target, source: o.fromSnapshot ? 'snapshot' : 'live', options: resultOptions(o), generatedAt: now });
    return planned({ snapshot, analysis, plan, phaseOf, notes }, result, extra);
  },

  preconditions(_ctx, p, o) {
    if (o.fromSnapshot) throw new InputError('--apply needs a live connection; it cannot be combined with --from-snapshot');
    const st = states.get(p as PlannedStep)!;
    checkApplyPreconditions(st.snapshot, st.analysis, new Set(st.phaseOf.values()));
  },

  async apply(ctx, p, _o, a) {
    const st = states.get(p as PlannedStep)!;
    const outcome = await applySchemaPlan(ctx.dir!, st.plan, st.phaseOf, ctx.journal(), { confirmIrreversible: true, options: a.journalOptions, onProgress: a.onProgress });
    return {
      runs: outcome.runs,
      exitCode: outcome.exitCode,
      notes: outcome.schemaUpdateNow.map((u) => `schemaUpdateNow after ${u.after}: ${u.ok ? 'done' : `failed (${u.message}); the DC reloads its schema cache by itself within minutes`}`),
      json: { schemaApply: outcome },
    };
  },

  async verify(ctx, p, o, applied) {
    const st = states.get(p as PlannedStep)!;
    const now = ctx.now();
    const after = await readSchemaSnapshot(ctx.dir!, now);
    const analysisAfter = analyzeSchema(after, { now, encryption: o.encryption });
    const outcome = (applied.json?.schemaApply ?? { runs: applied.runs, schemaUpdateNow: [], exitCode: applied.exitCode }) as SchemaApplyOutcome;
    const r = schemaResult({ snapshot: after, analysis: analysisAfter, plan: st.plan, phaseOf: st.phaseOf, notes: st.notes, target: ctx.target, source: 'live', options: resultOptions(o), apply: outcome, generatedAt: now });
    const final = planned({ ...st, snapshot: after, analysis: analysisAfter }, r, []);
    return {
      text: ['', 'After the apply:', ...schemaSummaryLines(analysisAfter, after), '', ...findingLines(r.findings), ''],
      json: { ...r },
      final,
      blockers: r.findings.some((f) => f.severity === 'blocker'),
    };
  },
};
