/** Asks one question from questions.ts with @inquirer/prompts and returns the answer as an option value. */
import type { Question } from './questions.js';

export async function ask(q: Question): Promise<unknown> {
  const p = await import('@inquirer/prompts');
  switch (q.kind) {
    case 'confirm':
      return p.confirm({ message: q.message, default: q.default });
    case 'number':
      return p.number({ message: `${q.message}${q.min !== undefined && q.max !== undefined ? ` (${q.min}-${q.max})` : ''}`, default: q.default, min: q.min, max: q.max, step: 1, required: true });
    case 'select': {
      const NONE = '\u0000none';
      const choices = q.optional ? [{ name: '(no limit: all)', value: NONE }, ...q.choices] : q.choices;
      const v = await p.select({ message: q.message, choices, default: q.default ?? (q.optional ? NONE : undefined) });
      return v === NONE ? undefined : v;
    }
    case 'checkbox':
      if (!q.choices.length) return q.default;
      return p.checkbox({ message: q.message, required: q.required, choices: q.choices.map((c) => ({ ...c, checked: q.default.includes(c.value) })) });
    case 'input': {
      const v = await p.input({ message: q.message, default: q.default, required: !q.optional });
      return v === '' ? undefined : v;
    }
  }
}
