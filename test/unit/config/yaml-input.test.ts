import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExitCode, InputError } from '../../../src/errors.js';
import { formatKeyPath, parseYamlInput, parseYamlSource, readYamlInput, YamlInputError } from '../../../src/config/yaml-input.js';

const schema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1),
    mode: z.enum(['ad', 'entra', 'off']).default('ad'),
    items: z
      .array(
        z
          .object({
            name: z.string(),
            gates: z.object({ percent: z.number().int().min(0, 'must be 0-100').max(100, 'must be 0-100') }).strict().optional(),
          })
          .strict(),
      )
      .default([]),
    history: z.number().int().min(0).max(12).optional(),
    encrypted: z.boolean().default(true),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.history && !o.encrypted) ctx.addIssue({ code: 'custom', path: ['history'], message: 'only with encryption' });
  });

function problemsOf(text: string): YamlInputError {
  try {
    parseYamlInput(text, 'pb.yaml', schema);
  } catch (e) {
    expect(e).toBeInstanceOf(YamlInputError);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(ExitCode.USAGE);
    return e as YamlInputError;
  }
  throw new Error('expected the input to be refused');
}

describe('yaml-input', () => {
  it('returns the typed value with defaults filled', () => {
    const v = parseYamlInput('version: 1\nname: x\nitems:\n  - name: a\n    gates: { percent: 95 }\n', 'pb.yaml', schema);
    expect(v).toEqual({ version: 1, name: 'x', mode: 'ad', items: [{ name: 'a', gates: { percent: 95 } }], encrypted: true });
  });

  it('formats key paths with list indexes', () => {
    expect(formatKeyPath(['waves', 1, 'gates', 'minVerifiedPercent'])).toBe('waves[1].gates.minVerifiedPercent');
    expect(formatKeyPath([])).toBe('');
  });

  it('puts an unknown key at its own line and column', () => {
    const e = problemsOf('version: 1\nname: x\nitems:\n  - name: a\n    gatez: 1\n');
    expect(e.problems).toEqual([{ line: 5, col: 5, path: 'items[0].gatez', message: 'unknown key' }]);
    expect(e.message).toBe('pb.yaml:5:5: items[0].gatez: unknown key');
  });

  it('lists every problem, sorted by position, with the key path', () => {
    const e = problemsOf('version: 2\nname: x\nmode: cloud\nitems:\n  - name: a\n    gates: { percent: 101 }\n  - name: b\n    gates:\n      percent: 1.5\nextra: true\n');
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('5 problems in pb.yaml:');
    expect(lines.slice(1)).toEqual([
      'pb.yaml:1:1: version: must be 1',
      'pb.yaml:3:1: mode: must be one of: "ad", "entra", "off"',
      'pb.yaml:6:14: items[0].gates.percent: must be 0-100',
      expect.stringMatching(/^pb\.yaml:9:7: items\[1\]\.gates\.percent: /),
      'pb.yaml:10:1: extra: unknown key',
    ]);
  });

  it('says what type a value must be, and what it is', () => {
    const e = problemsOf('version: 1\nname: [a, b]\nencrypted: "yes"\n');
    expect(e.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`)).toEqual([
      '2:1 name: must be a string, not a list',
      '3:1 encrypted: must be true or false, not "yes"',
    ]);
  });

  it('reports a missing required key at the mapping that lacks it', () => {
    const e = problemsOf('name: x\n');
    expect(e.problems).toEqual([{ line: 1, col: 1, path: 'version', message: 'is required (1)' }]);
  });

  it('puts a cross-field error at the key that breaks the rule', () => {
    const e = problemsOf('version: 1\nname: x\nencrypted: false\n\nhistory: 3\n');
    expect(e.problems).toEqual([{ line: 5, col: 1, path: 'history', message: 'only with encryption' }]);
  });

  it('reports YAML syntax errors with their positions', () => {
    const e = problemsOf('version: 1\nname: x\nitems: [a, b\n');
    expect(e.problems.length).toBeGreaterThan(0);
    expect(e.problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toMatch(/^(\d+ problems in pb\.yaml:\n)?pb\.yaml:\d+:\d+: /);
  });

  it('refuses a duplicate key at the second occurrence', () => {
    const e = problemsOf('version: 1\nname: x\nname: y\n');
    expect(e.problems[0]).toMatchObject({ line: 3, col: 1 });
    expect(e.problems[0]!.message).toMatch(/unique/i);
  });

  it('treats an empty file as an empty mapping', () => {
    const e = problemsOf('');
    expect(e.problems.map((p) => p.path).sort()).toEqual(['name', 'version']);
  });

  it('locates keys for checks made after parsing', () => {
    const src = parseYamlSource('a:\n  b:\n    - x\n    - y\n', 'f.yaml');
    expect(src.at(['a', 'b', 1])).toEqual({ line: 4, col: 7 });
    expect(src.at(['a', 'missing'])).toEqual({ line: 1, col: 1 });
    expect(src.problem(['a', 'b'], 'bad')).toEqual({ line: 2, col: 3, path: 'a.b', message: 'bad' });
  });

  it('reads a file and names it when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lm-yaml-'));
    const f = join(dir, 'p.yaml');
    writeFileSync(f, 'version: 1\nname: n\n');
    expect(readYamlInput(f, schema).name).toBe('n');
    expect(() => readYamlInput(join(dir, 'none.yaml'), schema)).toThrow(new InputError(`cannot read ${join(dir, 'none.yaml')}: no such file`));
  });
});
