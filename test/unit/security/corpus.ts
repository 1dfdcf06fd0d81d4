/** Loads the recorded Samba corpus (test/fixtures/sd-corpus/corpus.json, see its README). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CorpusDescriptor {
  id: string;
  sdFlags: string;
  base64: string;
  sddl: string;
  sddlWithDomainSid: string;
}

export interface CorpusObject {
  dn: string;
  objectClass: string;
  classGuid: string | null;
  sd: string;
  sd4?: string;
  sd5?: string;
  sd7?: string;
}

export interface Corpus {
  samba: string;
  domainDn: string;
  configDn: string;
  schemaDn: string;
  domainSid: string;
  schema: {
    attributes: Record<string, { schemaIDGUID: string; attributeSecurityGUID: string | null }>;
    classes: Record<string, { schemaIDGUID: string; defaultSecurityDescriptor: string }>;
  };
  extendedRights: Array<{ name: string; rightsGuid: string; validAccesses: number }>;
  principals: Record<string, { dn: string; sid: string; tokenGroups: string[] }>;
  descriptors: CorpusDescriptor[];
  objects: CorpusObject[];
}

let cached: Corpus | undefined;

export function loadCorpus(): Corpus {
  if (!cached) {
    const path = fileURLToPath(new URL('../../fixtures/sd-corpus/corpus.json', import.meta.url));
    cached = JSON.parse(readFileSync(path, 'utf8')) as Corpus;
  }
  return cached;
}

export function bytesOf(d: CorpusDescriptor): Buffer {
  return Buffer.from(d.base64, 'base64');
}

/** The full descriptor bytes of the object with this DN (relative DNs are completed with the domain DN). */
export function sdOf(dn: string, variant: 'sd' | 'sd4' | 'sd5' | 'sd7' = 'sd'): Buffer {
  const c = loadCorpus();
  const full = dn.endsWith(c.domainDn) || dn.endsWith(c.configDn) ? dn : `${dn},${c.domainDn}`;
  const obj = c.objects.find((o) => o.dn.toLowerCase() === full.toLowerCase());
  if (!obj) throw new Error(`object not in corpus: ${full}`);
  const id = obj[variant];
  const d = c.descriptors.find((x) => x.id === id);
  if (!d) throw new Error(`no ${variant} descriptor for ${full}`);
  return bytesOf(d);
}

export function attributeGuid(name: string): string {
  const a = loadCorpus().schema.attributes[name];
  if (!a) throw new Error(`attribute not in corpus schema facts: ${name}`);
  return a.schemaIDGUID;
}

/** SID of a seeded principal (group name, user name, or computer "NAME$"). */
export function sidOf(name: string): string {
  const p = loadCorpus().principals[name];
  if (!p) throw new Error(`principal not in corpus: ${name}`);
  return p.sid;
}

/** The token a seeded account would have: its SID and its transitive groups, plus the universal ones. */
export function tokenOf(name: string): string[] {
  const p = loadCorpus().principals[name];
  if (!p) throw new Error(`principal not in corpus: ${name}`);
  return [p.sid, ...p.tokenGroups, 'S-1-1-0', 'S-1-5-11'];
}

/** Target for an attribute of a computer object, using the recorded schema facts. */
export function computerAttribute(name: string, objectSid?: string): {
  objectClassGuids: string[];
  attribute: { guid: string; propertySet: string | null; name: string };
  objectSid?: string;
} {
  const a = loadCorpus().schema.attributes[name];
  if (!a) throw new Error(`attribute not in corpus schema facts: ${name}`);
  const t = {
    objectClassGuids: [loadCorpus().schema.classes['computer']!.schemaIDGUID],
    attribute: { guid: a.schemaIDGUID, propertySet: a.attributeSecurityGUID, name },
  };
  return objectSid ? { ...t, objectSid } : t;
}
