// The rehearsal loop shared by `npm run demo` (scripts/demo.mjs) and the end-to-end test
// (test/integration/migration-driver.ts): `run --playbook P --apply --yes --confirm-irreversible`
// with the built CLI, then one `lab simulate` cycle, again and again, until the migration is
// complete or a cycle budget is spent. Only the lab and the tests drive this loop; the product's
// own commands know nothing about it. Hooks see every step run and every cycle (the test checks
// its invariants there). Plain JS so the demo runs from a clone with nothing but `npm run build`.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** Runs the built CLI; resolves with the exit code, stdout and stderr (never rejects on a non-zero exit). */
export function runCli(args, { env = {}, log } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (log) appendFileSync(log, `\n$ laps-migrate ${args.join(' ')}\n${stderr}(exit ${code})\n`, { mode: 0o600 });
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The steps this build of laps-migrate can run (a playbook listing another one is refused by `run`). */
export async function builtSteps() {
  const { STEPS } = await import(join(ROOT, 'dist', 'steps', 'registry.js'));
  return STEPS.filter((s) => s.load).map((s) => s.name);
}

/**
 * A copy of a playbook for the rehearsal: the pilot gate's soak set (soakDays: 0 = do not wait a
 * day), and steps this build does not have dropped from `steps`. Returns what was changed.
 */
export function rehearsalPlaybook(source, target, { soakDays, built }) {
  let text = readFileSync(source, 'utf8');
  const changed = [];
  if (soakDays !== undefined) {
    const before = text;
    text = text.replace(/soakDays:\s*\d+/g, `soakDays: ${soakDays}`);
    if (text !== before) changed.push(`soakDays: ${soakDays}`);
  }
  const m = /^steps:\s*\[([^\]]*)\]/m.exec(text);
  if (!m) throw new Error(`${source}: no "steps: [...]" line`);
  const listed = m[1].split(',').map((s) => s.trim()).filter(Boolean);
  const missing = listed.filter((s) => !built.includes(s));
  if (missing.length) {
    text = text.replace(m[0], `steps: [${listed.filter((s) => built.includes(s)).join(', ')}]`);
    changed.push(`without ${missing.join(', ')} (not built yet)`);
  }
  writeFileSync(target, text, { mode: 0o600 });
  return { steps: listed.filter((s) => built.includes(s)), missing, changed };
}

/** The steps a playbook lists. */
export function playbookSteps(file) {
  const m = /^steps:\s*\[([^\]]*)\]/m.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`${file}: no "steps: [...]" line`);
  return m[1].split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Where the migration stands after one round of runs: which steps changed something, each wave's
 * counts and gate, whether the cutover waits for a gate (soakingWave: only for a soak), and whether it is complete (every wave
 * started and every one of its computers verified or left behind, cleanup (when listed) ran, and
 * nothing changed in this round: a rerun is a no-op).
 */
export function standing(stepResults, listed) {
  const byStep = new Map(stepResults.map((s) => [s.step, s]));
  const cutover = byStep.get('cutover')?.result;
  const waves = cutover?.data?.waves ?? [];
  const changed = stepResults.filter((s) => s.verdict !== 'ready').map((s) => s.step);
  const waiting = (cutover?.findings ?? []).find((f) => f.code === 'CUTOVER_WAITING');
  // the wave it waits for, when only its soak time is missing (every computer verified or left behind)
  const soaking = waves.find((w) => w.startedAt && !w.gate.met && w.gate.unmet.length > 0 && w.gate.unmet.every((u) => /soak/i.test(u)));
  const wavesDone = waves.length > 0 && waves.every((w) => w.startedAt && w.computers.every((c) => c.state === 'verified' || c.state === 'left-behind'));
  const cleanupRan = !listed.includes('cleanup') || byStep.has('cleanup');
  return {
    changed,
    waves,
    waiting: waiting ? `${waiting.message}${waiting.evidence ? ` (${waiting.evidence})` : ''}` : undefined,
    soakingWave: waiting && soaking ? soaking.name : undefined,
    complete: changed.length === 0 && wavesDone && cleanupRan && stepResults.every((s) => s.exitCode === 0),
  };
}

