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
// Eight working variables whose roles rotate each round (no moves), Ch(e,f,g) = g ^ (e & (f ^ g)),
// Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)) with a ^ b kept for the next round's b ^ c (x0/x1).
const V = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
function shaRound(i, k, ind) {
  const s = (8 - (i % 8)) % 8;
  const [a, b, c, d, e, f, g, h] = [...V.slice(s), ...V.slice(0, s)];
  const xn = i % 2 === 0 ? 'x0' : 'x1';
  const xp = i % 2 === 0 ? 'x1' : 'x0';
  return [
    `${ind}t = ${h} + (rotr<u64>(${e}, 14) ^ rotr<u64>(${e}, 18) ^ rotr<u64>(${e}, 41)) + (${g} ^ (${e} & (${f} ^ ${g}))) + load<u64>(${k}, ${8 * i}) + w${i};`,
    `${ind}${xn} = ${a} ^ ${b};`,
    `${ind}${d} += t;`,
    `${ind}${h} = t + (rotr<u64>(${a}, 28) ^ rotr<u64>(${a}, 34) ^ rotr<u64>(${a}, 39)) + (${b} ^ (${xn} & ${xp}));`,
  ];
}
function shaSchedule(j, ind) {
  const m2 = `w${(j + 14) % 16}`;
  const m15 = `w${(j + 1) % 16}`;
  return `${ind}w${j} += (rotr<u64>(${m2}, 19) ^ rotr<u64>(${m2}, 61) ^ (${m2} >> 6)) + w${(j + 9) % 16} + (rotr<u64>(${m15}, 1) ^ rotr<u64>(${m15}, 8) ^ (${m15} >> 7));`;
}
function sha512Rounds() {
  const out = ['    // Rounds 0..15 use the message words as loaded.'];
  for (let i = 0; i < 16; i++) out.push(...shaRound(i, 'K', '    '));
  out.push('    // Rounds 16..79: each round first extends the schedule in place (FIPS 180-4 §6.4.2 step 1,');
  out.push('    // W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16], indices mod 16).');
  out.push('    for (let k = K + 128; k < K + 640; k += 128) {');
  for (let i = 0; i < 16; i++) out.push(shaSchedule(i, '      '), ...shaRound(i, 'k', '      '));
  out.push('    }');
  return out;
}

// ---- SHA-256 (FIPS 180-4 §6.2.2) ---------------------------------------------------------------
// The same shape on 32-bit words: Σ0 = rotr 2,13,22; Σ1 = rotr 6,11,25; σ0 = rotr 7,18, >>3;
// σ1 = rotr 17,19, >>10; 64 rounds = 16 on the loaded words, then 3 passes of 16 with the schedule.
function sha256Round(i, k, ind) {
  const s = (8 - (i % 8)) % 8;
  const [a, b, c, d, e, f, g, h] = [...V.slice(s), ...V.slice(0, s)];
  const xn = i % 2 === 0 ? 'x0' : 'x1';
  const xp = i % 2 === 0 ? 'x1' : 'x0';
  return [
    `${ind}t = ${h} + (rotr<u32>(${e}, 6) ^ rotr<u32>(${e}, 11) ^ rotr<u32>(${e}, 25)) + (${g} ^ (${e} & (${f} ^ ${g}))) + load<u32>(${k}, ${4 * i}) + w${i};`,
    `${ind}${xn} = ${a} ^ ${b};`,
    `${ind}${d} += t;`,
    `${ind}${h} = t + (rotr<u32>(${a}, 2) ^ rotr<u32>(${a}, 13) ^ rotr<u32>(${a}, 22)) + (${b} ^ (${xn} & ${xp}));`,
  ];
}
function sha256Schedule(j, ind) {
  const m2 = `w${(j + 14) % 16}`;
  const m15 = `w${(j + 1) % 16}`;
  return `${ind}w${j} += (rotr<u32>(${m2}, 17) ^ rotr<u32>(${m2}, 19) ^ (${m2} >>> 10)) + w${(j + 9) % 16} + (rotr<u32>(${m15}, 7) ^ rotr<u32>(${m15}, 18) ^ (${m15} >>> 3));`;
}
function sha256Rounds() {
  const out = ['    // Rounds 0..15 use the message words as loaded.'];
  for (let i = 0; i < 16; i++) out.push(...sha256Round(i, 'K', '    '));
  out.push('    // Rounds 16..63: each round first extends the schedule in place (FIPS 180-4 §6.2.2 step 1).');
  out.push('    for (let k = K + 64; k < K + 256; k += 64) {');
  for (let i = 0; i < 16; i++) out.push(sha256Schedule(i, '      '), ...sha256Round(i, 'k', '      '));
  out.push('    }');
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
