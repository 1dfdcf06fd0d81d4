/**
 * The two LDAP messages of a multi-step SASL bind (RFC 4511 4.2), as bytes: a BindRequest whose
 * SASL credentials are binary (ldapts 8.2 writes them as a UTF-8 string), and the BindResponse
 * with its serverSaslCreds ([7], which ldapts decodes as UTF-8 and so mangles). Pure: unit-tested
 * on frames recorded from the lab DC.
 */
import { BerReader, BindRequest, ProtocolOperation, type BerWriter } from 'ldapts';

/** resultCode saslBindInProgress: the server wants another round. */
export const SASL_BIND_IN_PROGRESS = 14;

/** A SASL BindRequest carrying binary credentials (absent when undefined). */
export class SaslBindRequest extends BindRequest {
  declare readonly credentials: Buffer | undefined;

  constructor(messageId: number, mechanism: string, credentials: Buffer | undefined) {
    super({ messageId, mechanism });
    // not enumerable: ldapts' debug log serialises the request, and the token has no place there
    Object.defineProperty(this, 'credentials', { value: credentials, enumerable: false });
  }

  override writeMessage(writer: BerWriter): void {
    writer.writeInt(this.version);
    writer.writeString('');
    writer.startSequence(ProtocolOperation.LDAP_REQ_BIND_SASL);
    writer.writeString(this.mechanism ?? '');
    if (this.credentials) writer.writeBuffer(this.credentials, 0x04);
    writer.endSequence();
  }
}

export function encodeSaslBindRequest(messageId: number, mechanism: string, credentials: Buffer | undefined): Buffer {
  return new SaslBindRequest(messageId, mechanism, credentials).write();
}

export interface BindResult {
  messageId: number;
  /** LDAP resultCode: 0 success, 14 in progress, 49 invalid credentials, ... */
  status: number;
  errorMessage: string;
  /** serverSaslCreds, when the server sent any. */
  serverSaslCreds?: Buffer;
}

/** Bytes of the first complete BER element in `data`, or undefined when more bytes are needed. */
export function completeFrameLength(data: Buffer): number | undefined {
  if (data.length < 2) return undefined;
  const first = data[1]!;
  if (first < 0x80) return 2 + first <= data.length ? 2 + first : undefined;
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new Error(`LDAP frame with an unsupported length form (0x${first.toString(16)})`);
  if (data.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + data[2 + i]!;
  const total = 2 + n + len;
  return total <= data.length ? total : undefined;
}

/** Parses one LDAPMessage; returns undefined when it is not a BindResponse. */
export function parseBindResponseFrame(frame: Buffer): BindResult | undefined {
  const reader = new BerReader(frame);
  reader.readSequence();
  const messageId = reader.readInt();
  if (messageId === null) throw new Error('LDAP frame without a message id');
  const op = reader.readSequence();
  if (op !== ProtocolOperation.LDAP_RES_BIND) return undefined;
  const end = reader.offset + reader.length;
  const status = reader.readEnumeration() ?? -1;
  reader.readString(); // matchedDN
  const errorMessage = reader.readString() ?? '';
  const result: BindResult = { messageId, status, errorMessage };
  while (reader.offset < end) {
    const tag = reader.peek();
    if (tag === 0x87) {
      result.serverSaslCreds = Buffer.from(reader.readString(0x87, true) ?? Buffer.alloc(0));
    } else {
      break; // a referral ([3]) or controls: nothing a bind in progress needs
    }
  }
  return result;
}

/** Splits a byte stream into LDAPMessages and keeps the bind responses among them. */
export class FrameCollector {
  private pending: Buffer = Buffer.alloc(0);
  readonly bindResults: BindResult[] = [];
  /** Set when the stream could not be parsed; it runs in a socket listener, so it must not throw. */
  error: Error | undefined;

  push(chunk: Buffer): void {
    if (this.error) return;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    try {
      for (;;) {
        const len = completeFrameLength(this.pending);
        if (len === undefined) return;
        const frame = this.pending.subarray(0, len);
        this.pending = this.pending.subarray(len);
        const parsed = parseBindResponseFrame(frame);
        if (parsed) this.bindResults.push(parsed);
      }
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
    }
  }

  take(messageId: number): BindResult | undefined {
    const i = this.bindResults.findIndex((r) => r.messageId === messageId);
    return i < 0 ? undefined : this.bindResults.splice(i, 1)[0];
  }
}
