// The per-computer permissions audit vs ldapsearch fetching the same descriptors (SD flags 5, the
// same attributes, same page size) from the same server.
// Usage: npm run build && node bench/permissions-bench.mjs [--computers 10000] [--rounds 3] [--ip 127.0.0.13]
// The audit run includes everything a user gets: OU descriptors, SID resolution, evaluation of
// every distinct descriptor, findings, the plan (read-only: nothing is written) and the report.
// Prints median seconds for both, the ratio (target <= 1.5) and the audit's peak RSS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, adminPassword, benchSetup, median, timed } from './lib.mjs';

const { n, rounds, lab, m } = await benchSetup();

// what the audit asks for per computer (plus the owner + DACL descriptor)
const attrs = ['cn', 'objectSid', 'mS-DS-CreatorSID', 'userAccountControl', 'nTSecurityDescriptor', 'ms-Mcs-AdmPwdExpirationTime'];
// LDAP_SERVER_SD_FLAGS_OID with SEQUENCE { INTEGER 5 } (owner + DACL), as the audit sends it
const SD_FLAGS_5 = '!1.2.840.113556.1.4.801=::MAMCAQU=';
const pw = adminPassword(m);
const user = m.accounts.admin.userPrincipalName;
const env = { ...lab.env, LAPS_MIGRATE_PASSWORD: pw, LDAPTLS_CACERT: m.caFile };
const ours = [];
const ref = [];
const rss = [];
for (let r = 0; r < rounds; r++) {
  const out = mkdtempSync(join(tmpdir(), 'lm-bench-perm-'));
  const a = await timed(process.execPath, [CLI, 'permissions', '--per-computer', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', user, '--out', out], env);
  rmSync(out, { recursive: true, force: true });
  const b = await timed('ldapsearch', ['-LLL', '-H', m.urls.ldaps, '-D', user, '-w', pw, '-b', m.baseDn, '-E', 'pr=1000/noprompt', '-E', SD_FLAGS_5, '(objectCategory=computer)', ...attrs], env);
  ours.push(a.secs);
  ref.push(b.secs);
  if (a.rssKiB) rss.push(a.rssKiB);
  console.log(`round ${r + 1}: permissions --per-computer ${a.secs.toFixed(2)} s (peak RSS ${a.rssKiB ? (a.rssKiB / 1024).toFixed(0) : '?'} MB), ldapsearch ${b.secs.toFixed(2)} s`);
}
const ratio = median(ours) / median(ref);
console.log(`\ncomputers: ${n + m.computers.length}`);
console.log(`permissions --per-computer (with report) median ${median(ours).toFixed(2)} s; ldapsearch median ${median(ref).toFixed(2)} s`);
console.log(`ratio permissions/ldapsearch: ${ratio.toFixed(2)} (target <= 1.5)`);
if (rss.length) console.log(`peak RSS of the audit: ${(Math.max(...rss) / 1024).toFixed(0)} MB`);
console.log(`the lab keeps running in ${lab.dir}; stop it with: node dist/cli/main.js lab down --dir ${lab.dir}/lab`);
