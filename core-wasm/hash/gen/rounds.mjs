// Writes the unrolled round bodies of core-wasm/hash/sha512.ts, sha256.ts and keccak.ts between their
// `// <generated:NAME>` and `// </generated:NAME>` markers. Run `node core-wasm/hash/gen/rounds.mjs`
// after changing the shape of a round; `--check` exits 1 if the files differ from what it would
// write (the build does not run this; the sources are committed as generated).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

// ---- SHA-512 (FIPS 180-4 §6.4.2) ---------------------------------------------------------------
// Scalar rounds, vector message schedule (the split OpenSSL's AVX code uses, in WASM SIMD):
// - Rounds: eight working variables whose roles rotate each round (no moves);
//   Ch(e,f,g) = g ^ (e & (f ^ g)); Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)) with a ^ b kept for the
//   next round's b ^ c (x0/x1); Σ as three independent rotations, Σ1(e) = rotr14(e) ^ rotr18(e) ^
//   rotr41(e), Σ0(a) = rotr28(a) ^ rotr34(a) ^ rotr39(a). The nested form (Σ1(e) = rotr14(e ^
//   rotr4(e ^ rotr23(e)))) needs fewer instructions where V8 has no non-destructive rotate, but
//   its three rotations are serial, on the critical path of every round: on Node 20.20 / AMD EPYC
//   (Zen 4) the independent form compresses 186 ns/block against 208 (median of 10 × 128 KiB,
//   CPU time, same process). Each round adds one precomputed W[t] + K[t], summed as
//   h + (W[t] + K[t]) + Ch + Σ1, so that only the last addition waits for Σ1 (181 against 185).
// - Schedule: the sixteen-word window lives in eight i64x2 vectors y0..y7 (pair m = W[2m], W[2m+1]
//   of the window); each step extends one pair, W[t..t+1] = σ1(W[t−2..t−1]) + W[t−7..t−6] +
//   σ0(W[t−15..t−14]) + W[t−16..t−15], the odd-offset pairs assembled with one byte shuffle from two
//   vectors in registers (never loaded across two earlier stores, which would defeat store-to-load
//   forwarding), and stores W + K for the rounds into a 128-byte ring. The step for pair m of the
//   next pass is placed after the two rounds that read ring slot m of this pass, so the vector work
//   fills the gaps in the scalar rounds' dependency chain.
// Measured on V8 (Node 20, /tmp bench of 1 MiB, best of 12, interleaved): 1.35–1.45× the previous
// all-scalar rolling-window code; computing the schedule first (scalar or vector) was slower.
const V = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const rotr64 = (x, n) => `rotr<u64>(${x}, ${n})`;
const bigSigma1 = (e) => `(${rotr64(e, 14)} ^ ${rotr64(e, 18)} ^ ${rotr64(e, 41)})`;
const bigSigma0 = (a) => `(${rotr64(a, 28)} ^ ${rotr64(a, 34)} ^ ${rotr64(a, 39)})`;
function shaRound(i, ind) {
  const s = (8 - (i % 8)) % 8;
  const [a, b, c, d, e, f, g, h] = [...V.slice(s), ...V.slice(0, s)];
  const xn = i % 2 === 0 ? 'x0' : 'x1';
  const xp = i % 2 === 0 ? 'x1' : 'x0';
  return [
    `${ind}t = ${h} + load<u64>(WK, ${8 * (i % 16)}) + (${g} ^ (${e} & (${f} ^ ${g}))) + ${bigSigma1(e)};`,
    `${ind}${xn} = ${a} ^ ${b};`,
    `${ind}${d} += t;`,
    `${ind}${h} = t + ${bigSigma0(a)} + (${b} ^ (${xn} & ${xp}));`,
  ];
}
/** rotr on both 64-bit lanes (WASM SIMD has no vector rotate). */
const vrotr = (x, n) => `v128.or(i64x2.shr_u(${x}, ${n}), i64x2.shl(${x}, ${64 - n}))`;
// σ0(x) = rotr1(x ^ rotr7(x)) ^ (x >> 7); σ1(x) = rotr19(x ^ rotr42(x)) ^ (x >> 6).
const vSigma0 = (x) => `v128.xor(${vrotr(`v128.xor(${x}, ${vrotr(x, 7)})`, 1)}, i64x2.shr_u(${x}, 7))`;
const vSigma1 = (x) => `v128.xor(${vrotr(`v128.xor(${x}, ${vrotr(x, 42)})`, 19)}, i64x2.shr_u(${x}, 6))`;
/** (high lane of x, low lane of y): the window pair starting at an odd index. */
const oddPair = (x, y) => `i8x16.shuffle(${x}, ${y}, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23)`;
function shaPass(ind, schedule) {
  const out = [];
  for (let m = 0; m < 8; m++) {
    const y = (q) => `y${(m + q) % 8}`;
    out.push(...shaRound(2 * m, ind), ...shaRound(2 * m + 1, ind));
    if (!schedule) continue;
    out.push(`${ind}y${m} = i64x2.add(i64x2.add(y${m}, ${vSigma0(oddPair(y(0), y(1)))}), i64x2.add(${oddPair(y(4), y(5))}, ${vSigma1(y(7))}));`);
    out.push(`${ind}v128.store(WK, i64x2.add(y${m}, v128.load(k, ${16 * m})), ${16 * m});`);
  }
  return out;
}
function sha512Rounds() {
  const out = ['    // Message words are big-endian (FIPS 180-4 §3.1): one byte shuffle swaps both lanes of a pair.'];
  for (let m = 0; m < 8; m++) {
    out.push(`    let y${m} = v128.load(p, ${16 * m});`);
    out.push(`    y${m} = i8x16.shuffle(y${m}, y${m}, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);`);
    out.push(`    v128.store(WK, i64x2.add(y${m}, v128.load(K, ${16 * m})), ${16 * m});`);
  }
  out.push('    // Rounds 0..63 in four passes of 16, each extending the schedule for the next pass.');
  out.push('    for (let k = K + 128; k < K + 640; k += 128) {');
  out.push(...shaPass('      ', true));
  out.push('    }');
  out.push('    // Rounds 64..79.');
  out.push(...shaPass('    ', false));
  return out;
}

