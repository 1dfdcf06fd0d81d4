/** Binary SID (objectSid, tokenGroups values) to its S-1-... string form. */
export function sidToString(buf: Buffer): string {
  if (buf.length < 8) throw new Error(`SID too short (${buf.length} bytes)`);
  const revision = buf[0]!;
  const count = buf[1]!;
  if (buf.length < 8 + 4 * count) throw new Error(`SID truncated: ${count} sub-authorities need ${8 + 4 * count} bytes, got ${buf.length}`);
  const authority = buf.readUIntBE(2, 6);
  const parts = [`S-${revision}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(buf.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}
