/**
 * Where the Key Distribution Service keeps its root keys (MS-GKDI 3.1.4.1.1), and reading one
 * root key with its secret (only Domain/Enterprise Admins can). Nothing here writes or logs a key.
 */
import { rootKeyFromDirectoryEntry, ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES, type RootKey } from '../dpapi-ng/root-key.js';
import { integer8TimeString } from '../dtyp/filetime.js';
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

/**
 * The msKds-ProvRootKey entry for a root key (MS-GKDI 3.1.4.1.1 / MS-ADSC msKds-ProvRootKey).
 * Holds the secret msKds-RootKeyData: the journal and the plan keep only its length.
 */
export function kdsRootKeyAttributes(key: RootKey, domainIdDn: string, createTime: Date): Record<string, Array<string | Buffer>> {
  const attrs: Record<string, Array<string | Buffer>> = {
    objectClass: ['top', 'msKds-ProvRootKey'],
    cn: [key.id],
    'msKds-Version': [String(key.version)],
    'msKds-KDFAlgorithmID': [key.kdfAlgorithm],
    'msKds-KDFParam': [key.kdfParameters],
    'msKds-SecretAgreementAlgorithmID': [key.secretAgreementAlgorithm],
    'msKds-PrivateKeyLength': [String(key.privateKeyLength)],
    'msKds-PublicKeyLength': [String(key.publicKeyLength)],
    'msKds-RootKeyData': [key.keyData],
    'msKds-UseStartTime': [integer8TimeString(key.useStartTime ?? createTime)],
    'msKds-CreateTime': [integer8TimeString(key.createTime ?? createTime)],
    'msKds-DomainID': [domainIdDn],
  };
  // ECDH root keys carry no parameters; AD cannot store an empty value, so the attribute is left out
  if (key.secretAgreementParameters.length > 0) attrs['msKds-SecretAgreementParam'] = [key.secretAgreementParameters];
  return attrs;
}
