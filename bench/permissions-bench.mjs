// The per-computer permissions audit vs ldapsearch fetching the same descriptors (SD flags 5, the
// same attributes, same page size) from the same server.
// Usage: npm run build && node bench/permissions-bench.mjs [--computers 10000] [--rounds 3] [--ip 127.0.0.13]
//          [--lab-dir /tmp/...] [--variants "default;--parallel 1"] [--breakdown]
// Runs every variant (flags added to `permissions --per-computer`; "default" = none) and the
// reference interleaved, round by round, and prints medians of: wall seconds, the client's CPU
// seconds, the DC's CPU seconds (samba process tree, from /proc), peak RSS, the ratio against one
// `ldapsearch -E pr=1000` stream (target <= 1.2 at 10k) and the 1-minute load average.
// The audit run includes everything a user gets: OU descriptors, SID resolution, evaluation of
// every distinct descriptor, findings, the plan (read-only: nothing is written) and the report.
// --breakdown adds the phase times (performance marks, bench/timing-hook.mjs).
import { join } from 'node:path';
import { adminPassword, benchSetup, cliVariantRun, interleavedRounds, measure, printBreakdown, printVariantTable, variantsArg } from './lib.mjs';

const { n, rounds, lab, m } = await benchSetup();
const variants = variantsArg('default;--parallel 1');
const breakdown = process.argv.includes('--breakdown');

// what the audit asks for per computer (plus the owner + DACL descriptor)
const attrs = ['cn', 'objectSid', 'mS-DS-CreatorSID', 'userAccountControl', 'nTSecurityDescriptor', 'ms-Mcs-AdmPwdExpirationTime'];
// LDAP_SERVER_SD_FLAGS_OID with SEQUENCE { INTEGER 5 } (owner + DACL), as the audit sends it
const SD_FLAGS_5 = '!1.2.840.113556.1.4.801=::MAMCAQU=';
const pw = adminPassword(m);
const user = m.accounts.admin.userPrincipalName;
const env = { ...lab.env, LAPS_MIGRATE_PASSWORD: pw, LDAPTLS_CACERT: m.caFile };
const labDir = join(lab.dir, 'lab');

const { runs, ref } = await interleavedRounds(
  rounds,
  variants,
  () => measure(labDir, 'ldapsearch', ['-LLL', '-H', m.urls.ldaps, '-D', user, '-w', pw, '-b', m.baseDn, '-E', 'pr=1000/noprompt', '-E', SD_FLAGS_5, '(objectCategory=computer)', ...attrs], env),
  (variant) => cliVariantRun(labDir, variant, (out) => ['permissions', '--per-computer', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', user, '--out', out], env, breakdown),
);
printVariantTable(runs, ref, rounds, n + m.computers.length);
console.log('target: ratio <= 1.2 at 10k');
if (breakdown) printBreakdown(runs, rounds);
console.log(`the lab keeps running in ${lab.dir}; stop it with: node dist/cli/main.js lab down --dir ${lab.dir}/lab`);
