// Shared helpers for the benchmarks: a lab of N computers, timed child runs with peak RSS,
// medians and interleaved rounds. Benchmarks print ratios; they assert nothing.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;
export const CLI = arg('cli', join(ROOT, 'dist', 'cli', 'main.js'));

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs a command; resolves with seconds, peak RSS (KiB) and CPU seconds (user + sys) measured by GNU time when present. */
export function timed(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const useTime = existsSync('/usr/bin/time');
    const full = useTime ? ['/usr/bin/time', ['-f', '__RSS__%M __CPU__%U %S', cmd, ...args]] : [cmd, args];
    const t0 = process.hrtime.bigint();
    const child = spawn(full[0], full[1], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = /__RSS__(\d+)/.exec(err);
      const cpu = /__CPU__([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 && code !== 3) return reject(new Error(`${cmd} exited ${code}: ${err.slice(-400)}`));
      resolve({ secs, rssKiB: m ? Number(m[1]) : undefined, cpuSecs: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined });
    });
  });
}

/** Starts (or reuses) a benchmark lab with N bulk computers on its own loopback address (in --lab-dir when given). */
export async function benchLab(n, ip) {
  const dir = arg('lab-dir', `/tmp/laps-migrate-bench-${n}`);
  const env = { XDG_CONFIG_HOME: `${dir}/config`, XDG_STATE_HOME: `${dir}/state` };
  const t0 = Date.now();
  await timed(process.execPath, [CLI, 'lab', 'up', '--dir', `${dir}/lab`, '--ip', ip, '--computers', String(n), '--no-profile'], env);
  const manifest = JSON.parse(readFileSync(`${dir}/lab/manifest.json`, 'utf8'));
  if (manifest.bulkComputers !== n) throw new Error(`lab in ${dir} has ${manifest.bulkComputers} bulk computers, not ${n}: remove it`);
  return { dir, env, manifest, upSeconds: (Date.now() - t0) / 1000 };
}

export function adminPassword(manifest) {
  return readFileSync(manifest.accounts.admin.passwordFile, 'utf8');
}

/** The common start of a benchmark: --computers, --rounds, --ip, and a lab of that size. */
export async function benchSetup() {
  const n = Number(arg('computers', '10000'));
  const rounds = Number(arg('rounds', '3'));
  const ip = arg('ip', '127.0.0.13');
  const lab = await benchLab(n, ip);
  const m = lab.manifest;
  console.log(`lab with ${n} bulk computers (+${m.computers.length} seeded) ready on ${m.urls.ldaps} (${lab.upSeconds.toFixed(0)} s)`);
  return { n, rounds, lab, m };
}

