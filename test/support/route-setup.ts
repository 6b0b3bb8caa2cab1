import { initSync, route } from '../../sdk/crypto/index.js';
import { PRIMITIVES } from '../../sdk/crypto/selection.js';
import { isConformanceProvider, preferenceFor } from '../../sdk/conformance/provider.js';

/**
 * Setup file of the `route:*` vitest projects (vitest.config.ts): routes every primitive before a
 * vector suite runs, so the same suite checks each provider and the default route after `init()`
 * through the SDK's public entry points — the path users take. Without this the suites ran only
 * on the routes that exist before `init()` (native and pure), and a wrong constant in the WASM
 * core passed them. MATHMESH_TEST_ROUTE names the route as the conformance runner's `--provider`
 * does (sdk/conformance/provider.ts: default, wasm, pure, native).
 */
const name = process.env['MATHMESH_TEST_ROUTE'] ?? '';
if (!isConformanceProvider(name)) throw new Error(`MATHMESH_TEST_ROUTE must be default, wasm, pure or native (got '${name}')`);
const prefer = preferenceFor(name);
initSync({ prefer });

// A route that did not take would make every suite of this project a copy of the plain run.
const expected = name === 'default'
  ? { ed448: 'wasm', x448: 'wasm', hkdfSha512: 'wasm', merkleRoot: 'wasm' }
  : typeof prefer === 'string' ? Object.fromEntries(PRIMITIVES.map((p) => [p, prefer])) : prefer!;
for (const [primitive, provider] of Object.entries(expected)) {
  for (const size of [0, 1 << 20]) {
    const actual = route(primitive as Parameters<typeof route>[0], size);
    if (actual !== provider) throw new Error(`route:${name}: ${primitive} (${size} bytes) is served by ${actual}, not ${provider}`);
  }
}
