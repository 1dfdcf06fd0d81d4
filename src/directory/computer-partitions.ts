/**
 * Paging the computers of a subtree on several connections at once. The subtree is cut into
 * partitions that together hold every computer exactly once (each computer has one parent):
 * - the containers that can hold computers are the instances of the classes the schema allows as
 *   a computer's parent (possSuperiors and systemPossSuperiors of computer and its superclasses);
 * - an OU, a container with an OU below it and the scope itself are read one level deep;
 * - every other container (no OU below it: CN=Computers, CN=System...) is read as a subtree from
 *   its topmost such container, so thousands of GPO containers cost one search.
 * The partitions are handed to N workers in turn (each on its own connection, one page requested
 * ahead), so a large OU keeps one worker busy while the others take the rest.
 */
import { dnKey, splitFirstRdn } from './dn.js';
import { allStrings } from './entry.js';
import { prefetched } from './pipelining.js';
import type { DirEntry, Directory, SearchOptions } from './types.js';

export interface Partition {
  base: string;
  scope: 'one' | 'sub';
}

/** The computer class and its superclasses as the base schema defines them (each names its parent class). */
const COMPUTER_CHAIN = ['computer', 'user', 'organizationalPerson', 'person', 'top'];

/** Classes whose instances may hold a computer, read from the schema (standard ones always included). */
export async function computerParentClasses(dir: Directory, schemaDn: string): Promise<string[]> {
  const classes = new Set(['organizationalUnit', 'container', 'domainDNS', 'builtinDomain', 'lostAndFound']);
  const entries = await dir.searchAll({
    base: schemaDn,
    scope: 'one',
    filter: `(&(objectClass=classSchema)(|${COMPUTER_CHAIN.map((c) => `(lDAPDisplayName=${c})`).join('')}))`,
    attributes: ['possSuperiors', 'systemPossSuperiors'],
  });
  for (const e of entries) for (const c of [...allStrings(e, 'possSuperiors'), ...allStrings(e, 'systemPossSuperiors')]) classes.add(c);
  return [...classes].filter((c) => /^[A-Za-z][A-Za-z0-9-]*$/.test(c)).sort();
}

/** The partitions of `scope` (see the file comment), in a stable order (by DN key). */
export async function planComputerPartitions(dir: Directory, scope: string, parentClasses: string[]): Promise<Partition[]> {
  const containers = await dir.searchAll({
    base: scope,
    filter: `(|${parentClasses.map((c) => `(objectClass=${c})`).join('')})`,
    attributes: ['objectClass'],
  });
  const scopeKey = dnKey(scope);
  const nodes = new Map<string, { dn: string; parent: string; ou: boolean; ouBelow: boolean }>();
  for (const e of containers) {
    const key = dnKey(e.dn);
    if (key === scopeKey || !key.endsWith(`,${scopeKey}`)) continue;
    const ou = allStrings(e, 'objectClass').some((c) => c.toLowerCase() === 'organizationalunit');
    nodes.set(key, { dn: e.dn, parent: '', ou, ouBelow: false });
  }
  // each container's nearest listed ancestor (or the scope): objects of other classes in between hold no computer
  for (const [key, n] of nodes) {
    let p = splitFirstRdn(key).parent;
    while (p !== scopeKey && !nodes.has(p) && p.endsWith(`,${scopeKey}`)) p = splitFirstRdn(p).parent;
    n.parent = p;
  }
  for (const n of nodes.values()) {
    if (!n.ou) continue;
    for (let p = nodes.get(n.parent); p && !p.ouBelow; p = nodes.get(p.parent)) p.ouBelow = true;
  }
  const oneLevel = (key: string) => key === scopeKey || (nodes.get(key)?.ou ?? false) || (nodes.get(key)?.ouBelow ?? false);
  const partitions: Array<Partition & { key: string }> = [{ base: scope, scope: 'one', key: scopeKey }];
  for (const [key, n] of nodes) {
    if (oneLevel(key)) partitions.push({ base: n.dn, scope: 'one', key });
    else if (oneLevel(n.parent)) partitions.push({ base: n.dn, scope: 'sub', key });
    // else: inside the subtree of an ancestor that is read as a subtree
  }
  return partitions.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ base, scope: s }) => ({ base, scope: s }));
}

/**
 * Pages every partition with `search` (filter, attributes...) on the connections given (one
 * worker per connection), one page requested ahead on each, and hands each page to `onPage` with
 * its partition's index. Resolves when every partition is read; the first failure stops the rest.
 */
export async function pagePartitions(
  connections: Directory[],
  partitions: Partition[],
  search: Omit<SearchOptions, 'base' | 'scope'>,
  onPage: (entries: DirEntry[], partition: number) => void,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (dir: Directory) => {
    while (!failed && next < partitions.length) {
      const index = next++;
      const p = partitions[index]!;
      for await (const page of prefetched(dir.searchPages({ ...search, base: p.base, scope: p.scope }))) {
        if (failed) return;
        onPage(page, index);
      }
    }
  };
  await Promise.all(
    connections.map((c) =>
      worker(c).catch((e: unknown) => {
        failed = true;
        throw e;
      }),
    ),
  );
}


/**
 * Pages the computers of `scope` with `search`: with `more` connections, in partitions on `dir`
 * and those at once (pagePartitions; `onPlanned` runs once the partitions are known, for timing
 * marks); without, in one paged search on `dir`, one page requested ahead.
 */
export async function pageComputers(
  dir: Directory,
  more: Directory[],
  scope: string,
  schemaDn: string,
  search: Omit<SearchOptions, 'base' | 'scope'>,
  onPage: (entries: DirEntry[]) => void,
  onPlanned?: () => void,
): Promise<void> {
  if (!more.length) {
    for await (const page of prefetched(dir.searchPages({ ...search, base: scope }))) onPage(page);
    return;
  }
  const partitions = await planComputerPartitions(dir, scope, await computerParentClasses(dir, schemaDn));
  onPlanned?.();
  await pagePartitions([dir, ...more], partitions, search, onPage);
}
