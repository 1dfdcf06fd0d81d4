/** Distinguished-name helpers that respect escaped commas ("CN=Smith\, John,OU=..."). */

/** Splits a DN at its unescaped commas, untrimmed, keeping empty parts (for validation). */
export function splitDnRaw(dn: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      cur += c + dn[i + 1]!;
      i++;
      continue;
    }
    if (c === ',') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** Splits a DN into its RDNs, keeping escapes as they are. */
export function splitDn(dn: string): string[] {
  const parts = splitDnRaw(dn).map((p) => p.trim());
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function parentDn(dn: string): string {
  return splitDn(dn).slice(1).join(',');
}

/** The DN itself and every ancestor up to (and including) `stopAt`, nearest first. */
export function ancestry(dn: string, stopAt: string): string[] {
  const parts = splitDn(dn);
  const stop = splitDn(stopAt).length;
  const out: string[] = [];
  for (let i = 0; i + stop <= parts.length; i++) out.push(parts.slice(i).join(','));
  return out;
}

/** Case-insensitive DN comparison key (whitespace around separators removed). */
export function dnKey(dn: string): string {
  return splitDn(dn).join(',').toLowerCase();
}

export function isUnder(dn: string, base: string): boolean {
  const a = dnKey(dn);
  const b = dnKey(base);
  return a === b || a.endsWith(`,${b}`);
}

/** "OU=Finance,OU=Workstations,DC=lab,DC=test" -> "Workstations/Finance" (for tables). */
export function friendlyPath(dn: string, baseDn: string): string {
  const parts = splitDn(dn);
  const baseLen = splitDn(baseDn).length;
  const rel = parts.slice(0, Math.max(0, parts.length - baseLen)).reverse();
  if (!rel.length) return '(domain root)';
  return rel.map((r) => r.replace(/^[A-Za-z]+=/, '').replace(/\\(.)/g, '$1')).join('/');
}
