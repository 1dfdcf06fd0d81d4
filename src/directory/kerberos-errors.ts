/**
 * Turns what a Kerberos bind can fail with (MIT Kerberos / GSSAPI texts, the DC's LDAP result,
 * a broken SASL exchange) into exit 4 with advice an administrator can follow. Nothing here
 * holds a secret: the texts name principals, caches and hosts only.
 */
import { ExitCode, UserError } from '../errors.js';
import { GssError } from './kerberos-gss.js';
import { SaslBindFailure, SaslProtocolError } from './gssapi-sasl.js';

export interface KerberosErrorContext {
  /** The client principal asked for, or undefined for "the ticket cache's principal". */
  principal?: string;
  /** The service principal, ldap/<host>. */
  spn: string;
  keytab?: string;
  host: string;
  port: number;
}

interface Rule {
  test: RegExp;
  reason: string;
  text: (c: KerberosErrorContext) => string;
  advice: (c: KerberosErrorContext) => string;
}

const who = (c: KerberosErrorContext) => c.principal ?? 'your principal';
const kinitAdvice = (c: KerberosErrorContext) =>
  c.keytab
    ? `Check that ${c.keytab} holds current keys for ${who(c)} (klist -k ${c.keytab}).`
    : `Run "kinit ${c.principal ?? 'user@REALM'}" (check with "klist"), make sure KRB5CCNAME names that cache, or use --keytab FILE --user PRINCIPAL for unattended runs.`;

