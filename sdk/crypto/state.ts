import { CryptoError } from './errors.js';
import { nativeSymmetric } from './native/symmetric.js';
import { pureSymmetric } from './pure/symmetric.js';
import { defaultRoutes, type Route } from './selection.js';
import type { Primitive, ProviderName, SymmetricProvider } from './types.js';

/**
 * The routing state shared by every entry point: which providers exist and which one serves
 * each primitive. Kept apart from index.ts so that `mathmesh/udf` can hash through the same
 * routes (and benefit from an `init()` made anywhere in the app) without importing curve code.
 */
export const routing: {
  /** The loaded WASM provider (set by `init()` in index.ts). */
  wasm?: SymmetricProvider;
  /** Why the WASM core could not be loaded, for error messages. */
  wasmError?: unknown;
  routes: Record<Primitive, Route>;
  /** Set when `init({ prefer: name })` forced one provider for everything. */
  preferred?: ProviderName;
  /** The primitives `init({ prefer: { … } })` named, whose route is the caller's, not measured. */
  forced?: ReadonlySet<Primitive>;
} = {
  routes: defaultRoutes(false, nativeSymmetric() !== undefined),
};

/** The symmetric part of the named provider; throws CRYPTO_UNAVAILABLE when it is absent. */
export function symmetricProvider(name: ProviderName): SymmetricProvider {
  const p = name === 'pure' ? pureSymmetric : name === 'wasm' ? routing.wasm : nativeSymmetric();
  if (!p) throw unavailable(name);
  return p;
}

export function unavailable(name: ProviderName): CryptoError {
  const why = name === 'wasm'
    ? `the WASM core is not loaded${routing.wasmError ? ` (${String(routing.wasmError)})` : ': call init() first'}`
    : 'this runtime has no node:crypto';
  return new CryptoError('CRYPTO_UNAVAILABLE', `provider '${name}' is unavailable: ${why}`);
}

/** The provider that serves `primitive` for an input of `size` bytes under the current routing. */
export function route(primitive: Primitive, size = 0): ProviderName {
  const r = routing.routes[primitive];
  return size >= r.threshold ? r.large : r.small;
}
