/** GUIDs as AD stores them (first three fields little-endian) <-> canonical lower-case strings. */
export function guidFromBytes(b: Buffer): string {
  if (b.length !== 16) throw new Error(`a GUID has 16 bytes, not ${b.length}`);
  const hex = (s: number, e: number, rev: boolean) => {
    const part = [...b.subarray(s, e)];
    return Buffer.from(rev ? part.reverse() : part).toString('hex');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

export function guidToBytes(guid: string): Buffer {
  const g = guid.replace(/[{}]/g, '').toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(g)) throw new Error(`not a GUID: ${guid}`);
  const [a, b, c, d, e] = g.split('-') as [string, string, string, string, string];
  const le = (h: string) => Buffer.from(h, 'hex').reverse();
  return Buffer.concat([le(a), le(b), le(c), Buffer.from(d, 'hex'), Buffer.from(e, 'hex')]);
}
