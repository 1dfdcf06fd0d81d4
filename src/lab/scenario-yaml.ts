/**
 * YAML text + zod schema -> typed value, or one InputError listing every problem as
 * `file:line:col: key.path: message`. Local to the lab's scenario loader until the generic
 * src/config/yaml-input.ts (branch `playbooks`) lands; same contract, so switching is one import.
 */
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';

function position(doc: Document, counter: LineCounter, path: PropertyKey[]): { line: number; col: number } {
  // walk down as far as the path exists, so a missing key points at its parent
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as Array<string | number>, true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

export function parseYamlInput<S extends z.ZodType>(text: string, file: string, schema: S): z.infer<S> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const lines = doc.errors.map((e) => {
      const p = counter.linePos(e.pos[0]);
      return `${file}:${p.line}:${p.col}: ${e.message.split('\n')[0]}`;
    });
    throw new InputError(`${file} is not valid YAML:\n${lines.join('\n')}`);
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const p = position(doc, counter, issue.path);
    const keyPath = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    return `${file}:${p.line}:${p.col}: ${keyPath}: ${issue.message}`;
  });
  throw new InputError(`${file} has ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
}
