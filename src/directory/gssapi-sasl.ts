/**
 * The SASL GSSAPI mechanism (RFC 4752) as a small state machine over two interfaces: a GSS
 * client context (the `kerberos` binding in production, a recorded one in unit tests) and one
 * bind round trip (ldapts in production, recorded frames in unit tests).
 *
 * Rounds: the client's context tokens go out until the context is complete (resultCode 14,
 * saslBindInProgress, in between); then the server sends a wrapped 4-byte offer (supported
 * security layers, maximum buffer size) and the client answers with a wrapped choice. Over TLS
 * the only layer AD and Samba accept is "none" (no signing or sealing inside TLS).
 */
import { SASL_BIND_IN_PROGRESS, type BindResult } from './sasl-bind-messages.js';

export interface GssClient {
  /** One gss_init_sec_context round: the server's token in (empty at first), ours out (may be empty). */
  step(serverToken: Buffer): Promise<Buffer>;
  /** True once the security context is established. */
  readonly complete: boolean;
  unwrap(token: Buffer): Promise<Buffer>;
  /** gss_wrap without confidentiality (the security layer message needs integrity only). */
  wrap(message: Buffer): Promise<Buffer>;
  /** The client principal (user@REALM), known once complete. */
  readonly principal: string;
}

/** Sends one SASL bind request with these credentials (undefined: none) and returns the response. */
export type BindRoundTrip = (credentials: Buffer | undefined) => Promise<BindResult>;

/** The server ended the bind with a result other than success (its code and diagnostic message). */
export class SaslBindFailure extends Error {
  readonly code: number;
  constructor(result: BindResult, stage: string) {
    super(result.errorMessage || `bind failed with LDAP result ${result.status} ${stage}`);
    this.name = 'SaslBindFailure';
    this.code = result.status;
  }
}

/** The exchange broke the protocol (an offer of the wrong size, no layer we can use, too many rounds). */
export class SaslProtocolError extends Error {
  readonly reason: string;
  constructor(message: string, reason: string) {
    super(message);
    this.name = 'SaslProtocolError';
    this.reason = reason;
  }
}

const LAYER_NONE = 1;
const MAX_CONTEXT_ROUNDS = 8;

export interface GssapiBindOutcome {
  principal: string;
  /** Round trips the bind took (for the README's figures and the tests). */
  rounds: number;
  /** The security layers the server offered (bitmask: 1 none, 2 integrity, 4 confidentiality). */
  offeredLayers: number;
}

export async function gssapiSaslBind(gss: GssClient, roundTrip: BindRoundTrip): Promise<GssapiBindOutcome> {
  let rounds = 0;
  const send = async (credentials: Buffer | undefined, stage: string): Promise<BindResult> => {
    rounds++;
    const result = await roundTrip(credentials);
    if (result.status !== SASL_BIND_IN_PROGRESS && result.status !== 0) throw new SaslBindFailure(result, stage);
    return result;
  };

  let result = await send(await gss.step(Buffer.alloc(0)), 'on the first Kerberos token');
  while (!gss.complete) {
    if (result.status === 0) throw new SaslProtocolError('the server accepted the bind before the Kerberos context was complete', 'SASL_PROTOCOL');
    if (rounds >= MAX_CONTEXT_ROUNDS) throw new SaslProtocolError(`the Kerberos context was not complete after ${rounds} rounds`, 'SASL_PROTOCOL');
    const token = await gss.step(result.serverSaslCreds ?? Buffer.alloc(0));
    result = await send(token, 'while establishing the Kerberos context');
  }
  if (result.status === 0) return { principal: gss.principal, rounds, offeredLayers: 0 };

  // the context is complete: the server's next message is the wrapped security layer offer
  if (!result.serverSaslCreds?.length) result = await send(Buffer.alloc(0), 'after the Kerberos context');
  if (result.status === 0) return { principal: gss.principal, rounds, offeredLayers: 0 };
  const offer = await gss.unwrap(result.serverSaslCreds ?? Buffer.alloc(0));
  if (offer.length !== 4) throw new SaslProtocolError(`the server's security layer offer has ${offer.length} bytes, not 4`, 'SASL_PROTOCOL');
  const offeredLayers = offer[0]!;
  if ((offeredLayers & LAYER_NONE) === 0) {
    throw new SaslProtocolError(
      `the server offers only SASL signing/sealing (layers 0x${offeredLayers.toString(16)}), which cannot be used inside TLS`,
      'SASL_LAYER_REQUIRED',
    );
  }
  // layer "none", maximum buffer 0, no authorization identity (act as the authenticated principal)
  const choice = Buffer.from([LAYER_NONE, 0, 0, 0]);
  result = await send(await gss.wrap(choice), 'on the security layer choice');
  if (result.status !== 0) throw new SaslProtocolError('the server wanted another round after the security layer choice', 'SASL_PROTOCOL');
  return { principal: gss.principal, rounds, offeredLayers };
}
