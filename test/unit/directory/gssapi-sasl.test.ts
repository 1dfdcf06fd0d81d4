import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BerReader } from 'ldapts';
import { gssapiSaslBind, SaslBindFailure, SaslProtocolError, type BindRoundTrip, type GssClient } from '../../../src/directory/gssapi-sasl.js';
import { completeFrameLength, encodeSaslBindRequest, FrameCollector, parseBindResponseFrame, type BindResult } from '../../../src/directory/sasl-bind-messages.js';
import { mapKerberosError } from '../../../src/directory/kerberos-errors.js';
import { UserError } from '../../../src/errors.js';

interface Recording {
  transport: string;
  spn: string;
  outcome: { principal: string; rounds: number; offeredLayers: number };
  bindRequests: string[];
  bindResponses: string[];
  gssCalls: Array<{ call: 'step' | 'unwrap' | 'wrap'; input: string; output: string; completeAfter?: boolean }>;
}

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'kerberos');
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Recording;
const hex = (s: string) => Buffer.from(s, 'hex');

/** A GSS context that plays back the recorded calls and fails on any other input. */
function recordedGss(rec: Recording): GssClient & { calls: number } {
  let i = 0;
  let complete = false;
  const next = (call: string, input: Buffer) => {
    const c = rec.gssCalls[i++];
    expect(c?.call).toBe(call);
    expect(input.toString('hex')).toBe(c!.input);
    if (c!.completeAfter !== undefined) complete = c!.completeAfter;
    return hex(c!.output);
  };
  return {
    get calls() {
      return i;
    },
    step: async (t) => next('step', t),
    unwrap: async (t) => next('unwrap', t),
    wrap: async (t) => next('wrap', t),
    get complete() {
      return complete;
    },
    principal: rec.outcome.principal,
  };
}

/** Checks each request against the recorded bytes and answers with the recorded frame, in 7-byte chunks. */
function recordedServer(rec: Recording): BindRoundTrip & { rounds: () => number } {
  let round = 0;
  const trip = async (credentials: Buffer | undefined): Promise<BindResult> => {
    const recorded = hex(rec.bindRequests[round]!);
    const messageId = readMessageId(recorded);
    expect(encodeSaslBindRequest(messageId, 'GSSAPI', credentials).toString('hex')).toBe(rec.bindRequests[round]);
    const frames = new FrameCollector();
    const response = hex(rec.bindResponses[round]!);
    for (let o = 0; o < response.length; o += 7) frames.push(response.subarray(o, o + 7));
    round++;
    const result = frames.take(messageId);
    expect(result).toBeDefined();
    return result!;
  };
  return Object.assign(trip, { rounds: () => round });
}

function readMessageId(frame: Buffer): number {
  const r = new BerReader(frame);
  r.readSequence();
  return r.readInt()!;
}

describe('SASL GSSAPI bind replayed from recorded lab exchanges', () => {
  for (const name of ['bind-ldaps.json', 'bind-starttls.json']) {
    it(`${name}: same request bytes, same three rounds, principal and offered layers`, async () => {
      const rec = load(name);
      const gss = recordedGss(rec);
      const server = recordedServer(rec);
      const outcome = await gssapiSaslBind(gss, server);
      expect(outcome).toEqual(rec.outcome);
      expect(outcome.rounds).toBe(3);
      expect(outcome.offeredLayers & 1).toBe(1); // "no security layer" is on offer
      expect(server.rounds()).toBe(rec.bindRequests.length);
      expect(gss.calls).toBe(rec.gssCalls.length);
      // the choice sent was layer "none", maximum buffer 0, no authorization identity
      expect(rec.gssCalls.find((c) => c.call === 'wrap')?.input).toBe('01000000');
    });
  }

  it('reads the recorded responses: 14 with the AP-REP, 14 with the wrapped offer, then 0', () => {
    const rec = load('bind-ldaps.json');
    const parsed = rec.bindResponses.map((r) => parseBindResponseFrame(hex(r))!);
    expect(parsed.map((p) => p.status)).toEqual([14, 14, 0]);
    expect(parsed[0]!.serverSaslCreds!.toString('hex')).toBe(rec.gssCalls[1]!.input);
    expect(parsed[1]!.serverSaslCreds!.toString('hex')).toBe(rec.gssCalls[2]!.input);
    expect(parsed[2]!.serverSaslCreds?.length ?? 0).toBe(0);
  });
});

