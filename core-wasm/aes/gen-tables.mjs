// Derives the 16-byte lookup tables of the vector-permute AES (Hamburg, CHES 2009) from first
// principles and writes them to tables.ts. Run: node core-wasm/aes/gen-tables.mjs
//
// Nothing here is copied from another implementation: the tower field, the basis change and
// every table are computed below, and each table is checked against a direct computation of the
// FIPS 197 S-box / inverse S-box and the MixColumns multiples for all 256 inputs before the file
// is written. (The AES field is GF(2)[x]/(x^8+x^4+x^3+x+1), FIPS 197 §4.)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---- GF(2^8), the AES field -------------------------------------------------------------------
const gmul = (a, b) => {
  let r = 0;
  for (; b; b >>= 1, a = (a << 1) ^ (a & 0x80 ? 0x11b : 0)) if (b & 1) r ^= a;
  return r & 0xff;
};
const ginv = (a) => { if (!a) return 0; for (let b = 1; b < 256; b++) if (gmul(a, b) === 1) return b; throw 0; };
const rotl8 = (x, n) => ((x << n) | (x >> (8 - n))) & 0xff;
/** Linear part of the S-box affine map (FIPS 197 eq. 5.1) without the constant 0x63. */
const affine = (b) => b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4);
const sbox = (x) => affine(ginv(x)) ^ 0x63;
const invAffine = (() => { const t = []; for (let b = 0; b < 256; b++) t[affine(b)] = b; return (b) => t[b]; })();
const invSbox = (y) => ginv(invAffine(y ^ 0x63));

// ---- GF(2^4) = GF(2)[y]/(y^4+y+1) and the tower E = GF(16)[z]/(z^2+z+lambda) -----------------
const mul16 = (a, b) => {
  let r = 0;
  for (; b; b >>= 1, a = (a << 1) ^ (a & 8 ? 0x13 : 0)) if (b & 1) r ^= a;
  return r & 0xf;
};
const inv16 = (a) => { if (!a) return 0; for (let b = 1; b < 16; b++) if (mul16(a, b) === 1) return b; throw 0; };
const trace16 = (a) => { let t = 0, p = a; for (let i = 0; i < 4; i++) { t ^= p; p = mul16(p, p); } return t; };
// z^2 + z + lambda is irreducible over GF(16) iff Tr(lambda) = 1; take the smallest such lambda.
const lambda = [...Array(16).keys()].find((l) => l && trace16(l) === 1);
const c = inv16(lambda); // the byte (i, k) stands for (c*i) z + k, so that the norm is c*i*j + k^2
// E elements as [h, l] meaning h z + l.
const emul = ([ah, al], [bh, bl]) => {
  const hh = mul16(ah, bh);
  return [hh ^ mul16(ah, bl) ^ mul16(al, bh), mul16(lambda, hh) ^ mul16(al, bl)];
};
const eadd = (a, b) => [a[0] ^ b[0], a[1] ^ b[1]];
const epow = (a, n) => { let r = [0, 1]; for (let i = 0; i < n; i++) r = emul(r, a); return r; };
// A root beta of the AES polynomial in E gives the field isomorphism phi: sum b_m x^m -> sum b_m beta^m.
let beta;
for (let h = 0; h < 16 && !beta; h++) for (let l = 0; l < 16 && !beta; l++) {
  const b = [h, l];
  let s = [0, 1];
  for (const m of [8, 4, 3, 1]) s = eadd(s, epow(b, m));
  if (s[0] === 0 && s[1] === 0) beta = b;
}
const encode = ([h, l]) => (mul16(h, lambda) << 4) | l; // i = h / c = h * lambda
const phi = (a) => { let r = [0, 0]; for (let m = 0; m < 8; m++) if ((a >> m) & 1) r = eadd(r, epow(beta, m)); return r; };
const R = (a) => encode(phi(a)); // AES byte -> tower byte (GF(2)-linear)
const Rinv = (() => { const t = []; for (let a = 0; a < 256; a++) t[R(a)] = a; return (b) => t[b]; })();
for (let a = 0; a < 256; a++) for (const b of [1, 2, 3, 0x53, 0xca, a]) {
  if (R(gmul(a, b)) !== encode(emul(phi(a), phi(b)))) throw new Error('phi is not a field isomorphism');
}

