/**
 * Provisions a throw-away Samba AD DC into a folder (LAB-NOTES): an empty smb.conf for
 * provisioning, then our own smb.conf (LDAP only, loopback only, schema updates allowed,
 * our own CA-signed certificate with the loopback IP as subjectAltName).
 */
import { mkdirSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './system.js';

export interface LabLayout {
  dir: string;
  dcDir: string;
  smbConf: string;
  tlsDir: string;
  caFile: string;
  secretsDir: string;
  snapshotsDir: string;
  logFile: string;
  pidFile: string;
  manifestFile: string;
  sysvolDir: string;
}

export function layoutOf(dir: string): LabLayout {
  const dcDir = join(dir, 'dc');
  return {
    dir,
    dcDir,
    smbConf: join(dcDir, 'etc', 'smb.conf'),
    tlsDir: join(dir, 'tls'),
    caFile: join(dir, 'tls', 'ca.pem'),
    secretsDir: join(dir, 'secrets'),
    snapshotsDir: join(dir, 'snapshots'),
    logFile: join(dir, 'samba.log'),
    pidFile: join(dir, 'samba.pid'),
    manifestFile: join(dir, 'manifest.json'),
    sysvolDir: join(dir, 'sysvol'),
  };
}

export const LAB_REALM = 'LAB.EXAMPLE.TEST';
export const LAB_NETBIOS = 'LAB';
export const LAB_HOST = 'dc1';

export function provisionDomain(layout: LabLayout, ip: string, adminPassword: string): void {
  mkdirSync(layout.dcDir, { recursive: true, mode: 0o700 });
  const empty = join(layout.dir, 'provision-empty.conf');
  writeFileSync(empty, '', { mode: 0o600 });
  run(
    'samba-tool',
    [
      'domain', 'provision', '-s', empty, `--targetdir=${layout.dcDir}`, `--realm=${LAB_REALM}`, `--domain=${LAB_NETBIOS}`,
      '--server-role=dc', '--dns-backend=NONE', `--host-name=${LAB_HOST}`, `--host-ip=${ip}`, `--adminpass=${adminPassword}`,
    ],
    'samba-tool domain provision',
  );
}

/** Our smb.conf: only the LDAP server, only on the loopback address, TLS with our certificate. */
export function writeSmbConf(layout: LabLayout, ip: string): void {
  const d = layout.dcDir;
  const conf = `# written by laps-migrate lab: LDAP-only throw-away DC on loopback
[global]
	netbios name = DC1
	realm = ${LAB_REALM}
	workgroup = ${LAB_NETBIOS}
	server role = active directory domain controller
	server services = ldap
	disable netbios = yes
	interfaces = ${ip}/8
	bind interfaces only = yes
	private dir = ${d}/private
	lock directory = ${d}
	state directory = ${d}/state
	cache directory = ${d}/cache
	pid directory = ${d}/run
	binddns dir = ${d}/bind-dns
	log file = ${layout.logFile}
	log level = 1
	dsdb:schema update allowed = true
	ldb:nosync = true
	ldap server require strong auth = no
	tls enabled = yes
	tls keyfile = ${layout.tlsDir}/server.key
	tls certfile = ${layout.tlsDir}/server.pem
	tls cafile = ${layout.caFile}
`;
  mkdirSync(join(d, 'run'), { recursive: true, mode: 0o700 });
  writeFileSync(layout.smbConf, conf, { mode: 0o600 });
}

/** A small CA and a server certificate whose SANs are the DC's DNS name and the loopback addresses. */
export function makeCertificates(layout: LabLayout, ips: string[], dnsName: string): void {
  const t = layout.tlsDir;
  mkdirSync(t, { recursive: true, mode: 0o700 });
  if (!existsSync(join(t, 'ca.key'))) {
    run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(t, 'ca.key'), '-out', layout.caFile, '-days', '3650',
      '-subj', '/CN=laps-migrate lab CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], 'openssl (lab CA)');
  }
  const ext = join(t, 'server.ext');
  writeFileSync(ext, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=DNS:${dnsName},${ips.map((i) => `IP:${i}`).join(',')}`,
    '',
  ].join('\n'));
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(t, 'server.key'), '-out', join(t, 'server.csr'), '-subj', `/CN=${dnsName}`], 'openssl (server key)');
  run('openssl', ['x509', '-req', '-in', join(t, 'server.csr'), '-CA', layout.caFile, '-CAkey', join(t, 'ca.key'), '-CAcreateserial',
    '-out', join(t, 'server.pem'), '-days', '825', '-extfile', ext], 'openssl (server certificate)');
  // everything the tool writes is 0600 (issue 21): keys, certificates, the CSR, the serial
  for (const f of ['server.key', 'ca.key', 'server.pem', 'server.csr', 'server.ext', 'ca.srl']) {
    if (existsSync(join(t, f))) chmodSync(join(t, f), 0o600);
  }
  chmodSync(layout.caFile, 0o600);
}
