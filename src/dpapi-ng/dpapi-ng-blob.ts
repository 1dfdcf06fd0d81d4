/**
 * The DPAPI-NG blob as Windows (NCryptProtectSecret) writes it: a CMS ContentInfo holding
 * EnvelopedData v2 with exactly one KEKRecipientInfo v4 (RFC 5652):
 *
 *   ContentInfo { contentType envelopedData, [0] EXPLICIT EnvelopedData {
 *     version 2,
 *     recipientInfos SET { [2] KEKRecipientInfo {
 *       version 4,
 *       kekid { keyIdentifier OCTET STRING (KDSK key identifier),
 *               other { 1.3.6.1.4.1.311.74.1, { 1.3.6.1.4.1.311.74.1.1, {{{ "SID", "S-1-..." }}} } } },
 *       keyEncryptionAlgorithm { aes256-wrap 2.16.840.1.101.3.4.1.45 },
 *       encryptedKey OCTET STRING (40 bytes: a wrapped 32-byte CEK) } },
 *     encryptedContentInfo { contentType data, { aes256-GCM 2.16.840.1.101.3.4.1.46, { nonce(12), ICVlen 16 } },
 *       [0] IMPLICIT encryptedContent OPTIONAL } } }
 *
 * The encrypted content (ciphertext || 16-byte GCM tag) is either inside the DER ("embedded") or
 * appended right after it ("detached", as Windows LAPS writes msLAPS-Encrypted* values).
 * Parsing is strict: anything else is a DpapiNgFormatError.
 */
import { DerReader, DerTag, contextTag } from './der-reader.js';
import { derInteger, derOctetString, derOid, derSequence, derSet, derTlv, derUtf8String } from './der-writer.js';
import { DpapiNgFormatError } from './errors.js';
import { parseKeyIdentifier, serializeKeyIdentifier, type KeyIdentifier } from './key-identifier.js';
import { canonicalSid, isCanonicalSid } from '../dtyp/sid.js';

export const OID = {
  ENVELOPED_DATA: '1.2.840.113549.1.7.3',
  DATA: '1.2.840.113549.1.7.1',
  PROTECTION_DESCRIPTOR: '1.3.6.1.4.1.311.74.1',
  PROTECTION_DESCRIPTOR_CONTENT: '1.3.6.1.4.1.311.74.1.1',
  AES256_WRAP: '2.16.840.1.101.3.4.1.45',
  AES256_GCM: '2.16.840.1.101.3.4.1.46',
} as const;

export const GCM_NONCE_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;
/** RFC 3394 wrap of a 32-byte AES-256 content-encryption key. */
export const WRAPPED_CEK_LENGTH = 40;

export type ContentPlacement = 'embedded' | 'detached';

export interface DpapiNgBlob {
  keyIdentifier: KeyIdentifier;
  /** The protection descriptor's SID (canonical text); the descriptor is "SID=<sid>". */
  sid: string;
  /** The AES-256 key-wrapped CEK. */
  encryptedKey: Buffer;
  gcmNonce: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  encryptedContent: Buffer;
  contentPlacement: ContentPlacement;
  /** Size of the DER ContentInfo (without detached content). */
  derLength: number;
}

function unsupported(message: string): never {
  throw new DpapiNgFormatError(`unsupported DPAPI-NG blob: ${message}`, { reason: 'DPAPI_NG_UNSUPPORTED' });
}

function parseProtectionDescriptor(r: DerReader): string {
  const other = r.sequence('KEKIdentifier.other');
  other.expectOid(OID.PROTECTION_DESCRIPTOR, 'OtherKeyAttribute.keyAttrId');
  const pd = other.sequence('protection descriptor');
  other.end();
  pd.expectOid(OID.PROTECTION_DESCRIPTOR_CONTENT, 'protection descriptor type');
  const orList = pd.sequence('protection descriptor rules');
  pd.end();
  const andList = orList.sequence('protection descriptor clause');
  if (!orList.atEnd) unsupported('protection descriptors with OR clauses (only "SID=<sid>" is supported)');
  const pair = andList.sequence('protection descriptor term');
  if (!andList.atEnd) unsupported('protection descriptors with AND terms (only "SID=<sid>" is supported)');
  const name = pair.utf8String('protection descriptor name');
  const value = pair.utf8String('protection descriptor value');
  pair.end();
  if (name !== 'SID') unsupported(`protection descriptor kind "${name.slice(0, 20)}" (only SID is supported)`);
  if (!isCanonicalSid(value)) throw new DpapiNgFormatError('malformed DPAPI-NG blob: the protection descriptor does not hold a valid SID');
  return value;
}

