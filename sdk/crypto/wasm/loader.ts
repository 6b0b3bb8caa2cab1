import { CryptoError } from '../errors.js';

/**
 * Instantiates the WASM families of the core. Bytes are inlined (base64) by the build, so no
 * runtime touches the filesystem or network to load them; callers that may not compile bytes
 * (edge workers, strict CSPs with a precompiled module allowed) pass a `WebAssembly.Module`.
 */

/** A family's code: a precompiled module, or its bytes. */
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView;

/** The AssemblyScript runtime stub imports only `env.abort`; it never fires with `noAssert`. */
function imports(family: string): WebAssembly.Imports {
  return {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new CryptoError('CRYPTO_WASM_FAILED', `WASM ${family} core aborted at ${line}:${column}`);
      },
    },
  };
}

/** Decodes the inlined base64 (atob exists in every runtime the SDK supports). */
export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function asBytes(source: ArrayBuffer | ArrayBufferView): Uint8Array<ArrayBuffer> {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const copy = new Uint8Array(source.byteLength);
  copy.set(new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  return copy;
}

/** Asynchronous instantiation: required in browsers for modules over 4 KiB on the main thread. */
export async function instantiateFamily(family: string, source: WasmSource): Promise<WebAssembly.Exports> {
  try {
    const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(asBytes(source));
    const instance = await WebAssembly.instantiate(module, imports(family));
    return instance.exports;
  } catch (cause) {
    throw new CryptoError('CRYPTO_WASM_FAILED', `could not instantiate the WASM ${family} core: ${String(cause)}`, { cause });
  }
}

/** Synchronous instantiation, for Node, Deno, Bun and workers (not a browser main thread). */
export function instantiateFamilySync(family: string, source: WasmSource): WebAssembly.Exports {
  try {
    const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(asBytes(source));
    return new WebAssembly.Instance(module, imports(family)).exports;
  } catch (cause) {
    throw new CryptoError('CRYPTO_WASM_FAILED', `could not instantiate the WASM ${family} core: ${String(cause)}`, { cause });
  }
}
