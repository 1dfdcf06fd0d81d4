/**
 * Lab control: up (install if allowed, provision, certificates, start, seed, snapshot, manifest,
 * profile), down, status, reset (restore the post-seed snapshot in about a second).
 */
import { cpSync, existsSync, lstatSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { ensurePrivateDir, stateDir, writePrivateFile } from '../config/paths.js';
import { saveProfile } from '../config/profiles.js';
import { LdapDirectory } from '../directory/ldap-directory.js';
import { isAlive, readPid, startDaemon, stopDaemon, MAX_RUNTIME_SECONDS } from './daemon.js';
import { LAB_HOST, LAB_NETBIOS, LAB_REALM, layoutOf, makeCertificates, provisionDomain, writeSmbConf, type LabLayout } from './provision.js';
import { labPassword, seedEstate, type SeedContext } from './seed.js';
import { seedBulkComputers } from './bulk.js';
import { writeSysvol } from './sysvol.js';
import { installPackages, missingBinaries } from './system.js';
import type { LabManifest } from './manifest.js';
import { loadScenario } from './scenario-load.js';
import { buildScenario } from './scenario-build.js';
import { writeFunctionalLevelOffline } from './functional-level.js';
import type { DeviceSeed } from './device-state.js';
import { restoreLabFiles, snapshotLabFiles, writeInitialDevices } from './device-init.js';

export interface LabUpOptions {
  dir?: string;
  ip?: string;
  installPackages?: boolean;
  /** Asked in a terminal when packages are missing and --install-packages was not given. */
  confirmInstall?: () => Promise<boolean>;
  computers?: number;
  legacySchema?: 'standard' | 'renamed' | 'none';
  profileName?: string | false;
  recreate?: boolean;
  log?: (line: string) => void;
  /** Shipped scenario name or YAML file (default legacy-estate). */
  scenario?: string;
  /** Seed of the scenario's choices (default 1). */
  seed?: number;
}

export function defaultLabDir(): string {
  return join(stateDir(), 'lab');
}

export function readManifest(dir: string): LabManifest | undefined {
  const f = layoutOf(resolve(dir)).manifestFile;
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, 'utf8')) as LabManifest;
}

/** Every loopback address the tests and a fault-injection proxy may use. */
function certificateIps(ip: string): string[] {
  const ips = new Set<string>([ip]);
  for (let i = 1; i <= 20; i++) ips.add(`127.0.0.${i}`);
  return [...ips];
}

function validateIp(ip: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || ip.split('.').some((p) => Number(p) > 255)) {
    throw new UserError(`--ip ${ip} is not a loopback address: the lab listens only on 127.0.0.0/8`, ExitCode.USAGE);
  }
}

