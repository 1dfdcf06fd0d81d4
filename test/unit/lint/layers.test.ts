/**
 * The layer order is enforced by lint (eslint-layers.js): these fixtures are linted as if they
 * were files of src/, so an upward import, a sibling import and an impure import in a pure layer
 * must each fail, and imports that follow the order must pass.
 */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { LAYER_RANKS, PURE_LAYERS } from '../../../eslint-layers.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: repo });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('layer rules', () => {
  it('fail an upward import (security/ importing directory/, steps/ importing cli/)', async () => {
    const security = await layerErrors('src/security/fixture.ts', "import type { Directory } from '../directory/types.js';\nexport type D = Directory;\n");
    expect(security).toHaveLength(1);
    expect(security[0]).toMatch(/security\/ may import only the layers below it/);
    const steps = await layerErrors('src/steps/permissions/fixture.ts', "import { registerPassword } from '../../cli/password.js';\nexport const r = registerPassword;\n");
    expect(steps).toEqual([expect.stringMatching(/steps\/ may import only the layers below it/)]);
  });

  it('fail a dynamic upward import and an import between siblings of one rank', async () => {
    expect(await layerErrors('src/report/fixture.ts', "export const load = () => import('../steps/registry.js');\n")).toHaveLength(1);
    expect(await layerErrors('src/security/fixture.ts', "import { parseDpapiNgBlob } from '../dpapi-ng/dpapi-ng-blob.js';\nexport const p = parseDpapiNgBlob;\n")).toHaveLength(1);
    expect(await layerErrors('src/lab/fixture.ts', "import { runInventory } from '../steps/inventory.js';\nexport const r = runInventory;\n")).toHaveLength(1);
  });

  it('fail the file system or LDAP in a pure layer', async () => {
    for (const layer of PURE_LAYERS) {
      const errors = await layerErrors(`src/${layer}/fixture.ts`, "import { readFileSync } from 'node:fs';\nimport { Client } from 'ldapts';\nexport const x = [readFileSync, Client];\n");
      expect(errors, layer).toHaveLength(2);
    }
  });

  it('pass imports that point downward or stay inside a layer', async () => {
    expect(await layerErrors('src/steps/schema/fixture.ts', "import { kdsServiceDn } from '../../directory/kds.js';\nimport type { Finding } from '../../model/step-result.js';\nimport { DFL_2016 } from './model.js';\nexport const x = [kdsServiceDn, DFL_2016] as Array<unknown> as Finding[];\n")).toEqual([]);
    expect(await layerErrors('src/laps/fixture.ts', "import { guidToBytes } from '../dtyp/guid.js';\nimport { parseDpapiNgBlob } from '../dpapi-ng/dpapi-ng-blob.js';\nexport const x = [guidToBytes, parseDpapiNgBlob];\n")).toEqual([]);
    expect(await layerErrors('src/directory/fixture.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
  });

  it('rank every folder of src/', async () => {
    const { readdirSync } = await import('node:fs');
    const entries = readdirSync(new URL('../../../src/', import.meta.url), { withFileTypes: true }).map((e) => e.name.replace(/\.ts$/, ''));
    for (const e of entries) expect(Object.keys(LAYER_RANKS), `src/${e} has no rank in eslint-layers.js`).toContain(e);
  });
});
