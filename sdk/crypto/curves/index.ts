/**
 * Ed448 / X448 and the Mesh's Curve448 key operations (issue 3; crypto.md; RFC 8032 §5.2;
 * RFC 7748). Providers: `pureEd448` / `pureX448` (@noble/curves), `nativeCurve448()`
 * (node:crypto, where present) and `createWasmCurve448(exports)` (core-wasm/curve448).
 * The refusal policy shared by all of them is documented in policy.ts.
 */
export type { Curve448Mesh, Ed448Api, LadderOutput, ScalarShare, X448Api } from './types.js';
export { pureCurve448Mesh, pureEd448, pureX448 } from './pure.js';
export { nativeCurve448 } from './native.js';
export { createCurve448Mesh, type RandomBytes } from './mesh.js';
export { pureCore } from './core-pure.js';
export type { Curve448Core } from './core.js';
export {
  edwardsPublicKey,
  edwardsSecretScalar,
  montgomeryPublicKey,
  montgomeryPublicKeyFromScalar,
  type EdwardsCurve,
  type MontgomeryCurve,
  type MontgomeryForm,
} from './keys.js';
export {
  edwardsAdd,
  montgomeryAdd,
  montgomeryDecode,
  montgomeryEncode,
  montgomeryLadder,
  montgomeryMultiply,
  montgomerySharedSecret,
  scalarAddModOrder,
  scalarSubModOrder,
} from './generic.js';
export { createWasmCurve448, type WasmCurve448 } from './wasm.js';
