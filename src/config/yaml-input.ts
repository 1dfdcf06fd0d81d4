/**
 * Typed YAML input (playbooks, lab scenarios, any user-written YAML): text + file name + a zod
 * schema -> the parsed value, or one InputError (exit 2) that lists every problem as
 * `file:line:col: key.path: message`, sorted by position. The position is that of the offending
 * key itself (an unknown key at its own line; a cross-field rule at the key its issue names), a
 * list item's own position, or a YAML syntax error's position. Nothing is half-accepted: one
 * problem anywhere and no value is returned.
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';

export interface YamlProblem {
  line: number;
  col: number;
  /** The key path, e.g. `waves[1].gates.minVerifiedPercent` (empty for the whole document). */
  path: string;
  message: string;
}

/** The InputError of a YAML file: `problems` holds each one (tests, --json). */
export class YamlInputError extends InputError {
  readonly file: string;
  readonly problems: YamlProblem[];
  constructor(file: string, problems: YamlProblem[]) {
    const sorted = [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
    const lines = sorted.map((p) => `${file}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
    super(lines.length === 1 ? lines[0]! : `${lines.length} problems in ${file}:\n${lines.join('\n')}`, { reason: 'INVALID_YAML_INPUT' });
    this.name = 'YamlInputError';
    this.file = file;
    this.problems = sorted;
  }
}

type PathKey = string | number;

/** `waves[1].gates.minVerifiedPercent` from ['waves', 1, 'gates', 'minVerifiedPercent']. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out;
}

/** A parsed YAML document that can say where a key path is (for checks made after parsing). */
export interface YamlSource {
  file: string;
  /** The document as plain data (null for an empty file). */
  data: unknown;
  /** line:col of the key (or list item) at `path`, or of the deepest part of it that exists. */
  at(path: readonly PropertyKey[]): { line: number; col: number };
  /** A problem at `path` (to collect and throw as one YamlInputError). */
  problem(path: readonly PropertyKey[], message: string): YamlProblem;
}

interface Located {
  /** The node holding the value at the path (absent when the path stops early). */
  value?: Node | null;
  /** Offset of the key or item that names the path's last part that exists. */
  offset: number;
  /** Whether the whole path exists. */
  found: boolean;
}

function locate(doc: Document, path: readonly PropertyKey[]): Located {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const k of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(k));
      if (!pair) return { offset, found: false };
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof k === 'number') {
      const item = node.items[k] as Node | undefined;
      if (!item) return { offset, found: false };
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      return { offset, found: false };
    }
  }
  return { value: node as Node | null, offset, found: true };
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
};

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 37)}...` : v}"`;
  return String(v);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** A zod issue in words an admin reads (zod's defaults for the rest). */
function issueMessage(issue: z.core.$ZodIssue, exists: boolean, value: unknown): string {
  // a schema's own message (z.never({ error }), refinements) says more than a generic one
  const generic = /^Invalid (input|option)\b/.test(issue.message);
  if (!generic && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      const want = TYPE_WORDS[issue.expected] ?? issue.expected;
      return exists ? `must be ${want}, not ${describeValue(value)}` : `is required (${want})`;
    }
    case 'invalid_value': {
      const want = issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return exists ? `must be ${want}` : `is required (${want})`;
    }
    case 'invalid_union': {
      const wants = issue.errors.flatMap((branch) => branch.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => (i.code === 'invalid_type' ? (TYPE_WORDS[i.expected] ?? i.expected) : '')));
      return wants.length === issue.errors.length && wants.length ? `must be ${[...new Set(wants)].join(' or ')}, not ${describeValue(value)}` : issue.message;
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return 'must list at least one item';
      return issue.message;
    default:
      return issue.message;
  }
}

/** Parses YAML text; syntax errors (with their positions) become one YamlInputError. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length) {
    throw new YamlInputError(
      file,
      doc.errors.map((e) => {
        const { line, col } = pos(e.pos[0]);
        return { line, col, path: '', message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+$/, '') };
      }),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const at = (path: readonly PropertyKey[]) => pos(locate(doc, path).offset);
  return {
    file,
    data,
    at,
    problem: (path, message) => ({ ...at(path), path: formatKeyPath(path), message }),
  };
}

/** Every zod issue as a problem at the key it names (unknown keys at their own line). */
export function zodProblems(source: YamlSource, issues: readonly z.core.$ZodIssue[]): YamlProblem[] {
  const out: YamlProblem[] = [];
  for (const issue of issues) {
    const path = issue.path as PathKey[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(source.problem([...path, key], 'unknown key'));
      continue;
    }
    const exists = valueAt(source.data, path) !== undefined || path.length === 0;
    out.push(source.problem(path, issueMessage(issue, exists, valueAt(source.data, path))));
  }
  return out;
}

/** YAML text -> the schema's output, or one YamlInputError listing every problem. */
export function parseYamlInput<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const source = parseYamlSource(text, file);
  const r = schema.safeParse(source.data ?? {});
  if (!r.success) throw new YamlInputError(file, zodProblems(source, r.error.issues));
  return r.data;
}

/** Reads `file` and parses it as above; an unreadable file is an InputError naming it. */
export function readYamlInput<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code}`);
  }
  return parseYamlInput(text, file, schema);
}