// ---- SHA-256 (FIPS 180-4 §6.2.2) ---------------------------------------------------------------
// The same shape on 32-bit words: Σ0 = rotr 2,13,22; Σ1 = rotr 6,11,25; σ0 = rotr 7,18, >>3;
// σ1 = rotr 17,19, >>10. Scalar rounds and a vector schedule as for SHA-512: the window is four
// i32x4 quadruples y0..y3, each step extends one quadruple (σ1 in two halves, since the last two
// new words depend on the first two) and stores W + K into a 64-byte ring the rounds read; the
// schedule runs on the vector units beside the scalar rounds. Measured as for SHA-512: 143 ns/block
// against 185 for the all-scalar schedule (the words in sixteen locals, extended in place).
function sha256Round(i, ind) {
  const s = (8 - (i % 8)) % 8;
  const [a, b, c, d, e, f, g, h] = [...V.slice(s), ...V.slice(0, s)];
  const xn = i % 2 === 0 ? 'x0' : 'x1';
  const xp = i % 2 === 0 ? 'x1' : 'x0';
  return [
    `${ind}t = ${h} + (rotr<u32>(${e}, 6) ^ rotr<u32>(${e}, 11) ^ rotr<u32>(${e}, 25)) + (${g} ^ (${e} & (${f} ^ ${g}))) + load<u32>(WK, ${4 * (i % 16)});`,
    `${ind}${xn} = ${a} ^ ${b};`,
    `${ind}${d} += t;`,
    `${ind}${h} = t + (rotr<u32>(${a}, 2) ^ rotr<u32>(${a}, 13) ^ rotr<u32>(${a}, 22)) + (${b} ^ (${xn} & ${xp}));`,
  ];
}
/** rotr on all four 32-bit lanes. */
const vrotr32 = (x, n) => `v128.or(i32x4.shr_u(${x}, ${n}), i32x4.shl(${x}, ${32 - n}))`;
const vsigma0_32 = (x) => `v128.xor(v128.xor(${vrotr32(x, 7)}, ${vrotr32(x, 18)}), i32x4.shr_u(${x}, 3))`;
const vsigma1_32 = (x) => `v128.xor(v128.xor(${vrotr32(x, 17)}, ${vrotr32(x, 19)}), i32x4.shr_u(${x}, 10))`;
/** Words 1..4 of the eight in x ‖ y: the window quadruple starting one word later. */
const nextQuad = (x, y) => `i32x4.shuffle(${x}, ${y}, 1, 2, 3, 4)`;
function sha256Pass(ind, schedule) {
  const out = [];
  for (let m = 0; m < 4; m++) {
    for (let r = 0; r < 4; r++) out.push(...sha256Round(4 * m + r, ind));
    if (!schedule) continue;
    const y = (q) => `y${(m + q) % 4}`;
    // W[n..n+3] = σ1(W[n-2..n+1]) + W[n-7..n-4] + σ0(W[n-15..n-12]) + W[n-16..n-13]: σ1 of the
    // last two words needs the first two new ones, so it is added in two halves.
    out.push(`${ind}s = i32x4.add(i32x4.add(y${m}, ${vsigma0_32(nextQuad(y(0), y(1)))}), ${nextQuad(y(2), y(3))});`);
    out.push(`${ind}q = i32x4.shuffle(${y(3)}, ${y(3)}, 2, 3, 2, 3);`);
    out.push(`${ind}s = i32x4.add(s, i32x4.shuffle(${vsigma1_32('q')}, ZERO, 0, 1, 4, 5));`);
    out.push(`${ind}q = i32x4.shuffle(s, s, 0, 1, 0, 1);`);
    out.push(`${ind}y${m} = i32x4.add(s, i32x4.shuffle(ZERO, ${vsigma1_32('q')}, 0, 1, 6, 7));`);
    out.push(`${ind}v128.store(WK, i32x4.add(y${m}, v128.load(k, ${16 * m})), ${16 * m});`);
  }
  return out;
}
function sha256Rounds() {
  const out = ['    // Message words are big-endian (FIPS 180-4 §3.1): one byte shuffle swaps the four words of a quadruple.'];
  for (let m = 0; m < 4; m++) {
    out.push(`    let y${m} = v128.load(p, ${16 * m});`);
    out.push(`    y${m} = i8x16.shuffle(y${m}, y${m}, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);`);
    out.push(`    v128.store(WK, i32x4.add(y${m}, v128.load(K, ${16 * m})), ${16 * m});`);
  }
  out.push('    let s: v128;');
  out.push('    let q: v128;');
  out.push('    // Rounds 0..47 in three passes of 16, each extending the schedule for the next pass.');
  out.push('    for (let k = K + 64; k < K + 256; k += 64) {');
  out.push(...sha256Pass('      ', true));
  out.push('    }');
  out.push('    // Rounds 48..63.');
  out.push(...sha256Pass('    ', false));
  return out;
}

