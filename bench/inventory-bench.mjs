// Inventory vs ldapsearch on the same server, same attributes, same page size.
// Usage: npm run build && node bench/inventory-bench.mjs [--computers 10000] [--rounds 3]
// Prints median seconds for both, the ratio (target <= 1.3, reports included) and peak RSS
// of the inventory process (target <= 300 MB at 100k).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, adminPassword, benchSetup, median, timed } from './lib.mjs';

const { n, rounds, lab, m } = await benchSetup();

const attrs = ['cn', 'dNSHostName', 'operatingSystem', 'operatingSystemVersion', 'lastLogonTimestamp', 'pwdLastSet', 'whenCreated',
  'userAccountControl', 'mS-DS-CreatorSID', 'replPropertyMetaData', 'ms-Mcs-AdmPwdExpirationTime',
  // the inventory learns presence of the legacy password without reading it; ldapsearch reads it
  'ms-Mcs-AdmPwd'];
const pw = adminPassword(m);
const user = m.accounts.admin.userPrincipalName;
const env = { ...lab.env, LAPS_MIGRATE_PASSWORD: pw, LDAPTLS_CACERT: m.caFile };
const ours = [];
const fast = [];
const ref = [];
const rss = [];
for (let r = 0; r < rounds; r++) {
  const out = mkdtempSync(join(tmpdir(), 'lm-bench-out-'));
  const a = await timed(process.execPath, [CLI, 'inventory', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', user, '--out', out], env);
  const c = await timed(process.execPath, [CLI, 'inventory', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', user, '--out', out, '--no-presence'], env);
  rmSync(out, { recursive: true, force: true });
  fast.push(c.secs);
  const b = await timed('ldapsearch', ['-LLL', '-H', m.urls.ldaps, '-D', user, '-w', pw, '-b', m.baseDn, '-E', 'pr=1000/noprompt', '(objectCategory=computer)', ...attrs], env);
  ours.push(a.secs);
  ref.push(b.secs);
  if (a.rssKiB) rss.push(a.rssKiB);
  console.log(`round ${r + 1}: inventory ${a.secs.toFixed(2)} s (peak RSS ${a.rssKiB ? (a.rssKiB / 1024).toFixed(0) : '?'} MB), with --no-presence ${c.secs.toFixed(2)} s, ldapsearch ${b.secs.toFixed(2)} s`);
}
const ratio = median(ours) / median(ref);
console.log(`\ncomputers: ${n + m.computers.length}`);
console.log(`inventory (with reports) median ${median(ours).toFixed(2)} s; ldapsearch median ${median(ref).toFixed(2)} s`);
console.log(`ratio inventory/ldapsearch: ${ratio.toFixed(2)} (target <= 1.3)`);
console.log(`ratio inventory --no-presence/ldapsearch: ${(median(fast) / median(ref)).toFixed(2)}`);
if (rss.length) console.log(`peak RSS of inventory: ${(Math.max(...rss) / 1024).toFixed(0)} MB (target <= 300 MB at 100k)`);
console.log(`the lab keeps running in ${lab.dir}; stop it with: node dist/cli/main.js lab down --dir ${lab.dir}/lab`);
