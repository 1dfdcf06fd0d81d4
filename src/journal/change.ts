/**
 * The change model: every write the tool makes to a directory is one typed Change with its
 * target, the step and reason, the expected before-state and the desired after-state. Steps
 * build drafts with the helpers below and turn them into a Plan with createPlan().
 */
import { InputError } from '../errors.js';
import { isSecretAttribute } from './secret-attributes.js';
import { valuesMinus, valuesUnion, type Value, type ValueMatch } from './attribute-values.js';
import type { ReplaceFileChange } from './file-change.js';

/** SD-flags value for "DACL only" (LDAP_SERVER_SD_FLAGS_OID): what a DACL change reads and writes. */
export const SD_FLAGS_DACL = 4;

export type ChangeKind = 'add-entry' | 'delete-entry' | 'modify-attribute' | 'replace-dacl' | 'replace-file';

export interface ChangeBase {
  /** Unique within a plan ("c1", "c2", ...). */
  id: string;
  kind: ChangeKind;
  dn: string;
  step: string;
  reason: string;
  /** Cannot be undone by rollback (schema additions, clearing a legacy password, KDS root keys, secrets). */
  irreversible: boolean;
  /** Touches a secret attribute: the journal keeps presence and lengths only. */
  secret: boolean;
}

/** Creates an entry. Before: absent. After: the entry carries at least these values. */
export interface AddEntryChange extends ChangeBase {
  kind: 'add-entry';
  before: null;
  after: Record<string, Value[]>;
  /** Attributes (as the server spells them) whose values are binary. */
  binaryAttributes: string[];
  /** Attributes of `after` that are secret (their values are never journaled). */
  secretAttributes: string[];
}

/** Deletes a leaf entry. Before: it carries at least these values. After: absent. Always irreversible. */
export interface DeleteEntryChange extends ChangeBase {
  kind: 'delete-entry';
  before: Record<string, Value[]>;
  after: null;
  binaryAttributes: string[];
  secretAttributes: string[];
}

/**
 * Adds, replaces or deletes values of one attribute. `before` and `after` are the attribute's
 * whole value set (empty = absent); the write is computed from their difference.
 */
export interface ModifyAttributeChange extends ChangeBase {
  kind: 'modify-attribute';
  attribute: string;
  operation: 'add' | 'replace' | 'delete';
  binary: boolean;
  match: ValueMatch;
  before: Value[];
  after: Value[];
}

/**
 * Replaces the DACL of an object. Before and after are whole self-relative security
 * descriptors as read and written with `sdFlags` (4 = DACL only).
 */
export interface ReplaceDaclChange extends ChangeBase {
  kind: 'replace-dacl';
  sdFlags: number;
  before: Buffer;
  after: Buffer;
}

/** A file (GPT.INI, Registry.pol): see file-change.ts. */
export type Change = AddEntryChange | DeleteEntryChange | ModifyAttributeChange | ReplaceDaclChange | ReplaceFileChange;

/** A change before it is placed in a plan: no id or step yet (an explicit id may be given). */
export type ChangeDraft = DistributiveOmit<Change, 'id' | 'step'> & { id?: string };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface Plan {
  step: string;
  changes: Change[];
  createdAt: string;
  /** Set on plans made by planRollback: the run they undo. */
  rollbackOf?: string;
}

interface CommonOptions {
  dn: string;
  reason: string;
  irreversible?: boolean;
  id?: string;
}

function checkDn(dn: string): void {
  if (typeof dn !== 'string' || dn.trim() === '') throw new InputError('a change needs a target DN');
}

function attributeIsSecret(attribute: string, explicit: boolean | undefined): boolean {
  return explicit === true || isSecretAttribute(attribute);
}

function normaliseEntryValues(values: Record<string, Value[]>): Record<string, Value[]> {
  const out: Record<string, Value[]> = {};
  for (const [name, list] of Object.entries(values)) {
    if (!Array.isArray(list) || list.length === 0) throw new InputError(`attribute ${name} needs at least one value`);
    out[name] = [...list];
  }
  return out;
}

function entryMeta(values: Record<string, Value[]>, secretAttributes: string[] | undefined): { binaryAttributes: string[]; secretAttributes: string[] } {
  const names = Object.keys(values);
  const binaryAttributes = names.filter((n) => values[n]!.some((v) => Buffer.isBuffer(v)));
  const extra = new Set((secretAttributes ?? []).map((s) => s.toLowerCase()));
  const secrets = names.filter((n) => isSecretAttribute(n) || extra.has(n.toLowerCase()));
  return { binaryAttributes, secretAttributes: secrets };
}

/** Create an entry (an OU, a GPO container, a KDS root key, a schema object...). */
export function addEntry(o: CommonOptions & { attributes: Record<string, Value[]>; secretAttributes?: string[] }): ChangeDraft {
  checkDn(o.dn);
  const after = normaliseEntryValues(o.attributes);
  const meta = entryMeta(after, o.secretAttributes);
  return {
    kind: 'add-entry',
    dn: o.dn,
    reason: o.reason,
    irreversible: o.irreversible === true || meta.secretAttributes.length > 0,
    secret: meta.secretAttributes.length > 0,
    before: null,
    after,
    ...meta,
    ...(o.id ? { id: o.id } : {}),
  };
}

