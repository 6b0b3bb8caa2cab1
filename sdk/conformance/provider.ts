import { init } from '../crypto/index.js';
import { PRIMITIVES } from '../crypto/selection.js';
import type { Primitive, ProviderName } from '../crypto/types.js';

/**
 * Which crypto the conformance runner evaluates vectors on (`--provider NAME`): `default` is the
 * routing an application gets after `init()` (WASM for short inputs, node:crypto for bulk where
 * present); `wasm` and `pure` route every primitive to that provider; `native` routes to
 * node:crypto every primitive it implements, and leaves Ed448/X448 on the default route because
 * node:crypto has no Ed448 contexts and none of the Mesh's composite-key operations (crypto.md §4).
 */
export type ConformanceProvider = 'default' | ProviderName;

export const CONFORMANCE_PROVIDERS: readonly ConformanceProvider[] = ['default', 'wasm', 'pure', 'native'];

const NATIVE_LACKS: readonly Primitive[] = ['ed448', 'x448'];

/** The `init()` preference that realises `provider` (undefined for the default routing). */
export function preferenceFor(provider: ConformanceProvider): ProviderName | Partial<Record<Primitive, ProviderName>> | undefined {
  if (provider === 'default') return undefined;
  if (provider === 'native') return Object.fromEntries(PRIMITIVES.filter((p) => !NATIVE_LACKS.includes(p)).map((p) => [p, 'native']));
  return provider;
}

/** Loads the WASM core and routes the primitives for `provider` (throws CRYPTO_UNAVAILABLE if absent). */
export async function useProvider(provider: ConformanceProvider): Promise<void> {
  await init({ prefer: preferenceFor(provider) });
}

export function isConformanceProvider(name: string): name is ConformanceProvider {
  return (CONFORMANCE_PROVIDERS as readonly string[]).includes(name);
}
