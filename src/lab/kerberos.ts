/**
 * Kerberos in the lab: Samba's own KDC answers on the lab address (smb.conf "server services =
 * ldap kdc"), the DC's ldap/ service principals are registered with samba_spnupdate (the dnsupdate
 * service that normally runs it is off in the lab), and a krb5.conf for clients names that KDC
 * with every DNS lookup off, so kinit and `--kerberos` work on 127.0.0.N without DNS.
 */
import { join } from 'node:path';
import { writePrivateFile } from '../config/paths.js';
import { run } from './system.js';
import type { LabLayout } from './provision.js';

export function krb5ConfPath(layout: LabLayout): string {
  return join(layout.dir, 'krb5.conf');
}

/**
 * No DNS: the realm and KDC are named here; host names in service principals are used as given
 * (no forward canonicalisation, no reverse lookup of 127.0.0.N, which would yield "localhost").
 */
export function writeKrb5Conf(layout: LabLayout, ip: string, realm: string, dnsDomain: string): string {
  const file = krb5ConfPath(layout);
  writePrivateFile(
    file,
    `# written by laps-migrate lab: use with KRB5_CONFIG=${file}
[libdefaults]
	default_realm = ${realm}
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
	ticket_lifetime = 10h
	forwardable = false

[realms]
	${realm} = {
		kdc = ${ip}
	}

[domain_realm]
	.${dnsDomain} = ${realm}
	${dnsDomain} = ${realm}
`,
  );
  return file;
}

/** Registers the DC's SPNs (ldap/<dns name> and friends) in sam.ldb; about 0.3 s. */
export function registerDcSpns(layout: LabLayout): void {
  run('/usr/bin/python3', ['/usr/sbin/samba_spnupdate', '-s', layout.smbConf], 'samba_spnupdate');
}
