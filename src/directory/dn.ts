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

/**
 * Why a string is not a usable DN (undefined when it is): every RDN must be `attr=value` with a
 * name of letters, digits and hyphens (or an OID) and a non-empty value, and no RDN may be empty.
 */
export function dnSyntaxError(dn: string): string | undefined {
  if (!dn.trim()) return 'is empty';
  const raw = dn.replace(/\\./g, 'xx').split(',');
  if (raw.some((r) => !r.trim())) return 'has an empty RDN (two commas in a row, or a comma at either end)';
  for (const rdn of splitDn(dn)) {
    for (const ava of rdn.split(/(?<!\\)\+/)) {
      const m = /^\s*([A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)\s*=(.*)$/.exec(ava);
      if (!m) return `has "${rdn}", which is not attribute=value`;
      if (!m[2]!.trim()) return `has "${rdn}" with an empty value`;
    }
  }
  return undefined;
}
