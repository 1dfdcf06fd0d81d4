import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeSchema } from '../../../src/steps/schema-analysis.js';
import { schemaDrafts, type SchemaPhase } from '../../../src/steps/schema-plan.js';
import { schemaResult, SCHEMA_STEP_SCHEMA_VERSION, type SchemaResult } from '../../../src/steps/schema.js';
import { schemaReportModel } from '../../../src/steps/schema-report.js';
import { createPlan } from '../../../src/journal/index.js';
import { newRootKey } from '../../../src/dpapi-ng/new-root-key.js';
import { writeReport } from '../../../src/report/index.js';
import type { RootKey } from '../../../src/dpapi-ng/root-key.js';
import { readAt, snapshot, type FixtureName } from './schema-fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'laps-schema-report-'));
  dirs.push(d);
  return d;
};

function result(name: FixtureName, key?: RootKey): SchemaResult {
  const s = snapshot(name);
  const now = readAt(s);
  const analysis = analyzeSchema(s, { now });
  const { drafts, notes } = schemaDrafts(s, analysis, key ? { kdsRootKey: key } : {}, now);
  const plan = createPlan('schema', drafts.map((d) => d.draft), { createdAt: now });
  const phaseOf = new Map<string, SchemaPhase>(plan.changes.map((c, i) => [c.id, drafts[i]!.phase]));
  return schemaResult({
    snapshot: s,
    analysis,
    plan,
    phaseOf,
    notes,
    target: { server: s.facts.connection.url, domain: s.facts.dnsDomain, baseDn: s.facts.domainDn, boundAs: s.facts.boundAs.dn },
    source: 'snapshot',
    options: { encryption: true, createKdsRootKey: !!key, kdsAlgorithm: key ? key.secretAgreementAlgorithm : null, effectiveNow: false },
    generatedAt: now,
  });
}

describe('schema result and report', () => {
  it('the JSON document is versioned and carries the analysis and the plan with phases', () => {
    const r = result('partial-admin');
    expect(r).toMatchObject({ step: 'schema', schemaVersion: SCHEMA_STEP_SCHEMA_VERSION, tool: { name: 'laps-migrate' } });
    expect(r.data.windowsLaps.status).toBe('partial');
    expect(r.data.plan.changes.map((c) => c.phase)).toEqual(['schema-objects', 'schema-objects', 'schema-objects', 'schema-objects', 'computer-class']);
    expect(r.data.plan.irreversible).toBe(5);
    expect(r.findings.some((f) => f.code === 'WINDOWS_LAPS_SCHEMA_PARTIAL')).toBe(true);
    // plain JSON: no raw Buffer leaks into the document (binary values are base64 in the plan)
    expect(JSON.stringify(r)).not.toContain('"type":"Buffer"');
  });

  it('writes summary, HTML, JSON and one CSV per table; no root key material anywhere', async () => {
    const s = snapshot('fresh-admin');
    const key = newRootKey({ useStartTime: readAt(s) });
    const r = result('fresh-admin', key);
    expect(r.data.plan.changes.filter((c) => c.phase === 'kds')).toHaveLength(3);
    const written = await writeReport(schemaReportModel(r), { outDir: tmp(), now: readAt(s) });
    const names = readdirSync(written.dir).sort();
    expect(names).toEqual(['attributes.csv', 'domain-controllers.csv', 'kds-root-keys.csv', 'planned-changes.csv', 'report.html', 'run.json', 'schema.json', 'summary.md']);
    const attrs = readFileSync(join(written.dir, 'attributes.csv'), 'utf8');
    expect(attrs.trim().split('\n')).toHaveLength(1 + 9);
    expect(attrs).toContain('ms-Mcs-AdmPwd');
    const plan = readFileSync(join(written.dir, 'planned-changes.csv'), 'utf8');
    expect(plan.trim().split('\n')).toHaveLength(1 + 12);
    const json = JSON.parse(readFileSync(join(written.dir, 'schema.json'), 'utf8')) as SchemaResult;
    expect(json.data.plan.changes).toHaveLength(12);
    const html = readFileSync(join(written.dir, 'report.html'), 'utf8');
    expect(html).toContain('WINDOWS_LAPS_SCHEMA_MISSING');
    expect(html).toContain('0 of 7');
    const all = names.map((n) => readFileSync(join(written.dir, n), 'utf8')).join('\n');
    for (const form of [key.keyData.toString('hex'), key.keyData.toString('hex').toUpperCase(), key.keyData.toString('base64'), key.keyData.subarray(0, 12).toString('base64')]) {
      expect(all).not.toContain(form);
    }
  });

  it('headline of a ready forest', () => {
    const m = schemaReportModel(result('ready-admin'));
    const card = (label: string) => m.headline.find((h) => h.label === label)!;
    expect(card('Windows LAPS attributes ready')).toMatchObject({ value: '7 of 7', tone: 'good' });
    expect(card('Domain functional level')).toMatchObject({ value: '2016', tone: 'good' });
    expect(card('KDS root key')).toMatchObject({ value: 'usable', tone: 'good' });
    expect(card('Changes planned')).toMatchObject({ value: 0, tone: 'good' });
    expect(card('Schema master')).toMatchObject({ value: 'dc1' });
  });
});
