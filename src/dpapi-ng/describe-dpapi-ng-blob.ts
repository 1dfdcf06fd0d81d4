/** What can be learned from a DPAPI-NG blob without any key (for `dpapi-ng inspect` and reports). */
import type { DpapiNgBlob } from './dpapi-ng-blob.js';
import { groupKeyStartTime } from './group-key-id.js';
import { parsePublicKeyBlob } from './public-key-blob.js';

export type BlobKeyKind = 'nonce' | 'DH' | 'ECDH_P256' | 'ECDH_P384' | 'ECDH_P521';

export interface DpapiNgBlobSummary {
  rootKeyId: string;
  l0: number;
  l1: number;
  l2: number;
  /** Start of the 10-hour key period (the blob was made at or after it); null when beyond any date. */
  keyPeriodStart: string | null;
  protectionDescriptor: string;
  sid: string;
  /** How the KEK is derived: from a nonce, or by key agreement with the sender's public key. */
  keyKind: BlobKeyKind;
  domainName: string;
  forestName: string;
  contentPlacement: 'embedded' | 'detached';
  derLength: number;
  /** Ciphertext plus 16-byte tag. */
  encryptedContentLength: number;
}

export function describeDpapiNgBlob(blob: DpapiNgBlob): DpapiNgBlobSummary {
  const ki = blob.keyIdentifier;
  const start = groupKeyStartTime(ki);
  let keyKind: BlobKeyKind = 'nonce';
  if (ki.isPublicKey) {
    const pk = parsePublicKeyBlob(ki.keyInfo);
    keyKind = pk.kind === 'DH' ? 'DH' : pk.curve === 'P-256' ? 'ECDH_P256' : pk.curve === 'P-384' ? 'ECDH_P384' : 'ECDH_P521';
  }
  return {
    rootKeyId: ki.rootKeyId,
    l0: ki.l0,
    l1: ki.l1,
    l2: ki.l2,
    keyPeriodStart: Number.isNaN(start.getTime()) ? null : start.toISOString(),
    protectionDescriptor: `SID=${blob.sid}`,
    sid: blob.sid,
    keyKind,
    domainName: ki.domainName,
    forestName: ki.forestName,
    contentPlacement: blob.contentPlacement,
    derLength: blob.derLength,
    encryptedContentLength: blob.encryptedContent.length,
  };
}
