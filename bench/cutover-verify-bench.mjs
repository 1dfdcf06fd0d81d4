// Cutover verification of one 10,000-computer wave, every current blob decrypted, vs ldapsearch
// reading the same attributes (and the descriptors, SD flags 5) under the wave's OU, same page size.
// Usage: npm run build && node bench/cutover-verify-bench.mjs [--computers 10000] [--rounds 3] [--ip 127.0.0.14]
// The lab is the `large` scenario (Windows LAPS schema, a usable KDS root key, the wave's GPO linked
// to OU=Large); the N computers are written offline with ldbadd (as the inventory bench's bulk
// seeding), after the link, each with an msLAPS-EncryptedPassword of its own encrypted to
// LAB\LAPS Admins (DH root key, as the lab's), a history of 2 (one in ten to Domain Admins: drift)
// and an expiration time. The cutover runs as the lab admin, who can read the KDS root key.
// Prints median seconds of both, the ratio (target <= 2) and the cutover's peak RSS (target < 300 MB).
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, adminPassword, arg, median, timed } from './lib.mjs';

const dist = (p) => import(join(ROOT, 'dist', p));
const [{ LdapDirectory }, { kdsMasterRootKeysDn }, { rootKeyFromDirectoryEntry, ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES }, { encryptLapsValue }, { SeedKeyCache }, { integer8TimeString }, { layoutOf }, { sidToString }] = await Promise.all([
  dist('directory/ldap-directory.js'), dist('directory/kds.js'), dist('dpapi-ng/root-key.js'), dist('laps/encrypt-laps-value.js'), dist('dpapi-ng/seed-key-cache.js'), dist('dtyp/filetime.js'), dist('lab/provision.js'), dist('dtyp/sid.js'),
]);

const n = Number(arg('computers', '10000'));
const rounds = Number(arg('rounds', '3'));
const ip = arg('ip', '127.0.0.14');
const dir = `/tmp/laps-migrate-cutover-bench-${n}`;
const labDir = `${dir}/lab`;
const env = { XDG_CONFIG_HOME: `${dir}/config`, XDG_STATE_HOME: `${dir}/state` };
const marker = `${dir}/seeded-${n}`;

const t0 = Date.now();
if (!existsSync(marker)) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await timed(process.execPath, [CLI, 'lab', 'up', '--dir', labDir, '--ip', ip, '--scenario', 'large', '--computers', '10', '--recreate', '--no-profile'], env);
  await seed();
  writeFileSync(marker, new Date().toISOString());
} else {
  await timed(process.execPath, [CLI, 'lab', 'up', '--dir', labDir, '--no-profile'], env);
}
const m = JSON.parse(readFileSync(`${labDir}/manifest.json`, 'utf8'));
console.log(`lab with ${n} encrypted computers (+${m.computers.length} seeded) ready on ${m.urls.ldaps} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

async function seed() {
  const man = JSON.parse(readFileSync(`${labDir}/manifest.json`, 'utf8'));
  const admin = await LdapDirectory.connect({ server: man.urls.ldaps, caFile: man.caFile, user: man.accounts.admin.userPrincipalName, password: adminPassword(man) });
  const [keyEntry] = await admin.searchAll({ base: kdsMasterRootKeysDn(man.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: [...ROOT_KEY_ATTRIBUTES], binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES] });
  const [group] = await admin.searchAll({ base: man.baseDn, filter: '(sAMAccountName=LAPS Admins)', attributes: ['objectSid'], binaryAttributes: ['objectSid'] });
  await admin.close();
  const rootKey = rootKeyFromDirectoryEntry(keyEntry);
  const sid = sidToString(group.attributes.objectsid[0]);
  const oldSid = `${man.domainSid}-512`;
  const cache = new SeedKeyCache();
  const now = new Date();
  const value = (s, name) => encryptLapsValue({ accountName: 'Administrator', password: `bench-${name}-${Math.random().toString(36).slice(2)}` }, { rootKey, sid: s, time: now, cache, domainName: man.dnsDomain, forestName: man.dnsDomain });
  const pool = Array.from({ length: 100 }, (_, i) => value(i % 10 === 0 ? oldSid : sid, `h${i}`).toString('base64'));
  const ldif = join(dir, 'cutover-bench.ldif');
  const out = createWriteStream(ldif, { mode: 0o600 });
  const write = async (s) => { if (!out.write(s)) await once(out, 'drain'); };
  const large = `OU=Large,${man.baseDn}`;
  const expires = integer8TimeString(new Date(now.getTime() + 30 * 86_400_000));
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 0) await write(`dn: OU=Bench-${String(i / 1000).padStart(3, '0')},${large}\nobjectClass: organizationalUnit\n\n`);
    const name = `CVB-${String(i).padStart(6, '0')}`;
    let e = `dn: CN=${name},OU=Bench-${String(Math.floor(i / 1000)).padStart(3, '0')},${large}\nobjectClass: computer\nsAMAccountName: ${name}$\nuserAccountControl: 4096\n`;
    e += `dNSHostName: ${name.toLowerCase()}.bench.test\noperatingSystem: Windows 11 Enterprise\noperatingSystemVersion: 10.0 (22631)\nlastLogonTimestamp: ${integer8TimeString(now)}\n`;
    e += `msLAPS-PasswordExpirationTime: ${expires}\nmsLAPS-EncryptedPassword:: ${value(sid, name).toString('base64')}\n`;
    e += `msLAPS-EncryptedPasswordHistory:: ${pool[(i * 2) % 100]}\nmsLAPS-EncryptedPasswordHistory:: ${pool[(i * 2 + 1) % 100]}\n\n`;
    await write(e);
  }
  out.end();
  await once(out, 'finish');
  cache.clear();
  console.log(`${n} computers with blobs encrypted in ${((Date.now() - now.getTime()) / 1000).toFixed(0)} s; ldbadd (offline)`);
  await timed(process.execPath, [CLI, 'lab', 'down', '--dir', labDir], env);
  const r = spawnSync('ldbadd', ['-H', join(layoutOf(labDir).dcDir, 'private', 'sam.ldb'), '--nosync', '-o', 'batch_mode:1', '-o', `transaction_index_cache_size:${Math.max(20000, n * 2)}`, ldif], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ldbadd failed: ${(r.stderr || r.stdout).slice(-600)}`);
  rmSync(ldif);
  await timed(process.execPath, [CLI, 'lab', 'up', '--dir', labDir, '--no-profile'], env);
}