// ---- Keccak-f[1600] round (FIPS 202 §3.2) with lane complementing --------------------------------
// ρ offsets r[x][y]; B[y, 2x+3y] = rotl(A[x,y] ^ D[x], r[x][y]); χ: A[x,y] = B[x,y] ^ (~B[x+1,y] & B[x+2,y]).
const R = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]];
/** Lanes kept complemented in locals (the "bebigokimisa" pattern of the Keccak team's XKCP). */
export const COMPLEMENTED = [1, 2, 8, 12, 17, 20];

/**
 * For each χ output lane, finds a formula on the *stored* (possibly complemented) B lanes that
 * yields the stored (possibly complemented) output with the fewest NOTs, by testing candidates on
 * random 64-bit words. This derives the χ forms instead of copying them from a table.
 */
function chiForms() {
  const M = (1n << 64n) - 1n;
  const inA = (i) => COMPLEMENTED.includes(i);
  const colC = [0, 1, 2, 3, 4].map((x) => [0, 1, 2, 3, 4].filter((y) => inA(x + 5 * y)).length % 2 === 1);
  const dC = [0, 1, 2, 3, 4].map((x) => colC[(x + 4) % 5] !== colC[(x + 1) % 5]);
  const bC = new Array(25);
  for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) bC[y + 5 * ((2 * x + 3 * y) % 5)] = inA(x + 5 * y) !== dC[x];
  const N = (v) => v ^ M;
  const cands = [
    ['', '', '|'], ['', '', '&'], ['', 'b', '|'], ['', 'b', '&'], ['', 'c', '|'], ['', 'c', '&'], ['a', '', '|'], ['a', '', '&'],
  ];
  const rnd = () => BigInt.asUintN(64, BigInt(Math.floor(Math.random() * 2 ** 32)) << 32n | BigInt(Math.floor(Math.random() * 2 ** 32)));
  const forms = [];
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const i = x + 5 * y;
      const j = ((x + 1) % 5) + 5 * y;
      const k = ((x + 2) % 5) + 5 * y;
      const found = cands.find(([na, nbc, op]) => {
        for (let t = 0; t < 32; t++) {
          const [B0, B1, B2] = [rnd(), rnd(), rnd()];
          const want = (B0 ^ (N(B1) & B2)) ^ (inA(i) ? M : 0n);
          let a = B0 ^ (bC[i] ? M : 0n);
          let b = B1 ^ (bC[j] ? M : 0n);
          let c = B2 ^ (bC[k] ? M : 0n);
          if (na === 'a') a = N(a);
          if (nbc === 'b') b = N(b);
          if (nbc === 'c') c = N(c);
          const got = a ^ (op === '|' ? b | c : b & c);
          if (got !== want) return false;
        }
        return true;
      });
      if (!found) throw new Error(`no χ form for lane ${i}`);
      forms.push({ i, j, k, na: found[0] === 'a', nb: found[1] === 'b', nc: found[1] === 'c', op: found[2] });
    }
  }
  return forms;
}