export async function labUp(options: LabUpOptions = {}): Promise<LabManifest> {
  const log = options.log ?? (() => undefined);
  const dir = resolve(options.dir ?? defaultLabDir());
  // an existing lab starts on its own address unless another one is asked for
  const ip = options.ip ?? (options.recreate ? undefined : readManifest(dir)?.ip) ?? '127.0.0.1';
  validateIp(ip);
  const layout = layoutOf(dir);
  // validated before anything is written: a bad scenario leaves no half-made lab
  const scenario = loadScenario(options.scenario);
  const seed = options.seed ?? 1;

  const missing = missingBinaries();
  if (missing.length) {
    let ok = !!options.installPackages;
    if (!ok && options.confirmInstall) ok = await options.confirmInstall();
    if (!ok) {
      throw new UserError(`the lab needs Samba and the LDAP tools; missing: ${missing.join(', ')}`, ExitCode.USAGE, {
        advice: 'Re-run with --install-packages (root, Debian), or install: apt-get install --no-install-recommends samba-ad-dc samba-ad-provision ldb-tools ldap-utils openssl python3-samba',
      });
    }
    installPackages(log);
  }

  const existing = readManifest(dir);
  if (existing && !options.recreate) {
    if (existing.ip !== ip && options.ip) {
      throw new UserError(`the lab in ${dir} was made for ${existing.ip}, not ${ip}`, ExitCode.USAGE, { advice: 'Use --recreate to provision it again, or another --dir.' });
    }
    log(`starting the existing lab in ${dir}`);
    await startDaemon(layout, existing.ip);
    if (options.profileName !== false) writeProfile(existing, options.profileName ?? 'lab');
    return existing;
  }
  if (existsSync(dir)) {
    await stopDaemon(layout).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  ensurePrivateDir(dir);
  ensurePrivateDir(layout.secretsDir);
  const adminPassword = labPassword();
  const dnsDomain = LAB_REALM.toLowerCase();
  const dnsHostName = `${LAB_HOST}.${dnsDomain}`;

  log('provisioning the Samba AD domain');
  provisionDomain(layout, ip, adminPassword);
  writeSmbConf(layout, ip);
  log('making the lab CA and server certificate');
  makeCertificates(layout, certificateIps(ip), dnsHostName);
  log(`starting samba on ${ip}`);
  await startDaemon(layout, ip);

  const baseDn = dnsDomain.split('.').map((p) => `DC=${p}`).join(',');
  const ldapsUrl = `ldaps://${ip}`;
  const dirConn = await LdapDirectory.connect({ server: ldapsUrl, caFile: layout.caFile, user: `Administrator@${dnsDomain}`, password: adminPassword });
  let manifest: LabManifest;
  let deviceSeeds: DeviceSeed[] = [];
  try {
    const root = await dirConn.rootDse();
    const me = await dirConn.whoAmI();
    const domainSid = me.sid.replace(/-\d+$/, '');
    log(`seeding the ${scenario.name} estate`);
    const seedCtx: SeedContext = {
      dir: dirConn,
      baseDn,
      schemaDn: root.schemaNamingContext,
      configDn: root.configurationNamingContext,
      domainSid,
      realm: LAB_REALM,
      netbios: LAB_NETBIOS,
      ldapsUrl,
      caFile: layout.caFile,
      smbConf: layout.smbConf,
      adminPassword,
      legacySchema: options.legacySchema ?? 'standard',
      storePassword: (key, password) => {
        const f = join(layout.secretsDir, `${key.replace(/[^A-Za-z0-9_.-]/g, '_')}.password`);
        writePrivateFile(f, password);
        return f;
      },
    };
    const dcDn = `CN=${LAB_HOST.toUpperCase()},OU=Domain Controllers,${baseDn}`;
    const seeded = scenario.builtin
      ? await seedEstate(seedCtx)
      : await buildScenario({ ...seedCtx, legacySchema: scenario.scenario.legacySchema }, scenario.scenario, { seed, computers: options.computers ?? 1000, sysvolDir: layout.sysvolDir, dcDn });
    if (scenario.builtin) {
      writeSysvol(layout, dnsDomain, seeded.gpos);
      seeded.devices?.push({ name: LAB_HOST.toUpperCase(), dn: dcDn, build: 20348, os: 'Windows Server 2022 Standard', dc: true, cseInstalled: false, machinePassword: null, localPassword: labPassword(14) });
    }
    deviceSeeds = seeded.devices ?? [];
    manifest = {
      version: 1,
      dir,
      ip,
      realm: LAB_REALM,
      netbiosDomain: LAB_NETBIOS,
      dnsDomain,
      dnsHostName,
      baseDn,
      configDn: root.configurationNamingContext,
      schemaDn: root.schemaNamingContext,
      domainSid,
      urls: { ldaps: ldapsUrl, ldap: `ldap://${ip}` },
      caFile: layout.caFile,
      smbConf: layout.smbConf,
      legacySchema: scenario.builtin ? options.legacySchema ?? 'standard' : scenario.scenario.legacySchema,
      scenario: { name: scenario.name, seed, ...(scenario.builtin ? {} : { file: scenario.file }) },
      sysvol: layout.sysvolDir,
      accounts: seeded.accounts,
      groups: seeded.groups,
      ous: seeded.ous,
      computers: seeded.computers,
      gpos: seeded.gpos,
      snapshots: { seeded: join(layout.snapshotsDir, 'seeded') },
      createdAt: new Date().toISOString(),
    };
  } finally {
    await dirConn.close();
  }
  log('taking the post-seed snapshot');
  await stopDaemon(layout, ip);
  if (!scenario.builtin && scenario.scenario.functionalLevel === '2016') {
    log('raising the domain functional level to 2016 (offline)');
    writeFunctionalLevelOffline(join(layout.dcDir, 'private', 'sam.ldb'), baseDn, manifest.configDn, 7);
  }
  const computers = scenario.builtin ? options.computers ?? 0 : 0;
  if (computers > 0) {
    log(`seeding ${computers} more computers offline (batch mode; about 500/s)`);
    const legacyNames = manifest.legacySchema === 'none' ? undefined
      : manifest.legacySchema === 'renamed' ? { password: 'ms-Contoso-AdmPwd', expiration: 'ms-Contoso-AdmPwdExpirationTime' }
      : { password: 'ms-Mcs-AdmPwd', expiration: 'ms-Mcs-AdmPwdExpirationTime' };
    manifest.ous.bulk = await seedBulkComputers(layout, baseDn, computers, legacyNames, log);
    manifest.bulkComputers = computers;
  }
  takeSnapshot(layout, 'seeded');
  writePrivateFile(layout.manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  await startDaemon(layout, ip);
  log(`writing ${deviceSeeds.length} simulated devices`);
  writeInitialDevices(dir, deviceSeeds, dnsDomain);
  const { simulate } = await import('./simulate.js');
  await simulate({ dir, evaluateOnly: true });
  snapshotLabFiles(layout);
  if (options.profileName !== false) writeProfile(manifest, options.profileName ?? 'lab');
  return manifest;
}

function writeProfile(m: LabManifest, name: string): void {
  saveProfile(name, {
    server: m.urls.ldaps,
    caFile: m.caFile,
    user: m.accounts.admin!.userPrincipalName,
    passwordFile: m.accounts.admin!.passwordFile,
    baseDn: m.baseDn,
    ...(m.sysvol ? { sysvol: m.sysvol } : {}),
  });
}

/** Copies a stopped DC folder, leaving out sockets (ldapi, named pipes) that samba recreates. */
function copyDcDir(from: string, to: string): void {
  cpSync(from, to, {
    recursive: true,
    preserveTimestamps: true,
    filter: (src) => {
      // msg.sock holds the (prefork) processes' messaging sockets, which vanish as they exit
      if (basename(src) === 'msg.sock') return false;
      try {
        return !lstatSync(src).isSocket();
      } catch {
        return false;
      }
    },
  });
}

function takeSnapshot(layout: LabLayout, name: string): void {
  const target = join(layout.snapshotsDir, name);
  mkdirSync(layout.snapshotsDir, { recursive: true, mode: 0o700 });
  rmSync(target, { recursive: true, force: true });
  copyDcDir(layout.dcDir, target);
}

export async function labDown(dir?: string): Promise<boolean> {
  const d = resolve(dir ?? defaultLabDir());
  return stopDaemon(layoutOf(d), readManifest(d)?.ip);
}

/** Restores a snapshot (default: right after seeding) and restarts the DC. */
export async function labReset(dir?: string, snapshot = 'seeded'): Promise<LabManifest> {
  const d = resolve(dir ?? defaultLabDir());
  const manifest = readManifest(d);
  if (!manifest) throw new UserError(`no lab in ${d}`, ExitCode.USAGE, { advice: 'Run "laps-migrate lab up" first.' });
  const layout = layoutOf(d);
  const snap = manifest.snapshots[snapshot];
  if (!snap || !existsSync(snap)) throw new UserError(`the lab has no snapshot "${snapshot}"`, ExitCode.USAGE);
  await stopDaemon(layout, manifest.ip);
  rmSync(layout.dcDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  copyDcDir(snap, layout.dcDir);
  restoreLabFiles(layout, snapshot);
  await startDaemon(layout, manifest.ip);
  return manifest;
}

export interface LabStatus {
  dir: string;
  exists: boolean;
  running: boolean;
  pid?: number;
  note?: string;
  maximumRuntimeSeconds: number;
  manifest?: LabManifest;
}

export function labStatus(dir?: string): LabStatus {
  const d = resolve(dir ?? defaultLabDir());
  const layout = layoutOf(d);
  const manifest = readManifest(d);
  const pid = readPid(layout);
  const running = isAlive(pid);
  const status: LabStatus = { dir: d, exists: !!manifest, running, maximumRuntimeSeconds: MAX_RUNTIME_SECONDS };
  if (running && pid) status.pid = pid;
  if (manifest) status.manifest = manifest;
  if (manifest && !running && pid) {
    const tail = existsSync(layout.logFile) ? readFileSync(layout.logFile, 'utf8') : '';
    const reachedMax = /maximum runtime exceeded/i.test(tail);
    status.note = reachedMax
      ? `the DC ended after its maximum runtime (${MAX_RUNTIME_SECONDS / 3600} h); "laps-migrate lab up" starts it again`
      : `the DC (pid ${pid}) is no longer running; see ${layout.logFile}; "laps-migrate lab up" starts it again`;
  }
  return status;
}

/** Writes a file in the lab folder, 0600 (used by tests that add fixtures). */
export function writeLabFile(dir: string, name: string, data: string): string {
  const f = join(dir, name);
  writeFileSync(f, data, { mode: 0o600 });
  return f;
}
