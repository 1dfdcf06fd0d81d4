// Inventory vs ldapsearch on the same server, same attributes, same page size.
// Usage: npm run build && node bench/inventory-bench.mjs [--computers 10000] [--rounds 3] [--ip 127.0.0.13]
//          [--lab-dir /tmp/...] [--variants "default;--parallel 1;--no-presence;dist=OTHER/dist default"] [--breakdown]
// Runs every variant (inventory flags; "default" = none) and the reference interleaved, round by
// round, and prints medians of: wall seconds, the client's CPU seconds, the DC's CPU seconds
// (samba process tree, from /proc), peak RSS, the ratio against one `ldapsearch -E pr=1000`
// stream (target <= 1.3 at 10k with presence, <= 1.0 at 100k) and the 1-minute load average
// during the round. --breakdown adds the phase times (performance marks the tool sets,
// collected by bench/timing-hook.mjs), medians over the rounds.
import { join } from 'node:path';
import { adminPassword, benchSetup, cliVariantRun, interleavedRounds, measure, printBreakdown, printVariantTable, variantsArg } from './lib.mjs';

const { n, rounds, lab, m } = await benchSetup();
const variants = variantsArg('default;--no-presence');
const breakdown = process.argv.includes('--breakdown');

const attrs = ['cn', 'dNSHostName', 'operatingSystem', 'operatingSystemVersion', 'lastLogonTimestamp', 'pwdLastSet', 'whenCreated',
  'userAccountControl', 'mS-DS-CreatorSID', 'replPropertyMetaData', 'ms-Mcs-AdmPwdExpirationTime',
  // the inventory learns presence of the legacy password without reading it; ldapsearch reads it
  'ms-Mcs-AdmPwd'];
const pw = adminPassword(m);
const user = m.accounts.admin.userPrincipalName;
const env = { ...lab.env, LAPS_MIGRATE_PASSWORD: pw, LDAPTLS_CACERT: m.caFile };
const labDir = join(lab.dir, 'lab');

const inventoryRun = (variant) =>
  cliVariantRun(labDir, variant, (out) => ['inventory', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', user, '--out', out], env, breakdown);

const { runs, ref } = await interleavedRounds(
  rounds,
  variants,
  () => measure(labDir, 'ldapsearch', ['-LLL', '-H', m.urls.ldaps, '-D', user, '-w', pw, '-b', m.baseDn, '-E', 'pr=1000/noprompt', '(objectCategory=computer)', ...attrs], env),
  inventoryRun,
);

printVariantTable(runs, ref, rounds, n + m.computers.length);
console.log('targets: ratio <= 1.3 at 10k and <= 1.0 at 100k with presence; peak RSS <= 300 MB at 100k');
if (breakdown) printBreakdown(runs, rounds);
console.log(`the lab keeps running in ${lab.dir}; stop it with: node dist/cli/main.js lab down --dir ${lab.dir}/lab`);
