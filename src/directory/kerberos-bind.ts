/**
 * SASL GSSAPI bind on an ldapts 8.2 Client. ldapts sends one BindRequest and throws on
 * saslBindInProgress (14) without the server's token, so each round goes through its private
 * request path with our SaslBindRequest, and the raw response frame is read off the socket
 * alongside ldapts' own parser (ldapts is pinned to 8.2.0; the lab tests check these internals).
 */
import { isIP, type Socket } from 'node:net';
import type { BindRequest, Client } from 'ldapts';
import { gssapiSaslBind, type BindRoundTrip } from './gssapi-sasl.js';
import { FrameCollector, SaslBindRequest } from './sasl-bind-messages.js';
import { openGssClient, type KerberosBindOptions } from './kerberos-gss.js';
import { mapKerberosError } from './kerberos-errors.js';

interface ClientInternals {
  socket?: Socket;
  _send(message: BindRequest): Promise<unknown>;
  _nextMessageId(): number;
}

/** One bind round on ldapts' connection. */
export function ldaptsBindRoundTrip(client: Client, mechanism: string): BindRoundTrip {
  const internals = client as unknown as ClientInternals;
  return async (credentials) => {
    const socket = internals.socket;
    if (!socket || !client.isConnected) throw Object.assign(new Error('Connection closed before the bind'), { code: 'ECONNRESET' });
    const frames = new FrameCollector();
    const onData = (chunk: Buffer) => frames.push(chunk);
    // ldapts' data listener came first; ours sees the same bytes before its promise resolves
    socket.on('data', onData);
    try {
      const messageId = internals._nextMessageId();
      await internals._send(new SaslBindRequest(messageId, mechanism, credentials));
      const result = frames.take(messageId);
      if (!result) throw new Error(`no bind response for message ${messageId} could be read${frames.error ? `: ${frames.error.message}` : ''}`);
      return result;
    } finally {
      socket.off('data', onData);
    }
  };
}

export interface KerberosBindResult {
  principal: string;
  spn: string;
}

/**
 * Binds with Kerberos. The service principal is ldap/<host>: --spn-host, else the URL's host
 * name, else (the URL is an address) the rootDSE dnsHostName, read anonymously first.
 */
export async function kerberosBind(client: Client, o: KerberosBindOptions, urlHost: string, port: number): Promise<KerberosBindResult> {
  // connects (ldapts connects lazily) and names the DC; AD lets anyone read the rootDSE
  const root = await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['dnsHostName'] });
  const dnsHostName = String(root.searchEntries[0]?.dnsHostName ?? '');
  const host = o.spnHost ?? (isIP(urlHost) ? dnsHostName : urlHost);
  const spn = `ldap/${host || urlHost}`;
  const errorContext = { spn, host: urlHost, port, ...(o.principal ? { principal: o.principal } : {}), ...(o.keytab ? { keytab: o.keytab } : {}) };
  try {
    const gss = await openGssClient(o, host || urlHost);
    const outcome = await gssapiSaslBind(gss, ldaptsBindRoundTrip(client, 'GSSAPI'));
    return { principal: outcome.principal, spn };
  } catch (e) {
    throw mapKerberosError(e, errorContext) ?? e;
  }
}
