/**
 * msLAPS-CurrentPasswordVersion: a 16-byte GUID (MS-DTYP binary order) that Windows LAPS
 * (Server 2025 / build 26100+) writes with each new password, to detect AD database rollback.
 */
import { randomUUID } from 'node:crypto';
import { guidFromBytes, guidToBytes, isGuidString } from '../dtyp/guid.js';
import { LapsFormatError } from './laps-format-error.js';

export function parsePasswordVersion(value: Buffer): string {
  if (value.length !== 16) throw new LapsFormatError(`msLAPS-CurrentPasswordVersion is ${value.length} bytes, 16 expected`);
  return guidFromBytes(value);
}

export function passwordVersionToBytes(guid: string): Buffer {
  if (!isGuidString(guid)) throw new LapsFormatError('password version is not a GUID');
  return guidToBytes(guid);
}

export function newPasswordVersion(): { guid: string; bytes: Buffer } {
  const guid = randomUUID();
  return { guid, bytes: guidToBytes(guid) };
}
