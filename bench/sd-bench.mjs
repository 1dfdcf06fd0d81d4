// Security descriptor engine throughput on the computer descriptors recorded from the Samba lab.
// Usage: npm run build && node bench/sd-bench.mjs [--seconds 2]
// Prints descriptors per second (one core) for: parse; parse + effective read access of one
// token on ms-Mcs-AdmPwd; parse + whoCan (every trustee, routes). Target: >= 50,000/s for
// parse + evaluate. Asserts nothing.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { arg } from './lib.mjs';

const { parseSecurityDescriptor, serializeSecurityDescriptor, effectiveAccess, whoCan, READ_CONFIDENTIAL, toSddl } = await import(
  new URL('../dist/security/index.js', import.meta.url).href
);

const seconds = Number(arg('seconds', '2'));
const corpus = JSON.parse(readFileSync(new URL('../test/fixtures/sd-corpus/corpus.json', import.meta.url), 'utf8'));
const byId = new Map(corpus.descriptors.map((d) => [d.id, Buffer.from(d.base64, 'base64')]));
const computers = corpus.objects.filter((o) => o.objectClass === 'computer').map((o) => byId.get(o.sd));
const attr = corpus.schema.attributes['ms-Mcs-AdmPwd'];
const target = {
  objectClassGuids: [corpus.schema.classes.computer.schemaIDGUID],
  attribute: { guid: attr.schemaIDGUID, propertySet: attr.attributeSecurityGUID },
};
const reader = corpus.principals.reader1;
const token = [reader.sid, ...reader.tokenGroups, 'S-1-1-0', 'S-1-5-11'];
const bytes = computers.reduce((n, b) => n + b.length, 0);
console.log(`${computers.length} recorded computer descriptors, ${Math.round(bytes / computers.length)} bytes on average`);

function measure(name, fn) {
  let n = 0;
  let sink = 0;
  // warm up, then run for the given time
  for (let i = 0; i < 2000; i++) sink += fn(computers[i % computers.length]);
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < computers.length; i++) sink += fn(computers[i]);
    n += computers.length;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name.padEnd(36)} ${Math.round(n / secs).toLocaleString('en-US').padStart(10)} descriptors/s${sink === -1 ? '' : ''}`);
  return n / secs;
}

measure('parse', (b) => parseSecurityDescriptor(b).dacl.aces.length);
const evalRate = measure('parse + effective read (RP+CR)', (b) => effectiveAccess(parseSecurityDescriptor(b), token, target).granted & READ_CONFIDENTIAL);
measure('parse + whoCan (all trustees)', (b) => whoCan(parseSecurityDescriptor(b), { ...target, rights: READ_CONFIDENTIAL }).entries.length);
measure('parse + serialize', (b) => serializeSecurityDescriptor(parseSecurityDescriptor(b)).length);
measure('parse + SDDL', (b) => toSddl(parseSecurityDescriptor(b)).length);
console.log(`parse + evaluate: ${(evalRate / 50000).toFixed(2)}x the 50,000/s target`);
