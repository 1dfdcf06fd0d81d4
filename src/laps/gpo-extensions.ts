/**
 * gPCMachineExtensionNames edits: "[{CSE}{tool}...][{CSE}{tool}...]", groups sorted by the
 * client-side extension GUID and the tool GUIDs sorted inside each group, upper-case, as GPMC
 * writes it. A value that already holds the pair is returned unchanged (byte for byte); a value
 * that must change is rewritten in GPMC's canonical form.
 */
import { parseExtensionNames } from './gpo-links.js';

/** The Group Policy Registry editor tool (the snap-in that writes Registry.pol). */
export const REGISTRY_TOOL = '{D02B1F72-3407-48AE-BA88-E8213C6761F1}';

export interface ExtensionPair {
  cse: string;
  tool: string;
}

function byGuid(a: string, b: string): number {
  return a.toUpperCase() < b.toUpperCase() ? -1 : a.toUpperCase() > b.toUpperCase() ? 1 : 0;
}

export function hasExtensionPair(value: string | undefined, pair: ExtensionPair): boolean {
  return parseExtensionNames(value).some((g) => g[0] === pair.cse.toUpperCase() && g.slice(1).includes(pair.tool.toUpperCase()));
}

function serialize(groups: string[][]): string | undefined {
  const live = groups.filter((g) => g.length > 0);
  if (live.length === 0) return undefined;
  return live
    .map((g) => [g[0]!, ...g.slice(1).sort(byGuid)])
    .sort((a, b) => byGuid(a[0]!, b[0]!))
    .map((g) => `[${g.join('')}]`)
    .join('');
}

/** The value with the pair added (GPMC order); the same string when it is already there. */
export function addExtensionPair(value: string | undefined, pair: ExtensionPair): string | undefined {
  if (hasExtensionPair(value, pair)) return value;
  const groups = parseExtensionNames(value).map((g) => [...g]);
  const cse = pair.cse.toUpperCase();
  const tool = pair.tool.toUpperCase();
  const g = groups.find((x) => x[0] === cse);
  if (g) g.push(tool);
  else groups.push([cse, tool]);
  return serialize(groups);
}

/** The value without the pair (a CSE left with no tool goes); undefined when nothing is left. */
export function removeExtensionPair(value: string | undefined, pair: ExtensionPair): string | undefined {
  if (!hasExtensionPair(value, pair)) return value;
  const cse = pair.cse.toUpperCase();
  const tool = pair.tool.toUpperCase();
  const groups = parseExtensionNames(value).map((g) => (g[0] === cse ? [g[0]!, ...g.slice(1).filter((t) => t !== tool)] : [...g]));
  return serialize(groups.filter((g) => g.length > 1));
}