// ---- the nibble inversion -----------------------------------------------------------------------
// For a tower byte (i, k), j = i ^ k:  t5 = j + 1/(c/k + 1/i),  t6 = i + 1/(c/k + 1/j).
// With d = c i^2 + c i k + k^2 (the norm of x), t5 = d/(c i + k) and t6 = d/(c j + k), and the
// inverse of x is h' z + l' with l' = 1/t5 and h' = lambda/t6 + (1+lambda)/t5. "Infinity" (1/0)
// is encoded as 0x80: swizzle maps any index >= 16 to 0, which is exactly 1/inf = 0, and
// inf ^ nibble stays >= 16. Every case (including x = 0) is checked below.
const INF = 0x80;
const INV = [...Array(16).keys()].map((n) => (n ? inv16(n) : INF));
const F = [...Array(16).keys()].map((n) => (n ? mul16(c, inv16(n)) : INF));
// The swizzle model every check below runs on: the lane semantics both builds share (vperm.ts).
// `i8x16.swizzle` gives 0 for every index >= 16, but `i8x16.relaxed_swizzle` only for indices
// >= 128 (16..127 are left to the engine), so an index in 16..127 is an error here: the exhaustive
// check over all 256 values of a state byte then proves that the cipher never produces one, and
// that the plain and relaxed-SIMD builds compute the same function on every engine.
const swz = (table, idx) => {
  if (idx >= 16 && idx < 128) throw new Error(`swizzle index 0x${idx.toString(16)} is engine-defined under relaxed SIMD`);
  return idx < 16 ? table[idx] : 0;
};
const nibbleInverse = (byte) => {
  const i = byte >> 4, k = byte & 15, j = i ^ k;
  const fk = swz(F, k);
  return [j ^ swz(INV, fk ^ swz(INV, i)), i ^ swz(INV, fk ^ swz(INV, j))];
};
/** The two halves of the inverse (AES basis), as functions of the indices t5 and t6. */
const U = (t) => Rinv(encode([mul16(1 ^ lambda, inv16(t)), inv16(t)]));
const T = (t) => Rinv(encode([mul16(lambda, inv16(t)), 0]));
const table = (f) => [...Array(16).keys()].map((t) => f(t) & 0xff);
const lin = (f) => ({ lo: table((n) => f(n)), hi: table((n) => f(n << 4)) });