describe('SASL bind messages', () => {
  it('encodes a BindRequest with binary SASL credentials that decode back', () => {
    const creds = Buffer.from([0x00, 0xff, 0x80, 0xc3, 0x28, 0x60]); // not valid UTF-8
    const frame = encodeSaslBindRequest(9, 'GSSAPI', creds);
    const r = new BerReader(frame);
    r.readSequence();
    expect(r.readInt()).toBe(9);
    expect(r.readSequence()).toBe(0x60);
    expect(r.readInt()).toBe(3);
    expect(r.readString()).toBe('');
    expect(r.readSequence()).toBe(0xa3);
    expect(r.readString()).toBe('GSSAPI');
    expect(r.readString(0x04, true)).toEqual(creds);
    // without credentials, the field is left out
    const bare = encodeSaslBindRequest(10, 'GSSAPI', undefined);
    expect(bare.length).toBe(frame.length - creds.length - 2);
  });

  it('finds frame boundaries with short and long BER lengths, and waits for missing bytes', () => {
    expect(completeFrameLength(Buffer.from([0x30]))).toBeUndefined();
    expect(completeFrameLength(Buffer.from([0x30, 0x03, 1, 2]))).toBeUndefined();
    expect(completeFrameLength(Buffer.from([0x30, 0x02, 1, 2, 9]))).toBe(4);
    const long = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), Buffer.alloc(256)]);
    expect(completeFrameLength(long)).toBe(260);
    expect(completeFrameLength(long.subarray(0, 200))).toBeUndefined();
    expect(() => completeFrameLength(Buffer.from([0x30, 0x80]))).toThrow(/length form/);
  });

  it('keeps only bind responses and splits frames that arrive together', () => {
    const rec = load('bind-ldaps.json');
    const search = Buffer.from('300c02010265070a010004000400', 'hex'); // a SearchResultDone
    const frames = new FrameCollector();
    frames.push(Buffer.concat([search, hex(rec.bindResponses[0]!), hex(rec.bindResponses[1]!)]));
    expect(frames.bindResults.map((b) => b.status)).toEqual([14, 14]);
    expect(frames.take(999)).toBeUndefined();
  });

  it('a malformed stream is recorded, never thrown (it is parsed inside a socket listener)', () => {
    const frames = new FrameCollector();
    expect(() => frames.push(Buffer.from([0x30, 0x85, 1, 2, 3, 4, 5, 6]))).not.toThrow();
    expect(frames.error?.message).toMatch(/length form/);
    frames.push(Buffer.from('300c02010265070a010004000400', 'hex'));
    expect(frames.bindResults).toHaveLength(0);
  });
});

/** A scripted server: each answer is [status, diagnostic, serverSaslCreds]. */
function scripted(answers: Array<[number, string, Buffer?]>): BindRoundTrip {
  let i = 0;
  return async () => {
    const [status, errorMessage, creds] = answers[Math.min(i, answers.length - 1)]!;
    i++;
    return { messageId: i, status, errorMessage, ...(creds ? { serverSaslCreds: creds } : {}) };
  };
}

function fakeGss(opts: { completeAfterSteps: number; offer?: Buffer }): GssClient {
  let steps = 0;
  return {
    step: async () => {
      steps++;
      return Buffer.from('token');
    },
    get complete() {
      return steps >= opts.completeAfterSteps;
    },
    unwrap: async () => opts.offer ?? Buffer.from([7, 0, 0, 0]),
    wrap: async (b) => b,
    principal: 'alice@LAB.TEST',
  };
}

const kctx = { spn: 'ldap/dc1.lab.test', host: 'dc1.lab.test', port: 636 };

function decoded(e: unknown): UserError {
  const u = mapKerberosError(e, kctx);
  expect(u).toBeInstanceOf(UserError);
  return u!;
}

describe('SASL GSSAPI failures', () => {
  it('a DC enforcing channel binding (AD data 80090346): exit 4, advice to bind simply over LDAPS', async () => {
    const msg = '80090346: LdapErr: DSID-0C0906B5, comment: AcceptSecurityContext error, data 80090346, v4563';
    const e = await gssapiSaslBind(fakeGss({ completeAfterSteps: 2 }), scripted([[49, msg]])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SaslBindFailure);
    const u = decoded(e);
    expect(u.exitCode).toBe(4);
    expect(u.reason).toBe('CHANNEL_BINDING_REQUIRED');
    expect(u.advice).toMatch(/--user and a password over LDAPS/);
  });

  it('an offer without the "no layer" choice is refused, naming the layers', async () => {
    const e = await gssapiSaslBind(fakeGss({ completeAfterSteps: 1, offer: Buffer.from([6, 0, 0x10, 0]) }), scripted([[14, '', Buffer.from('offer')]])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SaslProtocolError);
    expect(decoded(e)).toMatchObject({ exitCode: 4, reason: 'SASL_LAYER_REQUIRED' });
    expect(String((e as Error).message)).toMatch(/layers 0x6/);
  });

  it('an offer of the wrong size and a server that never finishes are protocol errors, not hangs', async () => {
    const badOffer = await gssapiSaslBind(fakeGss({ completeAfterSteps: 1, offer: Buffer.from([1, 0]) }), scripted([[14, '', Buffer.from('x')]])).catch((x: unknown) => x);
    expect(decoded(badOffer).reason).toBe('SASL_PROTOCOL');
    const endless = await gssapiSaslBind(fakeGss({ completeAfterSteps: 1000 }), scripted([[14, '', Buffer.from('more')]])).catch((x: unknown) => x);
    expect(String((endless as Error).message)).toMatch(/not complete after 8 rounds/);
  });

  it('a context that completes on the first step still negotiates the layer (no mutual authentication)', async () => {
    const sent: Array<Buffer | undefined> = [];
    const server = scripted([[14, '', Buffer.from('offer')], [0, '']]);
    const outcome = await gssapiSaslBind(fakeGss({ completeAfterSteps: 1 }), async (c) => {
      sent.push(c);
      return server(c);
    });
    expect(outcome).toEqual({ principal: 'alice@LAB.TEST', rounds: 2, offeredLayers: 7 });
    expect(sent[1]).toEqual(Buffer.from([1, 0, 0, 0]));
  });

  it('other LDAP results are left to the LDAP error mapping (strong auth, access)', async () => {
    const e = await gssapiSaslBind(fakeGss({ completeAfterSteps: 1 }), scripted([[8, 'Strong(er) authentication required']])).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 8 });
    expect(mapKerberosError(e, kctx)).toBeUndefined();
  });
});
