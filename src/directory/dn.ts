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

/**
 * The first RDN (trimmed) and the rest of the DN, in one pass to the first unescaped comma (for
 * per-entry work at scale; parentDn splits the whole DN). An RDN-only DN has parent ''.
 */
export function splitFirstRdn(dn: string): { rdn: string; parent: string } {
  for (let i = 0; i < dn.length; i++) {
    const c = dn.charCodeAt(i);
    if (c === 0x5c) i++; // backslash: skip the escaped character
    else if (c === 0x2c) return { rdn: dn.slice(0, i).trim(), parent: dn.slice(i + 1).trim() };
  }
  return { rdn: dn.trim(), parent: '' };
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

const ATTR_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)$/;

/** RDN values: escapes must be complete ("\," or "\2C"), and the specials below must be escaped. */
function rdnValueProblem(value: string): string | undefined {
  if (value.startsWith('#')) return /^#(?:[0-9a-fA-F]{2})+$/.test(value) ? undefined : 'a "#" value must be hex pairs';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(next)) i += 2;
      else if (i + 1 < value.length && ' "#+,;<=>\\'.includes(value[i + 1]!)) i += 1;
      else return `incomplete escape at "${value.slice(i, i + 3)}"`;
    } else if ('"+;<>'.includes(c)) {
      // '+' (multi-valued RDNs) is allowed by RFC 4514 but never occurs in the containers we take
      return `unescaped "${c}"`;
    }
  }
  return undefined;
}

/** The reason a DN is malformed, or undefined when it is well-formed. */
export function dnProblem(dn: string): string | undefined {
  if (dn.trim() === '') return 'it is empty';
  const rdns = splitDnRaw(dn);
  for (let i = 0; i < rdns.length; i++) {
    const rdn = rdns[i]!.trim();
    if (rdn === '') return `RDN ${i + 1} is empty (two commas in a row, or a leading/trailing comma)`;
    const eq = rdn.indexOf('=');
    if (eq <= 0) return `"${rdn}" is not attribute=value`;
    const type = rdn.slice(0, eq).trim();
    const value = rdn.slice(eq + 1).trim();
    if (!ATTR_TYPE.test(type)) return `"${type}" is not an attribute name`;
    if (value === '') return `"${rdn}" has an empty value`;
    const p = rdnValueProblem(value);
    if (p) return `"${rdn}": ${p}`;
  }
  return undefined;
}

