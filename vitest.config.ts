import { defineConfig } from 'vitest/config';

/**
 * Vector suites that reach crypto only through the SDK's routed entry points. Each also runs in
 * one `route:*` project per route (test/support/route-setup.ts): every provider, and the default
 * route after `init()`. Suites that pick providers themselves (hash, curve448, aes, sequences)
 * or run the conformance runner per provider (conformance.test.ts) are not listed.
 */
const ROUTED_VECTOR_SUITES = [
  'test/udf.test.ts',
  'test/udf-keys.test.ts',
  'test/udf-shamir.test.ts',
  'test/mesh-keys.test.ts',
  'test/mesh-objects.test.ts',
  'test/dare-envelope-vectors.test.ts',
];
const ROUTES = ['default', 'wasm', 'pure', 'native'] as const;

export default defineConfig({
  test: {
    // Two cores: one worker per core keeps the WASM-vs-native differential suites from starving each other.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true as const, test: { name: 'node', include: ['test/**/*.test.ts'] } },
      ...ROUTES.map((route) => ({
        extends: true as const,
        test: {
          name: `route:${route}`,
          include: ROUTED_VECTOR_SUITES,
          setupFiles: ['test/support/route-setup.ts'],
          env: { MATHMESH_TEST_ROUTE: route },
        },
      })),
    ],
  },
});
