import * as edwards from '../crypto/curves/edwards.js';
import * as montgomery from '../crypto/curves/montgomery.js';
import * as params from '../crypto/curves/params.js';
import { NotImplementedYet } from './types.js';

/**
 * The curve operations the curve-only kinds of keys.json need (crypto.md §3–§5), taken from the
 * crypto layer's pure path (`sdk/crypto/curves/`) **if it offers them** — found by name at run
 * time so that a missing operation turns into SKIP ("not implemented yet"), not a crash.
 * No curve arithmetic is written here.
 */

/** Montgomery curves. */
export type XCurve = 'X25519' | 'X448';
/** Edwards curves. */
export type EdCurve = 'Ed25519' | 'Ed448';
/** An affine Montgomery point with v (crypto.md §3). */
export interface Point {
  readonly u: bigint;
  readonly v: bigint;
}
/** Projective ladder output (crypto.md §3). */
export interface Ladder {
  readonly x2: bigint;
  readonly z2: bigint;
  readonly x3: bigint;
  readonly z3: bigint;
}

const M = montgomery as unknown as Record<string, unknown>;
const P = params as unknown as Record<string, unknown>;
const E = edwards as unknown as Record<string, unknown>;

function fn<T>(module: Record<string, unknown>, name: string): T {
  const f = module[name];
  if (typeof f !== 'function') throw new NotImplementedYet(`curve operation ${name} is not available`);
  return f as T;
}

type Params = { q: bigint; bytes: number };

function curveParams(curve: XCurve): Params {
  return fn<(c: XCurve) => Params>(P, 'montgomeryParams')(curve);
}

/** Prime subgroup order q (= Edwards L) of a curve. */
export function groupOrder(curve: XCurve | EdCurve): bigint {
  return curveParams(curve === 'Ed25519' ? 'X25519' : curve === 'Ed448' ? 'X448' : curve).q;
}

/** Length of a u-coordinate / scalar (32 / 56). */
export function fieldBytes(curve: XCurve): number {
  return curveParams(curve).bytes;
}

/** RFC 7748 ladder, raw scalar, projective output after the final swap. */
export function ladder(curve: XCurve, k: bigint, u: bigint): Ladder {
  return fn<(c: Params, k: bigint, u: bigint) => Ladder>(M, 'ladder')(curveParams(curve), k, u);
}

/** k·P with v recovered (Okeya–Sakurai). */
export function multiply(curve: XCurve, k: bigint, p: Point): Point {
  return fn<(c: Params, k: bigint, p: Point) => Point>(M, 'multiply')(curveParams(curve), k, p);
}

/** Affine Montgomery addition, doubling included. */
export function add(curve: XCurve, a: Point, b: Point): Point {
  return fn<(c: Params, a: Point, b: Point) => Point>(M, 'add')(curveParams(curve), a, b);
}

/** Signed encoding (u LE ‖ v-parity byte) → point. */
export function decodeSigned(curve: XCurve, bytes: Uint8Array): Point {
  return fn<(c: Params, b: Uint8Array) => Point>(M, 'decodeSigned')(curveParams(curve), bytes);
}

/** Point → signed encoding. */
export function encodeSigned(curve: XCurve, p: Point): Uint8Array {
  return fn<(c: Params, p: Point) => Uint8Array>(M, 'encodeSigned')(curveParams(curve), p);
}

type EdPoint = { add(o: EdPoint): EdPoint; toBytes(): Uint8Array };
type EdPointClass = { fromBytes(b: Uint8Array): EdPoint; BASE: { multiply(k: bigint): EdPoint } };

function edPoint(curve: EdCurve): EdPointClass {
  return fn<(c: EdCurve) => EdPointClass>(E, 'edwardsPoint')(curve);
}

/** Edwards addition of two RFC 8032 encoded points. */
export function edwardsAdd(curve: EdCurve, a: Uint8Array, b: Uint8Array): Uint8Array {
  const Pt = edPoint(curve);
  return Pt.fromBytes(a).add(Pt.fromBytes(b)).toBytes();
}

/** k·B on an Edwards curve, RFC 8032 encoding (k already reduced, non-zero). */
export function edwardsBaseMultiply(curve: EdCurve, k: bigint): Uint8Array {
  return edPoint(curve).BASE.multiply(k).toBytes();
}