/** The structure down to KEKRecipientInfo.kekid, checked as parseDpapiNgBlob checks it. */
function openKekid(data: Buffer): { top: DerReader; derLength: number; ed: DerReader; kek: DerReader; kekid: DerReader } {
  const top = new DerReader(data, 0, data.length, 'ContentInfo');
  if (top.peekTag() !== DerTag.SEQUENCE) top.fail('not a DER SEQUENCE: this is not a DPAPI-NG blob');
  const ciEl = top.readElement('ContentInfo');
  const derLength = ciEl.end;
  const ci = new DerReader(data, ciEl.contentStart, ciEl.end, 'ContentInfo');
  ci.expectOid(OID.ENVELOPED_DATA, 'ContentInfo.contentType', (found) => `content type ${found} (envelopedData ${OID.ENVELOPED_DATA} expected)`);
  const explicit = ci.enter(contextTag(0, true), 'ContentInfo.content');
  ci.end();
  const ed = explicit.sequence('EnvelopedData');
  explicit.end();
  const edVersion = ed.smallInteger('EnvelopedData.version');
  if (edVersion !== 2) ed.fail(`EnvelopedData version ${edVersion} (2 expected)`);
  if (ed.peekTag() === contextTag(0, true)) unsupported('EnvelopedData with originatorInfo');
  const recipients = ed.enter(DerTag.SET, 'EnvelopedData.recipientInfos');
  if (recipients.peekTag() !== contextTag(2, true)) recipients.fail('the recipient is not a KEKRecipientInfo');
  const kek = recipients.enter(contextTag(2, true), 'KEKRecipientInfo');
  if (!recipients.atEnd) unsupported('more than one recipient');
  const kekVersion = kek.smallInteger('KEKRecipientInfo.version');
  if (kekVersion !== 4) kek.fail(`KEKRecipientInfo version ${kekVersion} (4 expected)`);
  return { top, derLength, ed, kek, kekid: kek.sequence('KEKRecipientInfo.kekid') };
}

/**
 * Only whom a blob is protected to (the protection descriptor's SID), for reading who can open a
 * history entry at scale: the structure down to the descriptor is checked as parseDpapiNgBlob
 * checks it, the key identifier only for being there, the rest (wrapped key, content) not at all.
 * About a third of a full parse; whether the blob decrypts is parseDpapiNgBlob's business.
 */
export function dpapiNgProtectionSid(data: Buffer): string {
  const { kekid } = openKekid(data);
  kekid.octetString('KEKIdentifier.keyIdentifier');
  if (kekid.peekTag() === DerTag.GENERALIZED_TIME) unsupported('KEKIdentifier.date');
  const sid = parseProtectionDescriptor(kekid);
  kekid.end();
  return sid;
}