/** CPU seconds (user + sys, reaped children included) used so far by the lab's samba process tree (Linux /proc). */
export function dcCpuSeconds(labDir) {
  let root;
  try {
    root = Number(readFileSync(join(labDir, 'samba.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
  const tick = 100; // USER_HZ on Linux
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      const cpu = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      children.set(Number(name), { ppid, cpu });
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const walk = (pid) => {
    total += children.get(pid)?.cpu ?? 0;
    for (const [c, v] of children) if (v.ppid === pid) walk(c);
  };
  walk(root);
  return total / tick;
}

/** The 1-minute load average, to print next to every measurement. */
export function load1() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** One measured run: wall, client CPU, the DC's CPU (its samba process tree), peak RSS and the load average after it. */
export async function measure(labDir, cmd, args, env = {}) {
  const dc0 = dcCpuSeconds(labDir);
  const r = await timed(cmd, args, env);
  const dc1 = dcCpuSeconds(labDir);
  return { ...r, dcSecs: dc0 === undefined || dc1 === undefined ? undefined : dc1 - dc0, load: load1() };
}

/**
 * One variant of a CLI command: flags ("default" = none); "dist=DIR flags..." runs another build
 * (e.g. a copy of dist/ from before a change) for comparisons. With `breakdown`, the run preloads
 * bench/timing-hook.mjs and its phase marks come back in `marks`.
 */
export async function cliVariantRun(labDir, variant, commandArgs, env, breakdown) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const out = mkdtempSync(join(tmpdir(), 'lm-bench-out-'));
  const marksFile = join(out, 'marks.json');
  const words = variant === 'default' ? [] : variant.split(/\s+/);
  const cli = words[0]?.startsWith('dist=') ? join(words.shift().slice(5), 'cli', 'main.js') : CLI;
  const flags = words.filter((w) => w !== 'default');
  const pre = breakdown ? ['--import', join(ROOT, 'bench', 'timing-hook.mjs')] : [];
  try {
    const r = await measure(labDir, process.execPath, [...pre, cli, ...commandArgs(join(out, 'reports')), ...flags], { ...env, ...(breakdown ? { LAPS_MIGRATE_BENCH_MARKS: marksFile } : {}) });
    if (breakdown) r.marks = JSON.parse(readFileSync(marksFile, 'utf8'));
    return r;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '?' : x.toFixed(d));
const med = (xs, k) => median(xs.map((x) => x[k]).filter((x) => x !== undefined));

/** The medians table: one row per variant against the reference runs. */
export function printVariantTable(runs, ref, rounds, computers) {
  const refSecs = med(ref, 'secs');
  console.log(`\ncomputers: ${computers}; ${rounds} rounds; load average (1 min) ${Math.min(...ref.map((x) => x.load))}-${Math.max(...ref.map((x) => x.load))}`);
  console.log(`ldapsearch: median ${fmt(refSecs)} s, DC CPU ${fmt(med(ref, 'dcSecs'))} s`);
  console.log('variant | median s | ratio vs ldapsearch | client CPU s | DC CPU s | peak RSS MB');
  for (const [v, xs] of Object.entries(runs)) {
    console.log(`${v} | ${fmt(med(xs, 'secs'))} | ${fmt(med(xs, 'secs') / refSecs)} | ${fmt(med(xs, 'cpuSecs'))} | ${fmt(med(xs, 'dcSecs'))} | ${(Math.max(...xs.map((x) => x.rssKiB ?? 0)) / 1024).toFixed(0)}`);
  }
}

/** Phase times of each variant (medians over the rounds): ms since start, since the previous mark, client CPU ms in that phase. */
export function printBreakdown(runs, rounds) {
  for (const [v, xs] of Object.entries(runs)) {
    console.log(`\nphases of [${v}] (medians of ${rounds}: ms since start, ms since the previous mark, client CPU ms in that phase)`);
    const names = [...new Set(xs.flatMap((x) => x.marks.marks.map((y) => y.name)))];
    const rows = [['node bootstrap', xs.map(() => ({ at: 0, cpu: 0 })), xs.map((x) => ({ at: x.marks.bootstrap, cpu: NaN }))]];
    const pick = (x, name) => x.marks.marks.find((y) => y.name === name);
    for (const name of names) {
      rows.push([name, xs.map((x) => { const i = x.marks.marks.findIndex((y) => y.name === name); return i > 0 ? x.marks.marks[i - 1] : { at: x.marks.bootstrap, cpu: 0 }; }), xs.map((x) => pick(x, name) ?? { at: NaN, cpu: NaN })]);
    }
    rows.push(['exit', xs.map((x) => x.marks.marks[x.marks.marks.length - 1]), xs.map((x) => ({ at: x.marks.exit, cpu: x.marks.exitCpu }))]);
    for (const [name, prevs, cur] of rows) {
      const at = median(cur.map((c) => c.at));
      const wall = median(cur.map((c, i) => c.at - prevs[i].at));
      const cpu = median(cur.map((c, i) => c.cpu - prevs[i].cpu));
      console.log(`  ${name.padEnd(34)} ${at.toFixed(0).padStart(6)}  +${wall.toFixed(0).padStart(5)}  cpu ${Number.isNaN(cpu) ? '   ?' : cpu.toFixed(0).padStart(5)}`);
    }
  }
}

/** Rounds of the reference then every variant, interleaved (a load change hits all alike); prints each round. */
export async function interleavedRounds(rounds, variants, reference, runVariant) {
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  const ref = [];
  for (let r = 0; r < rounds; r++) {
    const b = await reference();
    ref.push(b);
    const line = [`round ${r + 1}: ldapsearch ${fmt(b.secs)} s (DC ${fmt(b.dcSecs)} s CPU, load ${b.load})`];
    for (const v of variants) {
      const a = await runVariant(v);
      runs[v].push(a);
      line.push(`[${v}] ${fmt(a.secs)} s (client ${fmt(a.cpuSecs)} s CPU, DC ${fmt(a.dcSecs)} s CPU, ${a.rssKiB ? (a.rssKiB / 1024).toFixed(0) : '?'} MB, load ${a.load})`);
    }
    console.log(line.join('\n  '));
  }
  return { runs, ref };
}

/** The --variants list ("a;b;c"), or the fallback. */
export function variantsArg(fallback) {
  return arg('variants', fallback)
    .split(';')
    .map((v) => v.trim())
    .filter(Boolean);
}
