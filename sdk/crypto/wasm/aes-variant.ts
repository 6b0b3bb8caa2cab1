import { wasmBase64 as aesBase64 } from './generated/aes.js';
import { wasmBase64 as aesRelaxedBase64 } from './generated/aes-relaxed.js';
import { wasmBase64 as frameBase64 } from './generated/frame.js';
import { wasmBase64 as frameRelaxedBase64 } from './generated/frame-relaxed.js';
import { decodeBase64, type WasmSource } from './loader.js';

/**
 * Which build of the AES family runs. Both compile core-wasm/aes/ (core-wasm/aes/flags.json):
 * - `relaxed-simd`: every table lookup is `i8x16.relaxed_swizzle`, a bare `pshufb` / `tbl`;
 * - `simd`: `i8x16.swizzle`, which V8 lowers to `paddusb` + `pshufb` on x86-64.
 * They compute the same function in constant time on every engine: the cipher only ever uses
 * swizzle indices in 0..15 or 0x80..0x8F, where relaxed SIMD fixes the result (the proof is the
 * exhaustive check in core-wasm/aes/gen-tables.mjs; the argument in core-wasm/aes/vperm.ts).
 */
export type AesVariant = 'relaxed-simd' | 'simd';

/**
 * The smallest module that uses relaxed SIMD:
 * `(func (param v128 v128) (result v128) local.get 0 local.get 1 i8x16.relaxed_swizzle)`
 * (binary format: type, function and code sections; relaxed_swizzle is opcode 0xfd 0x100).
 */
const RELAXED_SIMD_PROBE = Uint8Array.of(
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7b, 0x7b, 0x01, 0x7b, // type section: (v128, v128) -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0b, 0x01, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0x80, 0x02, 0x0b, // code section
);

let probed: boolean | undefined;

/**
 * Whether this engine compiles relaxed-SIMD code, found by compiling the tiny probe module once
 * (Chromium 114+, Node 22+, Deno and Bun have it on; Node 20 only with --experimental-wasm-relaxed-simd;
 * a CSP without `wasm-unsafe-eval` refuses every compilation, so the answer is then false).
 * Compiling rather than checking version strings is the only test that cannot be wrong.
 */
export function relaxedSimdSupported(): boolean {
  if (probed === undefined) {
    try {
      probed = new WebAssembly.Module(RELAXED_SIMD_PROBE) instanceof WebAssembly.Module;
    } catch {
      probed = false;
    }
  }
  return probed;
}

/**
 * The AES builds to try, best first: the relaxed-SIMD one only where it can run, then the plain
 * one. Thunks, so that bytes are decoded only for the build that is instantiated.
 */
export function aesCandidates(sources: { aes?: WasmSource; aesRelaxed?: WasmSource | false }): (() => WasmSource)[] {
  const plain = (): WasmSource => sources.aes ?? decodeBase64(aesBase64);
  // A caller that supplies its own `aes` build (e.g. precompiled for a runtime that may not
  // compile bytes) gets the relaxed build only if it supplies that too.
  const relaxed = sources.aesRelaxed ?? (sources.aes === undefined ? undefined : false);
  if (relaxed === false || !relaxedSimdSupported()) return [plain];
  return [() => relaxed ?? decodeBase64(aesRelaxedBase64), plain];
}

/**
 * The frame family's builds to try, best first (it holds the AES rounds too, so it has the same
 * two builds and the same choice as {@link aesCandidates}).
 */
export function frameCandidates(sources: { frame?: WasmSource; frameRelaxed?: WasmSource | false }): (() => WasmSource)[] {
  const plain = (): WasmSource => sources.frame ?? decodeBase64(frameBase64);
  const relaxed = sources.frameRelaxed ?? (sources.frame === undefined ? undefined : false);
  if (relaxed === false || !relaxedSimdSupported()) return [plain];
  return [() => relaxed ?? decodeBase64(frameRelaxedBase64), plain];
}

/** The build an instantiated AES family is (its `relaxedSimd` export; builds before it were plain). */
export function aesVariantOf(exports: WebAssembly.Exports): AesVariant {
  const f = (exports as Record<string, unknown>)['relaxedSimd'];
  return typeof f === 'function' && (f as () => number)() === 1 ? 'relaxed-simd' : 'simd';
}
