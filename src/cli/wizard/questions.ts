/**
 * The wizard's questions come from a step's own options schema (zod): the field's type decides
 * the prompt (yes/no, number with its range, one of a list, several of a list, text), its
 * `.describe()` text is the question and its default the proposed answer. Pure: schema in,
 * question specs out; prompting happens in ask.ts.
 */
import type { z } from 'zod';
import type { Choice } from '../../steps/step.js';

export type Question =
  | { key: string; kind: 'confirm'; message: string; default: boolean }
  | { key: string; kind: 'number'; message: string; default: number | undefined; min: number | undefined; max: number | undefined }
  | { key: string; kind: 'select'; message: string; default: string | undefined; choices: Choice[]; optional: boolean }
  | { key: string; kind: 'checkbox'; message: string; default: string[]; choices: Choice[]; required: boolean }
  | { key: string; kind: 'input'; message: string; default: string | undefined; optional: boolean };

interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  element?: z.ZodType;
  entries?: Record<string, string>;
}

function defOf(t: z.ZodType): Def {
  return (t as unknown as { def: Def }).def;
}

/** Unwraps default/optional wrappers: the base type, its default and whether it may be left out. */
function unwrap(field: z.ZodType): { base: z.ZodType; defaultValue: unknown; optional: boolean } {
  let t = field;
  let defaultValue: unknown;
  let optional = false;
  for (let d = defOf(t); d.type === 'default' || d.type === 'optional' || d.type === 'nullable'; d = defOf(t)) {
    if (d.type === 'default') defaultValue = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
    else optional = true;
    t = d.innerType!;
  }
  return { base: t, defaultValue, optional };
}

const humanize = (key: string) => key.replace(/([A-Z])/g, ' $1').toLowerCase();

/** The questions for `keys` of an object schema, in order; `current` overrides the defaults. */
export function questionsFor(schema: z.ZodType, keys: string[], choices: Record<string, Choice[]> = {}, current: Record<string, unknown> = {}): Question[] {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) throw new Error('a step options schema must be a zod object');
  return keys.map((key): Question => {
    const field = shape[key];
    if (!field) throw new Error(`the options schema has no key "${key}"`);
    const { base, defaultValue, optional } = unwrap(field);
    const message = field.description ?? base.description ?? humanize(key);
    const value = key in current ? current[key] : defaultValue;
    const d = defOf(base);
    const offered = choices[key];
    switch (d.type) {
      case 'boolean':
        return { key, kind: 'confirm', message, default: value === true };
      case 'number': {
        const n = base as unknown as { minValue: number | null; maxValue: number | null };
        return { key, kind: 'number', message, default: typeof value === 'number' ? value : undefined, min: n.minValue ?? undefined, max: n.maxValue ?? undefined };
      }
      case 'enum':
        return { key, kind: 'select', message, default: typeof value === 'string' ? value : undefined, choices: Object.values(d.entries ?? {}).map((v) => ({ name: v, value: v })), optional };
      case 'array':
        return { key, kind: 'checkbox', message, default: Array.isArray(value) ? value.map(String) : [], choices: offered ?? [], required: !base.safeParse([]).success };
      default:
        if (offered) return { key, kind: 'select', message, default: typeof value === 'string' ? value : undefined, choices: offered, optional };
        // a text with a default (even '') may be left empty: the schema's default applies
        return { key, kind: 'input', message, default: typeof value === 'string' && value !== '' ? value : undefined, optional: optional || defaultValue !== undefined };
    }
  });
}
