/**
 * Where the Key Distribution Service keeps its root keys (MS-GKDI 3.1.4.1.1), and reading one
 * root key with its secret (only Domain/Enterprise Admins can). Nothing here writes or logs a key.
 */
import { rootKeyFromDirectoryEntry, ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES, type RootKey } from '../dpapi-ng/root-key.js';
import type { Directory } from './types.js';

export const KDS_SERVICE_RDN = 'CN=Group Key Distribution Service,CN=Services';
export const KDS_MASTER_ROOT_KEYS_RDN = 'CN=Master Root Keys';

export function kdsServiceDn(configDn: string): string {
  return `${KDS_SERVICE_RDN},${configDn}`;
}

export function kdsMasterRootKeysDn(configDn: string): string {
  return `${KDS_MASTER_ROOT_KEYS_RDN},${kdsServiceDn(configDn)}`;
}

/** The msKds-ProvRootKey entry of one root key (named CN=<root key id>). */
export function kdsRootKeyDn(configDn: string, id: string): string {
  return `CN=${id},${kdsMasterRootKeysDn(configDn)}`;
}

/** One root key with its key data; undefined when it does not exist or its secret is not readable by the bound account. */
export async function readRootKey(dir: Directory, configDn: string, id: string): Promise<RootKey | undefined> {
  const e = await dir.read(kdsRootKeyDn(configDn, id), [...ROOT_KEY_ATTRIBUTES], { binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES] });
  return e && e.attributes['mskds-rootkeydata']?.length ? rootKeyFromDirectoryEntry(e) : undefined;
}