const R63 = R(0x63), R05 = R(0x05);
const D = (a) => R(invAffine(a)); // decryption's input basis: tower coordinates of A^-1(a)
const tables = {
  // input transforms (linear maps as a low-nibble and a high-nibble table)
  IPT: lin(R), DIPT: lin(D),
  INV: { t: INV }, F: { t: F },
  // encryption: S-box (without 0x63) and its double, in tower basis; last round in AES basis
  SB1: { u: table((t) => R(affine(U(t)))), t: table((t) => R(affine(T(t)))) },
  SB2: { u: table((t) => R(gmul(2, affine(U(t))))), t: table((t) => R(gmul(2, affine(T(t))))) },
  SBO: { u: table((t) => affine(U(t))), t: table((t) => affine(T(t))) },
  // decryption: field inverse times the InvMixColumns coefficients, mapped by D; last round plain
  D9: { u: table((t) => D(gmul(9, U(t)))), t: table((t) => D(gmul(9, T(t)))) },
  DB: { u: table((t) => D(gmul(11, U(t)))), t: table((t) => D(gmul(11, T(t)))) },
  DD: { u: table((t) => D(gmul(13, U(t)))), t: table((t) => D(gmul(13, T(t)))) },
  DE: { u: table((t) => D(gmul(14, U(t)))), t: table((t) => D(gmul(14, T(t)))) },
  DSBO: { u: table((t) => U(t)), t: table((t) => T(t)) },
};
// Byte permutations as swizzle masks (state byte 4c + r is row r of column c, FIPS 197 §3.4).
// perm[m] is the source lane of output lane m.
const lanes = [...Array(16).keys()];
const SHIFT_ROWS = lanes.map((m) => 4 * (((m >> 2) + (m & 3)) % 4) + (m & 3)); // §5.1.2
const INV_SHIFT_ROWS = lanes.map((m) => 4 * (((m >> 2) - (m & 3) + 4) % 4) + (m & 3)); // §5.3.1
const rot = (n) => lanes.map((m) => (m & ~3) | ((m + n) & 3)); // row r takes row r + n, same column
const then = (first, second) => second.map((src) => first[src]); // second(first(x))
const perms = {
  SHIFT_ROWS, INV_SHIFT_ROWS,
  SR_ROT1: then(rot(1), SHIFT_ROWS), SR_ROT2: then(rot(2), SHIFT_ROWS), SR_ROT3: then(rot(3), SHIFT_ROWS),
};
if (then(SHIFT_ROWS, INV_SHIFT_ROWS).some((v, m) => v !== m)) throw new Error('InvShiftRows is not the inverse');
// The permutation masks are swizzle indices too (vperm.ts `permute`): lanes 0..15 only.
for (const [name, p] of Object.entries(perms)) if (p.some((v) => v > 15)) throw new Error(`${name} indexes past lane 15`);

// The only table entries that become swizzle indices are those of INV and F (c/x): nibbles, or
// infinity. Their XOR with a nibble or with each other keeps bits 4..6 clear.
for (const [name, t] of [['INV', INV], ['F', F]]) {
  if (t.some((v) => v & 0x70)) throw new Error(`${name} has an entry with bits 4..6 set`);
}

// Index 0 never occurs (t5, t6 are 0x80 for x = 0 and nonzero otherwise); U(0), T(0) are 0 above
// because inv16(0) = 0, which keeps the tables' entry 0 harmless.

// ---- exhaustive check against the direct definitions -------------------------------------------
const tl = (tb, b) => swz(tb.lo, b & 15) ^ swz(tb.hi, b >> 4);
const tu = (tb, [t5, t6]) => swz(tb.u, t5) ^ swz(tb.t, t6);
for (let x = 0; x < 256; x++) {
  const e = nibbleInverse(tl(tables.IPT, x));
  const ok = [
    tu(tables.SB1, e) === R(sbox(x) ^ 0x63),
    tu(tables.SB2, e) === R(gmul(2, sbox(x) ^ 0x63)),
    (tu(tables.SBO, e) ^ 0x63) === sbox(x),
  ];
  const d = nibbleInverse(tl(tables.DIPT, x) ^ R05);
  const y = invSbox(x);
  ok.push(tu(tables.DSBO, d) === y);
  for (const [name, m] of [['D9', 9], ['DB', 11], ['DD', 13], ['DE', 14]]) ok.push(tu(tables[name], d) === D(gmul(m, y)));
  if (ok.some((v) => !v)) throw new Error(`table check failed at x=${x}: ${ok}`);
}
if (tl(tables.IPT, 0x63) !== R63) throw new Error('IPT');