/** Delete a leaf entry. The journal cannot bring back what it did not read: always irreversible. */
export function deleteEntry(o: Omit<CommonOptions, 'irreversible'> & { expected: Record<string, Value[]>; secretAttributes?: string[] }): ChangeDraft {
  checkDn(o.dn);
  const before = normaliseEntryValues(o.expected);
  const meta = entryMeta(before, o.secretAttributes);
  return {
    kind: 'delete-entry',
    dn: o.dn,
    reason: o.reason,
    irreversible: true,
    secret: meta.secretAttributes.length > 0,
    before,
    after: null,
    ...meta,
    ...(o.id ? { id: o.id } : {}),
  };
}

interface AttributeOptions extends CommonOptions {
  attribute: string;
  /** The attribute's whole value set as the step read it (empty = absent). */
  before: Value[];
  /** Force binary reads (otherwise inferred from Buffer values). */
  binary?: boolean;
  /** Default 'exact'; 'case-ignore' for directory strings the server may re-case. */
  match?: ValueMatch;
  /** Treat as secret even if the name is not a known secret attribute. */
  secret?: boolean;
}

function modifyDraft(o: AttributeOptions, operation: ModifyAttributeChange['operation'], after: Value[]): ChangeDraft {
  checkDn(o.dn);
  if (o.attribute.toLowerCase() === 'ntsecuritydescriptor') {
    throw new InputError('nTSecurityDescriptor is changed with replaceDacl(), not as an attribute');
  }
  const secret = attributeIsSecret(o.attribute, o.secret);
  const binary = o.binary === true || [...o.before, ...after].some((v) => Buffer.isBuffer(v));
  return {
    kind: 'modify-attribute',
    dn: o.dn,
    reason: o.reason,
    // the journal does not keep secret values, so rollback could never restore them
    irreversible: o.irreversible === true || secret,
    secret,
    attribute: o.attribute,
    operation,
    binary,
    match: o.match ?? 'exact',
    before: [...o.before],
    after,
    ...(o.id ? { id: o.id } : {}),
  };
}

/** Add values to an attribute (the others stay). */
export function addValues(o: AttributeOptions & { values: Value[] }): ChangeDraft {
  if (o.values.length === 0) throw new InputError(`addValues on ${o.attribute} needs at least one value`);
  return modifyDraft(o, 'add', valuesUnion(o.before, o.values, o.match));
}

/** Replace the attribute's whole value set (an empty list removes the attribute). */
export function replaceValues(o: AttributeOptions & { values: Value[] }): ChangeDraft {
  return modifyDraft(o, 'replace', [...o.values]);
}

/** Delete the given values, or every value when `values` is omitted. */
export function deleteValues(o: AttributeOptions & { values?: Value[] }): ChangeDraft {
  const after = o.values === undefined ? [] : valuesMinus(o.before, o.values, o.match);
  return modifyDraft(o, 'delete', after);
}

/** Replace an object's DACL: whole descriptors as read/written with sdFlags (default 4, DACL only). */
export function replaceDacl(o: CommonOptions & { before: Buffer; after: Buffer; sdFlags?: number }): ChangeDraft {
  checkDn(o.dn);
  if (!Buffer.isBuffer(o.before) || !Buffer.isBuffer(o.after)) throw new InputError('replaceDacl needs the before and after descriptors as bytes');
  return {
    kind: 'replace-dacl',
    dn: o.dn,
    reason: o.reason,
    irreversible: o.irreversible === true,
    secret: false,
    sdFlags: o.sdFlags ?? SD_FLAGS_DACL,
    before: Buffer.from(o.before),
    after: Buffer.from(o.after),
    ...(o.id ? { id: o.id } : {}),
  };
}

/** Numbers the drafts (c1, c2, ... unless an id was given) and stamps the step on each. */
export function createPlan(step: string, drafts: ChangeDraft[], options: { createdAt?: Date; rollbackOf?: string } = {}): Plan {
  const seen = new Set<string>();
  const changes = drafts.map((d, i) => {
    const id = d.id ?? `c${i + 1}`;
    if (seen.has(id)) throw new InputError(`duplicate change id ${id} in the plan for ${step}`);
    seen.add(id);
    return { ...d, id, step } as Change;
  });
  return {
    step,
    changes,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    ...(options.rollbackOf ? { rollbackOf: options.rollbackOf } : {}),
  };
}

/** The attribute a change writes, for listings ("nTSecurityDescriptor" for DACL changes). */
export function changeTarget(c: Pick<Change, 'kind'> & { attribute?: string; label?: string }): string {
  switch (c.kind) {
    case 'replace-dacl':
      return 'nTSecurityDescriptor';
    case 'modify-attribute':
      return c.attribute ?? '';
    case 'add-entry':
      return '(new entry)';
    case 'delete-entry':
      return '(entry)';
    case 'replace-file':
      return c.label ?? '(file)';
  }
}
