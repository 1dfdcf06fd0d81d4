/**
 * How many computers directly in each container still depend on legacy LAPS, read from the
 * directory (laps/legacy-dependence.ts has the rule). Steps 3 and 4 ask this only for containers
 * whose legacy-managed computers lack the legacy SELF permission: where none depends any more,
 * cleanup removed it on purpose and a rerun must not grant it again. Never a password: the
 * expiration time and the replication metadata only.
 */
import { firstBinary, firstString } from '../directory/entry.js';
import { dnKey } from '../directory/dn.js';
import type { LapsSchema } from '../directory/laps-schema.js';
import { parseReplPropertyMetaData } from '../directory/repl-metadata.js';
import type { Directory } from '../directory/types.js';
import { dependsOnLegacy, laterOf } from '../laps/legacy-dependence.js';

/** Originating write times of the LAPS password attributes, from replPropertyMetaData. */
export function lapsWriteTimes(meta: Buffer | undefined, schema: LapsSchema): { legacy?: Date; native?: Date } {
  if (!meta) return {};
  let entries;
  try {
    entries = parseReplPropertyMetaData(meta);
  } catch {
    return {}; // damaged metadata: the write times are unknown
  }
  const at = (attid: number | undefined) => (attid === undefined ? undefined : entries.find((m) => m.attid === attid)?.changed);
  const legacy = at(schema.legacyPassword?.attid);
  const native = laterOf(at(schema.password?.attid), at(schema.encryptedPassword?.attid));
  return { ...(legacy ? { legacy } : {}), ...(native ? { native } : {}) };
}

/** Legacy-dependent computers directly in each container (DN key -> count). */
export async function legacyDependents(dir: Directory, schema: LapsSchema, containers: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const exp = schema.legacyExpiration?.name;
  if (!exp) return out;
  for (const dn of containers) {
    const entries = await dir.searchAll({ base: dn, scope: 'one', filter: `(&(objectCategory=computer)(${exp}=*))`, attributes: [exp, 'replPropertyMetaData'], binaryAttributes: ['replPropertyMetaData'] });
    let n = 0;
    for (const e of entries) {
      const w = lapsWriteTimes(firstBinary(e, 'replPropertyMetaData'), schema);
      if (dependsOnLegacy({ legacyExpirationPresent: !!firstString(e, exp), legacyWrittenAt: w.legacy, nativeWrittenAt: w.native })) n++;
    }
    out.set(dnKey(dn), n);
  }
  return out;
}
