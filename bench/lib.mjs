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
