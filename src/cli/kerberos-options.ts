/**
 * --kerberos, --keytab and --spn-host (or `kerberos: true`, `keytab`, `spnHost` in a profile):
 * which Kerberos bind, if any, the connection flags ask for. Flags beat the profile: an explicit
 * --password-file means a password bind even when the profile says Kerberos.
 */
import { Option, type Command } from 'commander';
import { InputError } from '../errors.js';
import type { Profile } from '../config/profiles.js';
import { checkKerberosOptions, normalisePrincipal, type KerberosBindOptions } from '../directory/kerberos-gss.js';

export interface KerberosFlags {
  kerberos?: boolean;
  keytab?: string;
  spnHost?: string;
  user?: string;
  passwordFile?: string;
}

export function addKerberosOptions(cmd: Command): Command {
  return cmd
    .option('--kerberos', 'bind with Kerberos (SASL GSSAPI): the ticket from kinit (KRB5CCNAME), or --keytab; no password')
    .option('--keytab <file>', 'with --kerberos: get the ticket from this keytab for --user PRINCIPAL (unattended runs)')
    .addOption(new Option('--spn-host <name>', 'with --kerberos: host of the service principal ldap/<name> (default: the DC\'s DNS name)'));
}

/** The Kerberos bind asked for, or undefined for a password bind. Throws InputError on contradictions. */
export function kerberosOptionsFrom(flags: KerberosFlags, profile: Partial<Profile>): KerberosBindOptions | undefined {
  if (flags.kerberos && flags.passwordFile) throw new InputError('--kerberos and --password-file exclude each other: Kerberos binds use no password');
  const wanted = !!flags.kerberos || (!!profile.kerberos && !flags.passwordFile);
  if (!wanted) {
    if (flags.keytab) throw new InputError('--keytab goes with --kerberos');
    if (flags.spnHost) throw new InputError('--spn-host goes with --kerberos');
    return undefined;
  }
  const keytab = flags.keytab ?? profile.keytab;
  const spnHost = flags.spnHost ?? profile.spnHost;
  // a profile's user is its principal only when the profile itself says Kerberos
  const user = flags.user ?? (profile.kerberos ? profile.user : undefined);
  const o: KerberosBindOptions = {
    ...(user ? { principal: normalisePrincipal(user) } : {}),
    ...(keytab ? { keytab } : {}),
    ...(spnHost ? { spnHost } : {}),
  };
  checkKerberosOptions(o);
  return o;
}
