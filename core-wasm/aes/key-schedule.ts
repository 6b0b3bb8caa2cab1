/**
 * AES key expansion (FIPS 197 §5.2) for 128-, 192- and 256-bit keys, and the conversion of the
 * round keys into the form the vector-permute rounds consume (vperm.ts).
 *
 * Constant time: SubWord is the same register-only vector-permute S-box as the cipher rounds
 * (`subBytes`), RotWord and the XORs are fixed-shape word operations, and the only branches
 * depend on the word index and the key length, which are public. Rcon is public.
 */
import { R05, R63 } from './tables';
import { invMixColumns, shiftRows, subBytes, toDecBasis, toTower } from './vperm';
import { DEC_KEYS, ENC_KEYS, ROUND_KEYS_SIZE, SCHEDULE, zero } from './buffers';

/** Rounds of the key expanded last: 10, 12 or 14 (FIPS 197 Fig. 4). Public, like the key size. */
export let rounds: i32 = 0;

/** SubWord (FIPS 197 §5.2) through the vector S-box; lane 0 of the result is the word. */
// @ts-ignore: decorator
@inline function subWord(w: u32): u32 {
  return <u32>i32x4.extract_lane(subBytes(i32x4.splat(w)), 0);
}

/**
 * Writes the (Nr + 1) round keys of FIPS 197 §5.2 to SCHEDULE. Words are loaded little-endian,
 * so byte 0 of a word is its low byte and RotWord is a rotation right by 8 bits.
 */
function expand(key: usize, keyLength: i32): void {
  const nk = keyLength >> 2;
  rounds = nk + 6;
  const words = (rounds + 1) << 2;
  // Copy 32 bytes whatever the key size: words past the key are overwritten below.
  v128.store(SCHEDULE, v128.load(key));
  v128.store(SCHEDULE, v128.load(key, 16), 16);
  let rcon: u32 = 1;
  // t carries the previous word; m is i mod Nk, kept by counting (no division per word).
  let t = load<u32>(SCHEDULE + (<usize>(nk - 1) << 2));
  for (let i = nk, m = 0; i < words; i++) {
    if (m == 0) {
      t = subWord(rotr<u32>(t, 8)) ^ rcon;
      rcon = ((rcon << 1) ^ ((rcon >> 7) * 0x11b)) & 0xff;
    } else if (nk > 6 && m == 4) {
      t = subWord(t);
    }
    t ^= load<u32>(SCHEDULE + (<usize>(i - nk) << 2));
    store<u32>(SCHEDULE + (<usize>i << 2), t);
    if (++m == nk) m = 0;
  }
}

/**
 * Expands `key` (16, 24 or 32 bytes) into ENC_KEYS: the first key in the tower basis, the
 * middle ones in the tower basis with the S-box constant 0x63 folded in (the round tables omit
 * it; MixColumns maps the all-0x63 state to itself, since 2 + 3 + 1 + 1 = 1), both passed
 * through ShiftRows because encryption carries its state pre-shifted (vperm.ts), and the last
 * one in the AES basis with 0x63 folded in.
 */
export function expandEncrypt(key: usize, keyLength: i32): void {
  expand(key, keyLength);
  const r63 = i8x16.splat(R63);
  v128.store(ENC_KEYS, shiftRows(toTower(v128.load(SCHEDULE))));
  for (let r = 1; r < rounds; r++) {
    const o = <usize>r << 4;
    v128.store(ENC_KEYS + o, shiftRows(v128.xor(toTower(v128.load(SCHEDULE + o)), r63)));
  }
  const o = <usize>rounds << 4;
  v128.store(ENC_KEYS + o, v128.xor(v128.load(SCHEDULE + o), i8x16.splat(0x63)));
  zero(SCHEDULE, ROUND_KEYS_SIZE);
}

/**
 * Expands `key` into DEC_KEYS for the equivalent inverse cipher (FIPS 197 §5.3.5), in the order
 * decryption uses them: InvMixColumns applied to the middle keys, the middle and first keys
 * mapped by D = R∘A⁻¹ with A⁻¹(0x63) = 0x05 folded in (InvSubBytes(x) = inv(A⁻¹x + 0x05)), and
 * the last key (round key 0) left in the AES basis.
 */
export function expandDecrypt(key: usize, keyLength: i32): void {
  expand(key, keyLength);
  const r05 = i8x16.splat(R05);
  v128.store(DEC_KEYS, v128.xor(toDecBasis(v128.load(SCHEDULE + (<usize>rounds << 4))), r05));
  for (let r = 1; r < rounds; r++) {
    const k = v128.load(SCHEDULE + (<usize>(rounds - r) << 4));
    v128.store(DEC_KEYS + (<usize>r << 4), v128.xor(toDecBasis(invMixColumns(k)), r05));
  }
  v128.store(DEC_KEYS + (<usize>rounds << 4), v128.load(SCHEDULE));
  zero(SCHEDULE, ROUND_KEYS_SIZE);
}