function keccakRound() {
  const ind = '      ';
  const out = [];
  for (let x = 0; x < 5; x++) out.push(`${ind}c${x} = a${x} ^ a${x + 5} ^ a${x + 10} ^ a${x + 15} ^ a${x + 20};`);
  for (let x = 0; x < 5; x++) out.push(`${ind}d${x} = c${(x + 4) % 5} ^ rotl<u64>(c${(x + 1) % 5}, 1);`);
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const dst = y + 5 * ((2 * x + 3 * y) % 5);
      const r = R[x][y];
      out.push(`${ind}b${dst} = ${r === 0 ? `a${x + 5 * y} ^ d${x}` : `rotl<u64>(a${x + 5 * y} ^ d${x}, ${r})`};`);
    }
  }
  const forms = chiForms();
  const negs = new Set();
  for (const f of forms) {
    if (f.na) negs.add(f.i);
    if (f.nb) negs.add(f.j);
    if (f.nc) negs.add(f.k);
  }
  for (const n of [...negs].sort((p, q) => p - q)) out.push(`${ind}n${n} = ~b${n};`);
  for (const f of forms) {
    const a = f.na ? `n${f.i}` : `b${f.i}`;
    const b = f.nb ? `n${f.j}` : `b${f.j}`;
    const c = f.nc ? `n${f.k}` : `b${f.k}`;
    out.push(`${ind}a${f.i} = ${a} ^ (${b} ${f.op} ${c});`);
  }
  out.push(`${ind}a0 ^= load<u64>(rc);`);
  return { lines: out, negs: [...negs].sort((p, q) => p - q) };
}

function splice(file, name, lines) {
  const path = join(dir, file);
  const src = readFileSync(path, 'utf8');
  const open = `// <generated:${name}>`;
  const close = `// </generated:${name}>`;
  const a = src.indexOf(open);
  const b = src.indexOf(close);
  if (a < 0 || b < a) throw new Error(`${file}: markers for ${name} not found`);
  const lineStart = src.lastIndexOf('\n', a) + 1;
  const indent = src.slice(lineStart, a);
  const next = src.slice(0, a) + open + '\n' + lines.join('\n') + '\n' + indent + src.slice(b);
  if (next === src) return true;
  if (check) {
    console.error(`${file}: ${name} differs from the generator's output`);
    return false;
  }
  writeFileSync(path, next);
  console.log(`${file}: wrote ${name}`);
  return true;
}

const k = keccakRound();
if (k.negs.join() !== '2,9,13,18,21') throw new Error(`unexpected NOT set ${k.negs}`);
const ok = [
  splice('sha512.ts', 'sha512-rounds', sha512Rounds()),
  splice('sha256.ts', 'sha256-rounds', sha256Rounds()),
  splice('keccak.ts', 'keccak-round', k.lines),
].every(Boolean);
if (!ok) process.exit(1);