/**
 * Waves whose start moved later after their computers were verified, with the computers now back
 * to pending until they rotate again (a cutover that dated a wave by the last gPLink write on its
 * OUs did that when cleanup unlinked the legacy GPO). Updates `verified` (dn -> wave start).
 */
export function restartedWaves(waves, verified) {
  const restarted = [];
  for (const w of waves) {
    const back = [];
    let from;
    for (const c of w.computers) {
      const key = c.dn.toLowerCase();
      const before = verified.get(key);
      if (c.state === 'verified') verified.set(key, w.startedAt);
      else if (before && c.state === 'pending' && w.startedAt && before && w.startedAt > before) {
        back.push(c.name);
        from = before;
      }
    }
    if (back.length) restarted.push({ wave: w.name, from, to: w.startedAt, computers: back });
  }
  return restarted;
}

/**
 * The loop. Options: playbook, labDir, out (report folder), env (XDG folders), runArgs (more
 * `run` flags, e.g. --profile), maxCycles,
 * perStep (one `run --step NAME` per step, so hooks see every step; else one `run` per round),
 * stopWhen(state) (stop early, e.g. when the cutover waits for a soak), verified (a Map kept
 * across calls: computers verified so far), log (file for the CLI's
 * own output), hooks: afterStep(stepResult, round), afterRound(state, round), afterCycle(cycle, round).
 * Resolves { complete, rounds, cycles, lastRun, state, stepsRun }. Throws when a step fails.
 */
export async function driveMigration(o) {
  const listed = playbookSteps(o.playbook);
  // computers the cutover verified, and their wave's start then (to tell a restarted wave)
  const verified = o.verified ?? new Map();
  const common = ['--playbook', o.playbook, '--apply', '--yes', '--confirm-irreversible', '--out', o.out, '--json', ...(o.runArgs ?? [])];
  let cycles = 0;
  let stepsRun = 0;
  for (let round = 1; ; round++) {
    const results = [];
    let lastRun;
    for (const args of o.perStep ? listed.map((s) => ['--step', s]) : [[]]) {
      const r = await runCli(['run', ...common, ...args], { env: o.env, log: o.log });
      let doc;
      try {
        doc = JSON.parse(r.stdout);
      } catch {
        throw new Error(`run ${args.join(' ')} exited ${r.code} without a JSON document: ${r.stderr.slice(-800)}`);
      }
      if (r.code !== 0) throw new Error(`run ${args.join(' ')} exited ${r.code}: ${doc.steps.map((s) => `${s.step} ${s.verdict} (${s.exitCode})`).join(', ')}\n${r.stderr.slice(-800)}`);
      lastRun = doc;
      for (const s of doc.steps) {
        results.push(s);
        stepsRun++;
        if (o.afterStep) await o.afterStep(s, round);
      }
    }
    const state = standing(results, listed);
    state.restarted = restartedWaves(state.waves, verified);
    if (o.afterRound) await o.afterRound(state, round, lastRun);
    if (state.complete || (o.stopWhen && o.stopWhen(state))) return { complete: state.complete, rounds: round, cycles, lastRun, state, stepsRun };
    if (cycles >= (o.maxCycles ?? 8)) return { complete: false, rounds: round, cycles, lastRun, state, stepsRun };
    // a restarted wave is reported, never papered over: its computers rotate at their own expiry
    const sim = await runCli(['lab', 'simulate', '--dir', o.labDir, '--cycles', '1', '--json'], { env: o.env, log: o.log });
    if (sim.code !== 0) throw new Error(`lab simulate exited ${sim.code}: ${sim.stderr.slice(-800)}`);
    cycles++;
    if (o.afterCycle) await o.afterCycle(JSON.parse(sim.stdout)[0], round);
  }
}