export function parseDpapiNgBlob(data: Buffer): DpapiNgBlob {
  const { top, derLength, ed, kek, kekid } = openKekid(data);
  const keyIdentifier = parseKeyIdentifier(kekid.octetString('KEKIdentifier.keyIdentifier'));
  if (kekid.peekTag() === DerTag.GENERALIZED_TIME) unsupported('KEKIdentifier.date');
  const sid = parseProtectionDescriptor(kekid);
  kekid.end();
  const kea = kek.sequence('KEKRecipientInfo.keyEncryptionAlgorithm');
  if (kea.peekTag() === DerTag.OID && !kea.peekOid(OID.AES256_WRAP)) unsupported(`key encryption algorithm ${kea.oid('keyEncryptionAlgorithm.algorithm')} (aes256-wrap expected)`);
  kea.expectOid(OID.AES256_WRAP, 'keyEncryptionAlgorithm.algorithm');
  kea.end();
  const encryptedKey = kek.octetString('KEKRecipientInfo.encryptedKey');
  if (encryptedKey.length !== WRAPPED_CEK_LENGTH) kek.fail(`encryptedKey is ${encryptedKey.length} bytes (${WRAPPED_CEK_LENGTH} expected)`);
  kek.end();
  const eci = ed.sequence('EncryptedContentInfo');
  eci.expectOid(OID.DATA, 'EncryptedContentInfo.contentType', (found) => `content type ${found} (data expected)`);
  const cea = eci.sequence('contentEncryptionAlgorithm');
  if (cea.peekTag() === DerTag.OID && !cea.peekOid(OID.AES256_GCM)) unsupported(`content encryption algorithm ${cea.oid('contentEncryptionAlgorithm.algorithm')} (aes256-GCM expected)`);
  cea.expectOid(OID.AES256_GCM, 'contentEncryptionAlgorithm.algorithm');
  const gcm = cea.sequence('GCMParameters');
  cea.end();
  const gcmNonce = gcm.octetString('GCMParameters.nonce');
  if (gcmNonce.length !== GCM_NONCE_LENGTH) gcm.fail(`GCM nonce is ${gcmNonce.length} bytes (${GCM_NONCE_LENGTH} expected)`);
  if (gcm.atEnd) unsupported('GCM ICV length other than 16');
  const icv = gcm.smallInteger('GCMParameters.ICVlen');
  if (icv !== GCM_TAG_LENGTH) unsupported(`GCM ICV length ${icv} (16 expected)`);
  gcm.end();
  let encryptedContent: Buffer;
  let contentPlacement: ContentPlacement;
  if (eci.atEnd) {
    contentPlacement = 'detached';
    encryptedContent = data.subarray(derLength);
  } else {
    contentPlacement = 'embedded';
    encryptedContent = eci.octetString('EncryptedContentInfo.encryptedContent', contextTag(0, false));
    eci.end();
    if (derLength !== data.length) top.fail(`${data.length - derLength} byte(s) after a blob whose content is embedded`, derLength);
  }
  if (ed.peekTag() === contextTag(1, true)) unsupported('EnvelopedData with unprotectedAttrs');
  ed.end();
  if (encryptedContent.length < GCM_TAG_LENGTH) {
    throw new DpapiNgFormatError(
      contentPlacement === 'detached'
        ? `malformed DPAPI-NG blob: the detached encrypted content after the DER is ${encryptedContent.length} bytes, at least ${GCM_TAG_LENGTH} expected (truncated?)`
        : 'malformed DPAPI-NG blob: the encrypted content is shorter than the GCM tag',
    );
  }
  return {
    keyIdentifier,
    sid,
    encryptedKey: Buffer.from(encryptedKey),
    gcmNonce: Buffer.from(gcmNonce),
    encryptedContent: Buffer.from(encryptedContent),
    contentPlacement,
    derLength,
  };
}

export function serializeDpapiNgBlob(blob: Omit<DpapiNgBlob, 'derLength'>): Buffer {
  const sid = canonicalSid(blob.sid);
  if (!sid) throw new RangeError('invalid SID');
  const protectionDescriptor = derSequence(
    derOid(OID.PROTECTION_DESCRIPTOR),
    derSequence(
      derOid(OID.PROTECTION_DESCRIPTOR_CONTENT),
      derSequence(derSequence(derSequence(derUtf8String('SID'), derUtf8String(sid)))),
    ),
  );
  const kekRecipientInfo = derTlv(
    contextTag(2, true),
    Buffer.concat([
      derInteger(4),
      derSequence(derOctetString(serializeKeyIdentifier(blob.keyIdentifier)), protectionDescriptor),
      derSequence(derOid(OID.AES256_WRAP)),
      derOctetString(blob.encryptedKey),
    ]),
  );
  const contentAlgorithm = derSequence(derOid(OID.AES256_GCM), derSequence(derOctetString(blob.gcmNonce), derInteger(GCM_TAG_LENGTH)));
  const encryptedContentInfo =
    blob.contentPlacement === 'embedded'
      ? derSequence(derOid(OID.DATA), contentAlgorithm, derTlv(contextTag(0, false), blob.encryptedContent))
      : derSequence(derOid(OID.DATA), contentAlgorithm);
  const envelopedData = derSequence(derInteger(2), derSet(kekRecipientInfo), encryptedContentInfo);
  const contentInfo = derSequence(derOid(OID.ENVELOPED_DATA), derTlv(contextTag(0, true), envelopedData));
  return blob.contentPlacement === 'embedded' ? contentInfo : Buffer.concat([contentInfo, blob.encryptedContent]);
}
