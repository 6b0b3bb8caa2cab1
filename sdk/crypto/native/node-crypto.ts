import type * as NodeCrypto from 'node:crypto';

/**
 * The runtime's own crypto (OpenSSL/BoringSSL through node:crypto) on Node, Deno and Bun.
 * Found with `process.getBuiltinModule`, so no bundler ever sees an import of `node:crypto`
 * and browsers simply have no native provider.
 */
export function loadNodeCrypto(): typeof NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const mod = proc?.getBuiltinModule?.('node:crypto') as typeof NodeCrypto | undefined;
    return mod && typeof mod.createHash === 'function' ? mod : undefined;
  } catch {
    return undefined;
  }
}
