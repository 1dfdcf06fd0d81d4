/** The OUs under a base (for pickers: the wizard's OU choices), sorted by their path. */
import { friendlyPath } from './dn.js';
import type { Directory } from './types.js';

export async function listOus(dir: Directory, baseDn: string): Promise<Array<{ dn: string; path: string }>> {
  const out: Array<{ dn: string; path: string }> = [];
  for await (const page of dir.searchPages({ base: baseDn, filter: '(objectClass=organizationalUnit)', attributes: ['1.1'] })) {
    for (const e of page) out.push({ dn: e.dn, path: friendlyPath(e.dn, baseDn) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
