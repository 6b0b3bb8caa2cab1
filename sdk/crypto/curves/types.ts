/**
 * Public interfaces of the curve primitives (issue 3). Every provider (`pure`, `wasm`,
 * `native`) exposes `ed448` and `x448` with exactly these shapes and the same refusal policy
 * (see `policy.ts`).
 */

/** RFC 8032 §5.2 Ed448 (pure EdDSA, not Ed448ph) with an optional context of at most 255 bytes. */
export interface Ed448Api {
  /** 57-byte public key of a 57-byte RFC 8032 secret key. */
  getPublicKey(secret: Uint8Array): Uint8Array;
  /** 114-byte deterministic signature R ‖ S. */
  sign(message: Uint8Array, secret: Uint8Array, context?: Uint8Array): Uint8Array;
  /**
   * True when the signature is valid. False for a well-formed signature that does not verify;
   * a typed `CryptoError` for malformed input (policy.ts).
   */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, context?: Uint8Array): boolean;
}

/** RFC 7748 §5 X448. Keys and shared secrets are the 56-byte u-coordinate encodings. */
export interface X448Api {
  /** 56-byte public key of a 56-byte private key (clamped as RFC 7748 decodeScalar448). */
  getPublicKey(scalar: Uint8Array): Uint8Array;
  /** 56-byte shared secret; refuses small-order peers (all-zero result) and non-canonical u. */
  getSharedSecret(scalar: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

/** Raw projective output of the RFC 7748 ladder (crypto.md §3), each a 56-byte LE field element. */
export interface LadderOutput {
  readonly x2: Uint8Array;
  readonly z2: Uint8Array;
  readonly x3: Uint8Array;
  readonly z3: Uint8Array;
}

/** A Shamir share over the group order (crypto.md §6): x is the non-zero evaluation point. */
export interface ScalarShare {
  readonly x: number;
  readonly y: Uint8Array;
}

/**
 * The Mesh key operations of crypto.md on Curve448 (Ed448 and X448 share the group order
 * L = q). Scalars are 56-byte little-endian integers; Ed448 points use the RFC 8032 57-byte
 * encoding, X448 points the 57-byte signed form (u LE ‖ 0x80 if v odd else 0x00).
 */
export interface Curve448Mesh {
  /** RFC 8032 §5.2.5 pruned secret scalar of a 56-byte Mesh seed or 57-byte secret (unreduced, 56 B). */
  ed448ScalarFromSeed(seed: Uint8Array): Uint8Array;
  /** Ed448 public key of a 56-byte Mesh seed (udf.md §8.1) or a 57-byte RFC 8032 secret. */
  ed448PublicKeyFromSeed(seed: Uint8Array): Uint8Array;
  /** s·B for a raw scalar (crypto.md §4: composite keys are scalars). */
  ed448PublicKeyFromScalar(scalar: Uint8Array): Uint8Array;
  /** Edwards addition of two public keys (key co-generation, crypto.md §4). */
  ed448AddPublicKeys(a: Uint8Array, b: Uint8Array): Uint8Array;
  /**
   * RFC 8032 signature with a raw (e.g. composite) scalar. The nonce prefix is secret and
   * deterministic: prefix = SHAKE256(s mod L as 56 B LE, 57) (threshold-06 §5.1 option 2).
   */
  ed448SignWithScalar(message: Uint8Array, scalar: Uint8Array, context?: Uint8Array): Uint8Array;
  /** (a + b) mod L. */
  scalarAdd(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** (a − b) mod L. */
  scalarSub(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** (a · b) mod L. */
  scalarMul(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** x mod L of a little-endian integer of up to 114 bytes. */
  scalarReduce(x: Uint8Array): Uint8Array;
  /** RFC 7748 clamp of a 56-byte X448 private key, as the scalar it denotes. */
  x448Clamp(privateKey: Uint8Array): Uint8Array;
  /** Signed 57-byte X448 public key of a private key (clamped). */
  x448PublicKeySigned(privateKey: Uint8Array): Uint8Array;
  /** Signed 57-byte X448 public key of a raw scalar (never clamped). */
  x448PublicKeyFromScalar(scalar: Uint8Array): Uint8Array;
  /** Montgomery affine addition of two signed points, including the doubling branch (crypto.md §3). */
  x448AddPoints(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** k·P with v recovered (Okeya–Sakurai), raw scalar, P in signed form. */
  x448Multiply(scalar: Uint8Array, point: Uint8Array): Uint8Array;
  /** Raw RFC 7748 ladder state after the final swap (crypto.md §3). */
  x448Ladder(scalar: Uint8Array, u: Uint8Array): LadderOutput;
  /** u(k·P) for a raw scalar (composite key ECDH); refuses an all-zero result. P: 56 or 57 bytes. */
  x448SharedSecretFromScalar(scalar: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** Direct split n = t (crypto.md §5): n − 1 random shares and a last one so that Σ s_i ≡ a (mod q). */
  thresholdSplit(scalar: Uint8Array, n: number, random?: (length: number) => Uint8Array): Uint8Array[];
  /** Partial decryption result C_i = s_i·E in signed form (crypto.md §5). */
  thresholdPartial(share: Uint8Array, ephemeral: Uint8Array): Uint8Array;
  /** Combination: Σ C_i by Montgomery addition; returns the 56-byte shared secret u. */
  thresholdCombine(partials: Uint8Array[]): Uint8Array;
  /** Shamir split over q with threshold t of n (crypto.md §6); x = 1 … n. */
  shamirSplit(scalar: Uint8Array, threshold: number, n: number, random?: (length: number) => Uint8Array): ScalarShare[];
  /** λ_i·y_i mod q for share i of a quorum (crypto.md §6), so that Σ over the quorum ≡ a. */
  shamirWeightedShare(share: ScalarShare, quorum: readonly number[]): Uint8Array;
}
