/**
 * Finds and validates lab scenarios: the shipped ones (scenarios/*.yaml next to dist/, plus the
 * built-in `legacy-estate`, which is the seed.ts estate) or a YAML file. Every problem is reported
 * with file:line:col and its key path (exit 2), cross-references included.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';
import { parseYamlInput } from '../config/yaml-input.js';

export const DEFAULT_SCENARIO = 'legacy-estate';
const LEGACY_ESTATE_DESCRIPTION = "today's seeded legacy-LAPS estate (15 computers, risky delegations, DFL 2008 R2); the default";

export type LoadedScenario = { builtin: 'legacy-estate'; name: string; description: string } | { builtin?: undefined; name: string; description: string; file: string; scenario: Scenario };

export function shippedScenariosDir(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'scenarios');
}

const checkedSchema = scenarioSchema.superRefine((s, ctx) => {
  const ous = new Set<string>(['']);
  for (const p of [...s.ous.map((o) => o.path), ...s.computers.map((c) => c.ou), ...s.users.map((u) => u.ou), ...s.groups.map((g) => g.ou)]) {
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) ous.add(parts.slice(0, i).join('/'));
  }
  const principals = new Set([...s.users.map((u) => u.name.toLowerCase()), ...s.groups.map((g) => g.name.toLowerCase())]);
  const needOu = (ou: string, path: Array<string | number>) => {
    if (!ous.has(ou)) ctx.addIssue({ code: 'custom', path, message: `no OU "${ou}" in this scenario (list it under ous, or place something in it)` });
  };
  const needPrincipal = (n: string, path: Array<string | number>) => {
    if (!principals.has(n.toLowerCase())) ctx.addIssue({ code: 'custom', path, message: `no user or group "${n}" in this scenario` });
  };
  s.groups.forEach((g, i) => g.members.forEach((m, j) => needPrincipal(m, ['groups', i, 'members', j])));
  s.gpos.forEach((g, i) => g.links.forEach((l, j) => needOu(l.ou, ['gpos', i, 'links', j, 'ou'])));
  s.delegations.forEach((d, i) => {
    needOu(d.ou, ['delegations', i, 'ou']);
    for (const k of ['legacyRead', 'legacyReset', 'windowsRead'] as const) d[k].forEach((p, j) => needPrincipal(p, ['delegations', i, k, j]));
    d.aces.forEach((a, j) => [...a.matchAll(/\{sid:([^}]+)\}/g)].forEach((m) => needPrincipal(m[1]!, ['delegations', i, 'aces', j])));
    if ((d.windowsSelf || d.windowsRead.length) && !s.windowsLapsSchema) ctx.addIssue({ code: 'custom', path: ['delegations', i], message: 'Windows LAPS delegations need windowsLapsSchema: true' });
  });
  const names = new Set<string>();
  s.computers.forEach((c, i) => {
    if (!c.build && !c.os) ctx.addIssue({ code: 'custom', path: ['computers', i], message: 'give a build (Windows) or an os (anything else)' });
    if (c.count === undefined && names.has(c.name.toUpperCase())) ctx.addIssue({ code: 'custom', path: ['computers', i, 'name'], message: `duplicate computer name ${c.name}` });
    names.add(c.name.toUpperCase());
  });
  const gpoNames = new Set<string>();
  s.gpos.forEach((g, i) => {
    if (gpoNames.has(g.name.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['gpos', i, 'name'], message: `duplicate GPO name ${g.name}` });
    gpoNames.add(g.name.toLowerCase());
  });
});

export function parseScenario(text: string, file: string): Scenario {
  return parseYamlInput(text, file, checkedSchema);
}

export interface ScenarioListing {
  name: string;
  description: string;
  file: string | null;
}

export function listScenarios(): ScenarioListing[] {
  const out: ScenarioListing[] = [{ name: DEFAULT_SCENARIO, description: LEGACY_ESTATE_DESCRIPTION, file: null }];
  const dir = shippedScenariosDir();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    const file = join(dir, f);
    const s = parseScenario(readFileSync(file, 'utf8'), file);
    out.push({ name: s.name, description: s.description, file });
  }
  return out;
}

/** NAME of a shipped scenario, or a path to a YAML file. */
export function loadScenario(nameOrFile: string | undefined): LoadedScenario {
  const n = nameOrFile ?? DEFAULT_SCENARIO;
  if (n === DEFAULT_SCENARIO) return { builtin: 'legacy-estate', name: n, description: LEGACY_ESTATE_DESCRIPTION };
  const shipped = join(shippedScenariosDir(), `${n}.yaml`);
  const isName = /^[a-z0-9-]+$/.test(n);
  const file = isName && existsSync(shipped) ? shipped : resolve(n);
  if (!existsSync(file)) {
    throw new InputError(`--scenario ${n}: no shipped scenario of that name and no such file`, { advice: `Shipped: ${listScenarios().map((s) => s.name).join(', ')}.` });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`--scenario ${n}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const scenario = parseScenario(text, file);
  return { name: scenario.name, description: scenario.description, file, scenario };
}
