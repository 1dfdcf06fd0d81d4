// The layer order of src/ (docs/ARCHITECTURE.md), enforced by lint: a module may import its own
// layer and the layers below it, never one above it or a sibling of the same rank; the pure
// layers (security, dpapi-ng, laps, dtyp, model, config's callers aside) never touch the network
// or the file system. Static imports are checked by no-restricted-imports, `await import()` by
// no-restricted-syntax.

/** Rank of each folder (and root module) of src/: higher imports lower, equal ranks are siblings. */
export const LAYER_RANKS = {
  cli: 90,
  playbook: 80,
  steps: 70,
  lab: 70,
  report: 60,
  gpo: 55,
  journal: 50,
  directory: 40,
  laps: 32,
  'dpapi-ng': 31,
  security: 31,
  dtyp: 20,
  model: 10,
  config: 10,
  errors: 0,
  version: 0,
};

/** Layers that work on bytes and plain objects only. */
export const PURE_LAYERS = ['security', 'dpapi-ng', 'laps', 'dtyp', 'model'];
const IMPURE_MODULES = ['node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'ldapts', 'node:net', 'node:tls', 'node:child_process'];

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex matching relative imports of the given layers (folders or root modules) of src/. */
function layerRegex(layers) {
  const alt = layers.map(esc).join('|');
  // "../x/…", "../../x/…", "../x.js" (root modules); never a sub-folder of the importing layer
  return `^(?:\\.\\./)+(?:${alt})(?:/|\\.js$)`;
}

function forbiddenFor(layer) {
  const rank = LAYER_RANKS[layer];
  return Object.keys(LAYER_RANKS).filter((other) => other !== layer && LAYER_RANKS[other] >= rank);
}

/** One flat-config entry per layer. */
export function layerRules() {
  return Object.keys(LAYER_RANKS).map((layer) => {
    const forbidden = forbiddenFor(layer);
    const pure = PURE_LAYERS.includes(layer);
    const message = `${layer}/ may import only the layers below it (docs/ARCHITECTURE.md "Layers")`;
    const patterns = forbidden.length ? [{ regex: layerRegex(forbidden), message }] : [];
    const paths = pure ? IMPURE_MODULES.map((name) => ({ name, message: `${layer}/ is pure: no file system or network (docs/ARCHITECTURE.md)` })) : [];
    const files = ['errors', 'version'].includes(layer) ? [`src/${layer}.ts`] : [`src/${layer}/**/*.ts`];
    const dynamic = forbidden.length
      ? [{ selector: `ImportExpression[source.value=/${layerRegex(forbidden).replace(/\//g, '\\/')}/]`, message }]
      : [];
    if (pure) dynamic.push(...IMPURE_MODULES.map((m) => ({ selector: `ImportExpression[source.value='${m}']`, message: `${layer}/ is pure: no file system or network` })));
    return {
      files,
      rules: {
        'no-restricted-imports': ['error', { paths, patterns }],
        ...(dynamic.length ? { 'no-restricted-syntax': ['error', ...dynamic] } : {}),
      },
    };
  });
}