const playbook = join(dir, 'bench-playbook.yaml');
writeFileSync(playbook, `version: 1
steps: [cutover]
policy:
  encryption: { enabled: true, principal: 'LAB\\LAPS Admins' }
  historySize: 12
waves:
  - name: bench
    ous: ['OU=Large']
    gpo: 'Windows LAPS - Large'
`);
// what the cutover reads per computer (computerAttributes + sAMAccountName) and the descriptors it evaluates
const attrs = ['cn', 'dNSHostName', 'operatingSystem', 'operatingSystemVersion', 'lastLogonTimestamp', 'pwdLastSet', 'whenCreated', 'userAccountControl', 'mS-DS-CreatorSID', 'replPropertyMetaData',
  'ms-Mcs-AdmPwdExpirationTime', 'msLAPS-PasswordExpirationTime', 'msLAPS-EncryptedPassword', 'msLAPS-EncryptedPasswordHistory', 'msLAPS-EncryptedDSRMPassword', 'sAMAccountName', 'nTSecurityDescriptor', 'objectSid'];
const SD_FLAGS_5 = '!1.2.840.113556.1.4.801=::MAMCAQU=';
const pw = adminPassword(m);
const user = m.accounts.admin.userPrincipalName;
const benv = { ...env, LAPS_MIGRATE_PASSWORD: pw, LDAPTLS_CACERT: m.caFile };
const ours = [];
const ref = [];
const rss = [];
let summary;
for (let r = 0; r < rounds; r++) {
  const out = mkdtempSync(join(tmpdir(), 'lm-bench-cutover-'));
  const a = await timed(process.execPath, [CLI, 'cutover', '--playbook', playbook, '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', user, '--out', out], benv);
  if (r === 0) {
    const j = spawnSync(process.execPath, [CLI, 'cutover', '--playbook', playbook, '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', user, '--out', out, '--json'], { env: { ...process.env, ...benv }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const wave = JSON.parse(j.stdout).data.waves[0];
    const payload = {};
    for (const c of wave.computers) payload[c.payload ?? 'none'] = (payload[c.payload ?? 'none'] ?? 0) + 1;
    summary = `states ${JSON.stringify(wave.counts)}; payload checks ${JSON.stringify(payload)}; drift entries ${wave.drift.length}`;
  }
  rmSync(out, { recursive: true, force: true });
  const b = await timed('ldapsearch', ['-LLL', '-H', m.urls.ldaps, '-D', user, '-w', pw, '-b', `OU=Large,${m.baseDn}`, '-E', 'pr=1000/noprompt', '-E', SD_FLAGS_5, '(objectCategory=computer)', ...attrs], benv);
  ours.push(a.secs);
  ref.push(b.secs);
  if (a.rssKiB) rss.push(a.rssKiB);
  console.log(`round ${r + 1}: cutover ${a.secs.toFixed(2)} s (peak RSS ${a.rssKiB ? (a.rssKiB / 1024).toFixed(0) : '?'} MB), ldapsearch ${b.secs.toFixed(2)} s; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
console.log(`\ncomputers in the wave: ${n + m.computers.length}; ${summary}`);
console.log(`cutover (verify + decrypt every current blob + report) median ${median(ours).toFixed(2)} s; ldapsearch median ${median(ref).toFixed(2)} s`);
console.log(`ratio cutover/ldapsearch: ${(median(ours) / median(ref)).toFixed(2)} (target <= 2)`);
if (rss.length) console.log(`peak RSS of the cutover: ${(Math.max(...rss) / 1024).toFixed(0)} MB (target < 300 MB); median ${(median(rss) / 1024).toFixed(0)} MB`);
console.log(`load average now: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (!process.argv.includes('--keep')) await timed(process.execPath, [CLI, 'lab', 'down', '--dir', labDir], env);
else console.log(`the lab keeps running in ${labDir}; stop it with: node dist/cli/main.js lab down --dir ${labDir}`);
