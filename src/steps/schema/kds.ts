/**
 * KDS root keys (read without their key data): which exist, their algorithms, when they become
 * usable, and whether the bound account could see them at all.
 */
import { parseInteger8Time } from '../../directory/ad-time.js';
import { firstBuffer, firstString } from '../../directory/entry.js';
import { kdsMasterRootKeysDn } from '../../directory/kds.js';
import type { DirEntry } from '../../directory/types.js';
import { parseKdfParameters } from '../../dpapi-ng/root-key.js';
import type { SchemaSnapshot } from '../schema-snapshot.js';
import type { Finding, Severity } from '../../model/step-result.js';
import type { KdsRootKeySummary, KdsState, KdsStatus, SchemaAnalysis, SchemaCheckOptions } from './model.js';
import { num } from './attributes.js';

function kdsStatus(s: SchemaSnapshot, now: Date, authoritative: boolean): KdsStatus {
  const keys: KdsRootKeySummary[] = s.kds.rootKeys.map((e) => {
    const useStart = parseInteger8Time(firstString(e, 'msKds-UseStartTime'));
    const created = parseInteger8Time(firstString(e, 'msKds-CreateTime'));
    const kdfParam = firstBuffer(e, 'msKds-KDFParam');
    let kdfHash: string | null = null;
    if (kdfParam) {
      try {
        kdfHash = parseKdfParameters(kdfParam);
      } catch {
        kdfHash = 'unrecognised';
      }
    }
    return {
      id: firstString(e, 'cn') ?? e.dn.replace(/^CN=([^,]+),.*$/i, '$1'),
      dn: e.dn,
      createdAt: created ? created.toISOString() : null,
      usableFrom: useStart ? useStart.toISOString() : null,
      usableNow: !!useStart && useStart.getTime() <= now.getTime(),
      kdfAlgorithm: firstString(e, 'msKds-KDFAlgorithmID') ?? null,
      kdfHash,
      secretAgreement: firstString(e, 'msKds-SecretAgreementAlgorithmID') ?? null,
      privateKeyLength: num(e, 'msKds-PrivateKeyLength'),
      publicKeyLength: num(e, 'msKds-PublicKeyLength'),
    };
  });
  keys.sort((a, b) => (a.usableFrom ?? '').localeCompare(b.usableFrom ?? ''));
  const readable = keys.length > 0 || authoritative;
  const status: KdsState = keys.some((k) => k.usableNow) ? 'usable' : keys.length > 0 ? 'not-yet-effective' : readable ? 'missing' : 'unreadable';
  const containerKnown = (e: DirEntry | undefined) => (e ? true : readable ? false : null);
  const starts = keys.map((k) => k.usableFrom).filter((x): x is string => !!x).sort();
  return {
    status,
    readableByAccount: readable,
    serviceContainer: containerKnown(s.kds.serviceContainer),
    masterRootKeysContainer: containerKnown(s.kds.masterRootKeys),
    rootKeys: keys,
    usableFrom: starts[0] ?? null,
  };
}


/** The KDS root keys' state; codes KDS_ROOT_KEY_*. */
export function kdsState(s: SchemaSnapshot, options: SchemaCheckOptions, boundAs: SchemaAnalysis['boundAs'], f: Finding[]): KdsStatus {
  const encryption = options.encryption ?? true;
  const encSeverity: Severity = encryption ? 'blocker' : 'warning';
  const kds = kdsStatus(s, options.now, boundAs.domainAdmin || boundAs.enterpriseAdmin);
  const keyList = (keys: KdsRootKeySummary[]) =>
    keys.map((k) => `${k.id} (${k.kdfAlgorithm ?? '?'}/${k.kdfHash ?? '?'}, ${k.secretAgreement ?? '?'}${k.publicKeyLength ? ` ${k.publicKeyLength}-bit` : ''}, usable from ${k.usableFrom ?? 'unknown'})`).join('; ');
  if (kds.status === 'usable') {
    f.push({
      code: 'KDS_ROOT_KEY_READY',
      severity: 'info',
      object: kdsMasterRootKeysDn(s.naming.configurationNamingContext),
      message: `${kds.rootKeys.filter((k) => k.usableNow).length} KDS root key(s) are usable: DCs can hand out the group keys Windows LAPS encrypts to.`,
      evidence: keyList(kds.rootKeys),
      advice: 'Nothing to do. Never delete a root key that was ever used: passwords (and gMSA passwords) encrypted with it could no longer be decrypted.',
    });
  } else if (kds.status === 'not-yet-effective') {
    f.push({
      code: 'KDS_ROOT_KEY_NOT_YET_EFFECTIVE',
      severity: 'warning',
      object: kdsMasterRootKeysDn(s.naming.configurationNamingContext),
      message: `A KDS root key exists but is not usable before ${kds.usableFrom}: Windows LAPS encryption fails until then.`,
      evidence: keyList(kds.rootKeys),
      advice: 'Wait until that time (Add-KdsRootKey makes keys usable after 10 hours so that every DC has replicated them). Do not create another key to hurry it.',
    });
  } else if (kds.status === 'missing') {
    f.push({
      code: 'KDS_ROOT_KEY_MISSING',
      severity: encSeverity,
      object: `CN=Services,${s.naming.configurationNamingContext}`,
      message: 'There is no KDS root key in this forest: DCs cannot hand out the group keys that Windows LAPS encrypts passwords to.',
      evidence: `${kds.serviceContainer ? '' : 'no CN=Group Key Distribution Service container; '}${kds.masterRootKeysContainer ? 'CN=Master Root Keys holds no msKds-ProvRootKey' : 'no CN=Master Root Keys container'} (read as ${boundAs.dn}, ${boundAs.enterpriseAdmin ? 'an Enterprise' : 'a Domain'} Admin)`,
      advice: 'On a DC, as Domain Admin of the forest root or Enterprise Admin, run Add-KdsRootKey (usable after 10 hours). It is permanent: group managed service accounts depend on these keys too. In a lab: laps-migrate schema --apply --confirm-irreversible --create-kds-root-key.',
    });
  } else {
    f.push({
      code: 'KDS_ROOT_KEY_UNREADABLE',
      severity: 'warning',
      object: `CN=Services,${s.naming.configurationNamingContext}`,
      message: 'Whether a KDS root key exists is unknown: root keys are not readable by this account.',
      evidence: `${boundAs.dn} saw no msKds-ProvRootKey and is neither a Domain Admin nor an Enterprise Admin`,
      advice: 'Rerun this check as a Domain Admin or Enterprise Admin, or run Get-KdsRootKey on a DC.',
    });
  }
  return kds;
}