/** First match wins: specific MIT texts before the generic ones. */
const GSS_RULES: Rule[] = [
  {
    test: /clock skew/i,
    reason: 'CLOCK_SKEW',
    text: () => 'this machine\'s clock and the domain controller\'s differ by more than Kerberos allows (5 minutes by default)',
    advice: () => 'Synchronise the clock with the domain (chrony/ntpd/systemd-timesyncd pointing at a DC), then retry.',
  },
  {
    test: /ticket expired|credentials? (have|has) expired|referenced credential has expired/i,
    reason: 'TICKET_EXPIRED',
    text: () => 'the Kerberos ticket has expired',
    advice: (c) => (c.keytab ? kinitAdvice(c) : `Run "kinit ${c.principal ?? 'user@REALM'}" again (or "kinit -R" while it is renewable).`),
  },
  {
    test: /server (principal )?not found|server .* not found in kerberos database|unknown server principal|S_PRINCIPAL_UNKNOWN/i,
    reason: 'UNKNOWN_SPN',
    text: (c) => `the KDC does not know the service principal ${c.spn}`,
    advice: () =>
      'Give the DC\'s DNS name with --spn-host (the rootDSE dnsHostName; "setspn -L <DC>" lists its SPNs), or connect by that name in --server. ' +
      'A DC registers ldap/<its DNS name> itself; an alias or load-balancer name needs its own SPN.',
  },
  {
    test: /cannot (contact|find) (any )?KDC|unable to reach any KDC|cannot resolve network address for KDC|Cannot find KDC for realm/i,
    reason: 'KDC_UNREACHABLE',
    text: () => 'no Kerberos KDC could be reached for the realm',
    advice: () =>
      'Check krb5.conf (KRB5_CONFIG): [realms] <REALM> kdc = <DC>, or DNS SRV records _kerberos._tcp.<domain> with dns_lookup_kdc = true; TCP/UDP port 88 must be reachable.',
  },
  {
    test: /client .* not found in kerberos database|client not found/i,
    reason: 'KERBEROS_CLIENT_UNKNOWN',
    text: (c) => `the KDC does not know the client principal ${who(c)}`,
    advice: () => 'Check the principal in --user (sAMAccountName@REALM, realm in upper case).',
  },
  {
    test: /key table entry not found|no key table entry|key table file .* not found|no suitable keys/i,
    reason: 'KEYTAB_NO_ENTRY',
    text: (c) => `the keytab ${c.keytab ?? ''} has no usable key for ${who(c)}`.replace('  ', ' '),
    advice: (c) => `List it with "klist -k ${c.keytab ?? 'FILE'}"; the principal in --user must match an entry exactly (realm in upper case).`,
  },
  {
    test: /preauthentication failed|password incorrect|integrity check on decrypted field failed/i,
    reason: 'KEYTAB_STALE',
    text: (c) => `the KDC rejected the keys for ${who(c)}`,
    advice: (c) => `The keytab ${c.keytab ?? ''} is out of date (the password changed since it was made, or its salt/kvno is wrong): make it again.`,
  },
  {
    test: /no kerberos credentials|no credentials cache|credentials cache .*not found|can't find client principal .* in cache|no credentials were supplied|not found in cache collection/i,
    reason: 'NO_TICKET',
    text: (c) => (c.principal ? `no Kerberos ticket for ${c.principal}` : 'no Kerberos ticket (the credentials cache is empty or missing)'),
    advice: kinitAdvice,
  },
];

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** Maps a failure of a Kerberos bind; returns undefined when it is not one of ours (then mapLdapError). */
export function mapKerberosError(e: unknown, c: KerberosErrorContext): UserError | undefined {
  if (e instanceof UserError) return e;
  if (e instanceof GssError) {
    let rule = GSS_RULES.find((r) => r.test.test(e.message));
    // with a keytab, "no credentials" means the keytab has no entry for the principal
    if (rule?.reason === 'NO_TICKET' && c.keytab) rule = GSS_RULES.find((r) => r.reason === 'KEYTAB_NO_ENTRY');
    if (rule) return new UserError(`Kerberos bind to ${c.host}:${c.port} failed: ${rule.text(c)}`, ExitCode.CONNECTION, { reason: rule.reason, advice: rule.advice(c), cause: e });
    return new UserError(`Kerberos bind to ${c.host}:${c.port} failed: ${firstLine(e.message)}`, ExitCode.CONNECTION, {
      reason: 'KERBEROS_FAILURE',
      advice: `Check "klist", krb5.conf (KRB5_CONFIG) and the service principal ${c.spn} (--spn-host).`,
      cause: e,
    });
  }
  if (e instanceof SaslBindFailure) {
    const msg = firstLine(e.message);
    if (/80090346|channel binding/i.test(msg)) {
      return new UserError(`the domain controller requires LDAP channel binding tokens, which this Kerberos library cannot send (${msg})`, ExitCode.CONNECTION, {
        reason: 'CHANNEL_BINDING_REQUIRED',
        advice:
          'Bind with --user and a password over LDAPS (simple binds are not subject to channel binding), or set the DC policy ' +
          '"Domain controller: LDAP server channel binding token requirements" to "When supported".',
        cause: e,
      });
    }
    if (e.code === 49) {
      return new UserError(`the domain controller refused the Kerberos bind for ${who(c)} (${msg})`, ExitCode.CONNECTION, {
        reason: 'KERBEROS_REJECTED',
        advice: `Check that the ticket is for ${c.spn} in this domain ("klist" after a try) and that the account may log on.`,
        cause: e,
      });
    }
    if (e.code === 7) {
      return new UserError(`the server does not accept SASL GSSAPI binds (${msg})`, ExitCode.CONNECTION, {
        reason: 'GSSAPI_UNSUPPORTED',
        advice: 'Check that the server is an Active Directory domain controller; otherwise bind with --user and a password.',
        cause: e,
      });
    }
    return undefined; // 8/13/50...: the LDAP mapping knows those
  }
  if (e instanceof SaslProtocolError) {
    return new UserError(`Kerberos bind to ${c.host}:${c.port} failed: ${e.message}`, ExitCode.CONNECTION, {
      reason: e.reason,
      advice:
        e.reason === 'SASL_LAYER_REQUIRED'
          ? 'Inside LDAPS/StartTLS only the "no security layer" choice works; check the DC\'s LDAP signing settings, or bind with --user and a password.'
          : 'Retry; if it persists, report it with the DC\'s version.',
      cause: e,
    });
  }
  return undefined;
}