// ---- emit -------------------------------------------------------------------------------------
const hex = (b) => '0x' + b.toString(16).padStart(2, '0');
// All tables go into one static data segment, 16 bytes each, at fixed offsets: the cipher reads
// them at constant addresses only (vperm.ts explains why that is constant time).
const entries = [];
const emit = (name, arr, doc) => entries.push({ name, arr, doc });
emit('IPT_LO', tables.IPT.lo, 'Encryption input map R (AES basis to tower basis), low-nibble half.');
emit('IPT_HI', tables.IPT.hi, 'Encryption input map R, high-nibble half.');
emit('DIPT_LO', tables.DIPT.lo, 'Decryption input map D = R o A^-1, low-nibble half.');
emit('DIPT_HI', tables.DIPT.hi, 'Decryption input map D, high-nibble half.');
emit('INV', tables.INV.t, 'Inversion in GF(16) = GF(2)[y]/(y^4+y+1); 1/0 is "infinity", 0x80.');
emit('INV_C', tables.F.t, `c/k in GF(16), c = 1/lambda = 0x${c.toString(16)}; c/0 is 0x80.`);
emit('SHIFT_ROWS', perms.SHIFT_ROWS, 'ShiftRows as a swizzle mask (FIPS 197 §5.1.2).');
emit('INV_SHIFT_ROWS', perms.INV_SHIFT_ROWS, 'InvShiftRows as a swizzle mask (FIPS 197 §5.3.1).');
emit('SR_ROT1', perms.SR_ROT1, 'ShiftRows(rot1(x)), rot1 moving row r + 1 of each column to row r.');
emit('SR_ROT2', perms.SR_ROT2, 'ShiftRows(rot2(x)).');
emit('SR_ROT3', perms.SR_ROT3, 'ShiftRows(rot3(x)).');
for (const [name, doc] of [
  ['SB1', 'Encryption S-box without its constant 0x63, tower basis'],
  ['SB2', 'Twice the encryption S-box (MixColumns 02 factor), tower basis'],
  ['SBO', 'Last-round S-box without 0x63, AES basis'],
  ['D9', 'D(09 * InvSubBytes)'],
  ['DB', 'D(0b * InvSubBytes)'],
  ['DD', 'D(0d * InvSubBytes)'],
  ['DE', 'D(0e * InvSubBytes)'],
  ['DSBO', 'Last-round inverse S-box, AES basis'],
]) {
  emit(`${name}_U`, tables[name].u, `${doc}: the part indexed by t5.`);
  emit(`${name}_T`, tables[name].t, `${doc}: the part indexed by t6.`);
}
const header = `// Generated by core-wasm/aes/gen-tables.mjs — do not edit; rerun the script instead.
// Tower field: GF(16) = GF(2)[y]/(y^4+y+1), GF(256) = GF(16)[z]/(z^2+z+lambda), lambda = 0x${lambda.toString(16)}.
// A state byte with nibbles (i, k) stands for (c*i) z + k, c = 1/lambda, so the field inverse
// needs only one-argument GF(16) functions (see vperm.ts). The generator checked every table
// against FIPS 197 for all 256 inputs before writing this file; the permutation masks are
// computed from the FIPS 197 definitions of ShiftRows and the MixColumns rows.

/** Tower-basis image of 0x63, the S-box constant (folded into encryption round keys). */
export const R63: u8 = ${hex(R63)};
/** Tower-basis image of 0x05 = A^-1(0x63) (folded into decryption round keys). */
export const R05: u8 = ${hex(R05)};

`;
const body = [
  '/** Every table of the vector-permute AES, 16 bytes each, in the order of the offsets below. */',
  '// prettier-ignore',
  'const TABLES: usize = memory.data<u8>([',
  ...entries.map((e) => `  ${e.arr.map(hex).join(', ')}, // ${e.name}`),
  '], 16);',
  '',
  ...entries.flatMap((e, i) => [`/** ${e.doc} */`, `export const ${e.name}: usize = TABLES + ${16 * i};`]),
  '',
];
const out = join(dirname(fileURLToPath(import.meta.url)), 'tables.ts');
const text = header + body.join('\n');
if (process.argv.includes('--check')) {
  // Used by test/aes.test.ts: the committed tables must be exactly what this derivation gives.
  if (readFileSync(out, 'utf8') !== text) {
    console.error(`${out} differs from the derivation; rerun node core-wasm/aes/gen-tables.mjs`);
    process.exit(1);
  }
  console.log('tables.ts matches the derivation');
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out} (lambda=0x${lambda.toString(16)}, beta=${beta})`);
}
