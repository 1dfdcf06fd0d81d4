/**
 * Turns what ldapts and Node's sockets throw into UserErrors an administrator can act on
 * (exit 4 for connection/TLS/authentication, 6 for missing rights). Messages never carry
 * the password or any attribute value.
 */
import { ExitCode, UserError } from '../errors.js';

/** AD's sub-codes in "AcceptSecurityContext error, data 52e" (invalid credentials). */
const BIND_SUBCODES: Record<string, { reason: string; text: string; advice: string }> = {
  '525': { reason: 'USER_NOT_FOUND', text: 'the account does not exist', advice: 'Check the user name (UPN, DOMAIN\\name or DN).' },
  '52e': { reason: 'WRONG_PASSWORD', text: 'wrong user name or password', advice: 'Check the password source (LAPS_MIGRATE_PASSWORD, --password-file or the prompt).' },
  '530': { reason: 'LOGON_HOURS', text: 'logon not permitted at this time', advice: 'The account has logon-hour restrictions.' },
  '531': { reason: 'WORKSTATION_RESTRICTED', text: 'logon not permitted from this workstation', advice: 'The account has workstation restrictions (userWorkstations).' },
  '532': { reason: 'PASSWORD_EXPIRED', text: 'the password has expired', advice: 'Change the account password, then retry.' },
  '533': { reason: 'ACCOUNT_DISABLED', text: 'the account is disabled', advice: 'Enable the account or use another one.' },
  '701': { reason: 'ACCOUNT_EXPIRED', text: 'the account has expired', advice: 'Extend the account expiry (accountExpires) or use another account.' },
  '773': { reason: 'MUST_CHANGE_PASSWORD', text: 'the password must be changed before first use', advice: 'Log on interactively once and set a new password, then retry.' },
  '775': { reason: 'ACCOUNT_LOCKED', text: 'the account is locked out', advice: 'Wait for the lockout to expire or have it unlocked; repeated retries keep it locked.' },
};

export interface ErrorContext {
  url: string;
  host: string;
  port: number;
  user?: string;
  /** Names in the server certificate, when the TLS handshake got that far. */
  certificateNames?: string[];
  operation?: string;
}

function codeOf(e: unknown): string | undefined {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') return (e as { code: string }).code;
  return undefined;
}

function ldapCodeOf(e: unknown): number | undefined {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'number') return (e as { code: number }).code;
  return undefined;
}

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Maps a failure while connecting / binding to a UserError; returns the input unchanged if it is not one we know. */
export function mapLdapError(e: unknown, ctx: ErrorContext): unknown {
  if (e instanceof UserError) return e;
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  const where = `${ctx.host}:${ctx.port}`;

  if (code === 'ECONNREFUSED') {
    return new UserError(`cannot connect to ${where}: connection refused`, ExitCode.CONNECTION, {
      reason: 'CONNECTION_REFUSED',
      advice: 'Is the domain controller up and listening? LDAPS uses port 636, LDAP/StartTLS port 389.',
      cause: e,
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new UserError(`cannot resolve host name ${ctx.host}`, ExitCode.CONNECTION, {
      reason: 'DNS_FAILURE',
      advice: 'Check the --server name and this machine\'s DNS resolver.',
      cause: e,
    });
  }
  if (code === 'ETIMEDOUT' || /Connection timeout|timed? ?out/i.test(message)) {
    return new UserError(`no answer from ${where} (timed out)`, ExitCode.CONNECTION, {
      reason: 'TIMEOUT',
      advice: 'Check that the port is reachable through firewalls, or raise --timeout.',
      cause: e,
    });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up|Socket error|Connection closed/i.test(message)) {
    return new UserError(`the connection to ${where} was closed${ctx.operation ? ` during ${ctx.operation}` : ''}`, ExitCode.CONNECTION, {
      reason: 'CONNECTION_LOST',
      advice: 'The server dropped the connection. If this was ldaps:// to a server without LDAPS, try ldap:// with --starttls.',
      cause: e,
    });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = ctx.certificateNames?.length ? ctx.certificateNames.join(', ') : 'none that could be read';
    return new UserError(
      `TLS certificate name mismatch: connected to "${ctx.host}" but the certificate is for: ${names}`,
      ExitCode.CONNECTION,
      { reason: 'TLS_NAME_MISMATCH', advice: 'Use one of the certificate\'s names in --server, or fix the DC certificate.', cause: e },
    );
  }
  if (code && TLS_TRUST_CODES.has(code)) {
    return new UserError(`TLS certificate of ${where} is not trusted (${code})`, ExitCode.CONNECTION, {
      reason: 'TLS_UNTRUSTED',
      advice: 'Pass the issuing CA with --ca-file PEM (the lab writes one), or install it in the system store.',
      cause: e,
    });
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new UserError(`TLS certificate of ${where} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'}`, ExitCode.CONNECTION, {
      reason: 'TLS_CERT_DATES',
      advice: 'Renew the DC certificate or check this machine\'s clock.',
      cause: e,
    });
  }
  if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS') || /wrong version number|SSL routines/i.test(message)) {
    return new UserError(`TLS handshake with ${where} failed (${code ?? 'protocol error'})`, ExitCode.CONNECTION, {
      reason: 'TLS_FAILURE',
      advice: 'For ldap:// use --starttls; for ldaps:// make sure the port speaks TLS (636).',
      cause: e,
    });
  }
  const ldapCode = ldapCodeOf(e);
  if (ldapCode === 49) {
    const sub = /data ([0-9a-f]{3})/i.exec(message)?.[1]?.toLowerCase();
    const known = sub ? BIND_SUBCODES[sub] : undefined;
    const who = ctx.user ? ` for ${ctx.user}` : '';
    return new UserError(`authentication failed${who}: ${known ? known.text : 'invalid credentials'}${sub ? ` (AD data ${sub})` : ''}`, ExitCode.CONNECTION, {
      reason: known?.reason ?? 'INVALID_CREDENTIALS',
      advice: known?.advice ?? 'Check the user name and password.',
      cause: e,
    });
  }
  if (ldapCode === 8 || ldapCode === 13 || /strong(er)? auth|Transport encryption required|confidentiality required/i.test(message)) {
    return new UserError(`the server requires a protected connection for this bind (${message.split('\n')[0]})`, ExitCode.CONNECTION, {
      reason: 'STRONG_AUTH_REQUIRED',
      advice: 'Use ldaps:// (default) or ldap:// with --starttls.',
      cause: e,
    });
  }
  if (ldapCode === 50) {
    return new UserError(`access denied${ctx.operation ? ` while ${ctx.operation}` : ''}: the bound account lacks the rights`, ExitCode.ACCESS_DENIED, {
      reason: 'INSUFFICIENT_RIGHTS',
      advice: 'Run as an account with the rights this step needs (the plan says which).',
      cause: e,
    });
  }
  return e;
}
