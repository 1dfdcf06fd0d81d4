/**
 * Compares the DACL parts of two SDDL strings ACE by ACE, so a plan shows the few ACEs a change
 * adds or removes instead of two long descriptors. Works on text only; the SDDL itself comes
 * from an injected describer (src/security's toSddl, wired by the CLI).
 */

export interface SddlDacl {
  /** DACL flags after "D:", e.g. "PAI" (protected, auto-inherited). */
  flags: string;
  aces: string[];
}

export interface AceDiff {
  flagsBefore: string;
  flagsAfter: string;
  added: string[];
  removed: string[];
  /** Same ACEs, different order (order matters to access checks: deny before allow). */
  reordered: boolean;
}

/** Splits "O:..G:..D:<flags>(ace)(ace)S:.." and returns the DACL flags and ACE strings. */
export function parseSddlDacl(sddl: string): SddlDacl | undefined {
  const text = sddl.trim();
  // find "D:" at nesting depth 0 (ACE bodies may contain parentheses in conditional expressions)
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && ch === 'D' && text[i + 1] === ':' && (i === 0 || /[\s):A-Z0-9-]/.test(text[i - 1]!))) {
      start = i + 2;
      break;
    }
  }
  if (start < 0) return undefined;
  let flags = '';
  let i = start;
  while (i < text.length && text[i] !== '(' && !(/[OGS]/.test(text[i]!) && text[i + 1] === ':')) flags += text[i++];
  const aces: string[] = [];
  while (i < text.length && text[i] === '(') {
    let d = 0;
    let j = i;
    for (; j < text.length; j++) {
      if (text[j] === '(') d++;
      else if (text[j] === ')') {
        d--;
        if (d === 0) break;
      }
    }
    aces.push(text.slice(i, j + 1));
    i = j + 1;
    while (i < text.length && /\s/.test(text[i]!)) i++;
  }
  return { flags: flags.trim(), aces };
}

/** Multiset difference: an ACE present twice before and once after counts as one removed. */
function minus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

export function diffSddlDacl(before: string, after: string): AceDiff | undefined {
  const a = parseSddlDacl(before);
  const b = parseSddlDacl(after);
  if (!a || !b) return undefined;
  const added = minus(b.aces, a.aces);
  const removed = minus(a.aces, b.aces);
  const reordered = added.length === 0 && removed.length === 0 && a.aces.join('') !== b.aces.join('');
  return { flagsBefore: a.flags, flagsAfter: b.flags, added, removed, reordered };
}
