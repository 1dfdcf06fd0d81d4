// Inventory vs ldapsearch on the same server, same attributes, same page size.
// Usage: npm run build && node bench/inventory-bench.mjs [--computers 10000] [--rounds 3] [--ip 127.0.0.13]
//          [--lab-dir /tmp/...] [--variants "default;--parallel 1;--no-presence;dist=OTHER/dist default"] [--breakdown]
// Runs every variant (inventory flags; "default" = none) and the reference interleaved, round by
// round, and prints medians of: wall seconds, the client's CPU seconds, the DC's CPU seconds
// (samba process tree, from /proc), peak RSS, the ratio against one `ldapsearch -E pr=1000`
// stream (target <= 1.3 at 10k with presence, <= 1.0 at 100k) and the 1-minute load average
// during the round. --breakdown adds the phase times (performance marks the tool sets,
// collected by bench/timing-hook.mjs), medians over the rounds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, adminPassword, arg, benchSetup, dcCpuSeconds, load1, median, timed } from './lib.mjs';

const { n, rounds, lab, m } = await benchSetup();
const variants = arg('variants', 'default;--no-presence')
  .split(';')
  .map((v) => v.trim())
  .filter(Boolean);
const breakdown = process.argv.includes('--breakdown');

const attrs = ['cn', 'dNSHostName', 'operatingSystem', 'operatingSystemVersion', 'lastLogonTimestamp', 'pwdLastSet', 'whenCreated',
  'userAccountControl', 'mS-DS-CreatorSID', 'replPropertyMetaData', 'ms-Mcs-AdmPwdExpirationTime',
  // the inventory learns presence of the legacy password without reading it; ldapsearch reads it
  'ms-Mcs-AdmPwd'];
const pw = adminPassword(m);
const user = m.accounts.admin.userPrincipalName;
const env = { ...lab.env, LAPS_MIGRATE_PASSWORD: pw, LDAPTLS_CACERT: m.caFile };
const labDir = join(lab.dir, 'lab');

/** One measured run: wall, client CPU, DC CPU, RSS, load, and the phase marks when asked. */
async function measure(cmd, args, extraEnv = {}) {
  const dc0 = dcCpuSeconds(labDir);
  const r = await timed(cmd, args, { ...env, ...extraEnv });
  const dc1 = dcCpuSeconds(labDir);
  return { ...r, dcSecs: dc0 === undefined || dc1 === undefined ? undefined : dc1 - dc0, load: load1() };
}

async function inventoryRun(variant) {
  const out = mkdtempSync(join(tmpdir(), 'lm-bench-out-'));
  const marksFile = join(out, 'marks.json');
  // "dist=DIR flags..." runs another build (e.g. a copy of dist/ from before a change) for comparisons
  const words = variant === 'default' ? [] : variant.split(/\s+/);
  const cli = words[0]?.startsWith('dist=') ? join(words.shift().slice(5), 'cli', 'main.js') : CLI;
  const flags = words.filter((w) => w !== 'default');
  const pre = breakdown ? ['--import', join(ROOT, 'bench', 'timing-hook.mjs')] : [];
  try {
    const r = await measure(process.execPath, [...pre, cli, 'inventory', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', user, '--out', join(out, 'reports'), ...flags], breakdown ? { LAPS_MIGRATE_BENCH_MARKS: marksFile } : {});
    if (breakdown) r.marks = JSON.parse(readFileSync(marksFile, 'utf8'));
    return r;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const runs = Object.fromEntries(variants.map((v) => [v, []]));
const ref = [];
const fmt = (x, d = 2) => (x === undefined ? '?' : x.toFixed(d));
for (let r = 0; r < rounds; r++) {
  const b = await measure('ldapsearch', ['-LLL', '-H', m.urls.ldaps, '-D', user, '-w', pw, '-b', m.baseDn, '-E', 'pr=1000/noprompt', '(objectCategory=computer)', ...attrs]);
  ref.push(b);
  const line = [`round ${r + 1}: ldapsearch ${fmt(b.secs)} s (DC ${fmt(b.dcSecs)} s CPU, load ${b.load})`];
  for (const v of variants) {
    const a = await inventoryRun(v);
    runs[v].push(a);
    line.push(`[${v}] ${fmt(a.secs)} s (client ${fmt(a.cpuSecs)} s CPU, DC ${fmt(a.dcSecs)} s CPU, ${a.rssKiB ? (a.rssKiB / 1024).toFixed(0) : '?'} MB, load ${a.load})`);
  }
  console.log(line.join('\n  '));
}

const med = (xs, k) => median(xs.map((x) => x[k]).filter((x) => x !== undefined));
const refSecs = med(ref, 'secs');
console.log(`\ncomputers: ${n + m.computers.length}; ${rounds} rounds; load average (1 min) ${Math.min(...ref.map((x) => x.load))}-${Math.max(...ref.map((x) => x.load))}`);
console.log(`ldapsearch: median ${fmt(refSecs)} s, DC CPU ${fmt(med(ref, 'dcSecs'))} s`);
console.log('variant | median s | ratio vs ldapsearch | client CPU s | DC CPU s | peak RSS MB');
for (const v of variants) {
  const xs = runs[v];
  console.log(`${v} | ${fmt(med(xs, 'secs'))} | ${fmt(med(xs, 'secs') / refSecs)} | ${fmt(med(xs, 'cpuSecs'))} | ${fmt(med(xs, 'dcSecs'))} | ${(Math.max(...xs.map((x) => x.rssKiB ?? 0)) / 1024).toFixed(0)}`);
}
console.log('targets: ratio <= 1.3 at 10k and <= 1.0 at 100k with presence; peak RSS <= 300 MB at 100k');

if (breakdown) {
  for (const v of variants) {
    console.log(`\nphases of [${v}] (medians of ${rounds}: ms since start, ms since the previous mark, client CPU ms in that phase)`);
    const names = [...new Set(runs[v].flatMap((x) => x.marks.marks.map((y) => y.name)))];
    const rows = [['node bootstrap', runs[v].map(() => ({ at: 0, cpu: 0 })), runs[v].map((x) => ({ at: x.marks.bootstrap, cpu: NaN }))]];
    const pick = (x, name) => x.marks.marks.find((y) => y.name === name);
    for (const name of names) {
      rows.push([name, runs[v].map((x) => { const i = x.marks.marks.findIndex((y) => y.name === name); return i > 0 ? x.marks.marks[i - 1] : { at: x.marks.bootstrap, cpu: 0 }; }), runs[v].map((x) => pick(x, name) ?? { at: NaN, cpu: NaN })]);
    }
    rows.push(['exit', runs[v].map((x) => x.marks.marks[x.marks.marks.length - 1]), runs[v].map((x) => ({ at: x.marks.exit, cpu: x.marks.exitCpu }))]);
    for (const [name, prevs, cur] of rows) {
      const at = median(cur.map((c) => c.at));
      const wall = median(cur.map((c, i) => c.at - prevs[i].at));
      const cpu = median(cur.map((c, i) => c.cpu - prevs[i].cpu));
      console.log(`  ${name.padEnd(30)} ${at.toFixed(0).padStart(6)}  +${wall.toFixed(0).padStart(5)}  cpu ${Number.isNaN(cpu) ? '   ?' : cpu.toFixed(0).padStart(5)}`);
    }
  }
}
console.log(`the lab keeps running in ${lab.dir}; stop it with: node dist/cli/main.js lab down --dir ${lab.dir}/lab`);
