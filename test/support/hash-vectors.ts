/**
 * Known-answer vectors for the hashing tests (test/hash.test.ts), typed in from the standards.
 */

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const repeat = (byte: number, n: number): Uint8Array => new Uint8Array(n).fill(byte);
const range = (from: number, to: number): Uint8Array =>
  Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** FIPS 180-4 / FIPS 202 example messages (NIST CSRC "Examples with intermediate values"). */
export const MSG_448 = ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
export const MSG_896 = ascii(
  'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
);
/** The 1600-bit message of the SHA-3 examples: 200 bytes of 0xa3. */
export const MSG_A3 = repeat(0xa3, 200);
export const MILLION_A = repeat(0x61, 1_000_000);

export interface HashVector {
  name: string;
  msg: Uint8Array;
  digest: string;
}

/** SHA-512, FIPS 180-4 §C / NIST examples, plus the classic million-'a' message. */
export const SHA512_VECTORS: HashVector[] = [
  { name: 'empty', msg: new Uint8Array(0), digest: 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e' },
  { name: '"abc"', msg: ascii('abc'), digest: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f' },
  { name: '448-bit message', msg: MSG_448, digest: '204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445' },
  { name: '896-bit message', msg: MSG_896, digest: '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909' },
  { name: 'one million "a"', msg: MILLION_A, digest: 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b' },
];

/** SHA3-512, FIPS 202 NIST examples (SHA3-512_Msg0, _Msg1600) and the common "abc"/448/896/million-'a' answers. */
export const SHA3_512_VECTORS: HashVector[] = [
  { name: 'empty', msg: new Uint8Array(0), digest: 'a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26' },
  { name: '"abc"', msg: ascii('abc'), digest: 'b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0' },
  { name: '448-bit message', msg: MSG_448, digest: '04a371e84ecfb5b8b77cb48610fca8182dd457ce6f326a0fd3d7ec2f1e91636dee691fbe0c985302ba1b0d8dc78c086346b533b49c030d99a27daf1139d6e75e' },
  { name: '896-bit message', msg: MSG_896, digest: 'afebb2ef542e6579c50cad06d2e578f9f8dd6881d7dc824d26360feebf18a4fa73e3261122948efcfd492e74e82e2189ed0fb440d187f382270cb455f21dd185' },
  { name: '200 × 0xa3 (1600 bits)', msg: MSG_A3, digest: 'e76dfad22084a8b1467fcf2ffa58361bec7628edf5f3fdc0e4805dc48caeeca81b7c13c30adf52a3659584739a2df46be589c51ca1a4a8416df6545a1ce8ba00' },
  { name: 'one million "a"', msg: MILLION_A, digest: '3c3a876da14034ab60627c077bb98f7e120a2a5370212dffb3385a18d4f38859ed311d0a9d5141ce9cc5c66ee689b266a8aa18ace8282a0e0db596c90b0a7b87' },
];

/**
 * SHAKE256 (FIPS 202 NIST examples SHAKE256_Msg0 / _Msg1600, 4096-bit outputs shortened or
 * whole). The long output of the 0xa3 message exercises squeezing across many blocks.
 */
export const SHAKE256_VECTORS: (HashVector & { outputLength: number })[] = [
  { name: 'empty → 32', msg: new Uint8Array(0), outputLength: 32, digest: '46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f' },
  { name: '"abc" → 64', msg: ascii('abc'), outputLength: 64, digest: '483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd8801e751e4' },
  {
    name: '200 × 0xa3 → 512',
    msg: MSG_A3,
    outputLength: 512,
    digest:
      'cd8a920ed141aa0407a22d59288652e9d9f1a7ee0c1e7c1ca699424da84a904d2d700caae7396ece96604440577da4f3aa22aeb8857f961c4cd8e06f0ae6610b' +
      '1048a7f64e1074cd629e85ad7566048efc4fb500b486a3309a8f26724c0ed628001a1099422468de726f1061d99eb9e93604d5aa7467d4b1bd6484582a384317' +
      'd7f47d750b8f5499512bb85a226c4243556e696f6bd072c5aa2d9b69730244b56853d16970ad817e213e470618178001c9fb56c54fefa5fee67d2da524bb3b0b' +
      '61ef0e9114a92cdbb6cccb98615cfe76e3510dd88d1cc28ff99287512f24bfafa1a76877b6f37198e3a641c68a7c42d45fa7acc10dae5f3cefb7b735f12d4e58' +
      '9f7a456e78c0f5e4c4471fffa5e4fa0514ae974d8c2648513b5db494cea847156d277ad0e141c24c7839064cd08851bc2e7ca109fd4e251c35bb0a04fb05b364' +
      'ff8c4d8b59bc303e25328c09a882e952518e1a8ae0ff265d61c465896973d7490499dc639fb8502b39456791b1b6ec5bcc5d9ac36a6df622a070d43fed781f5f' +
      '149f7b62675e7d1a4d6dec48c1c7164586eae06a51208c0b791244d307726505c3ad4b26b6822377257aa152037560a739714a3ca79bd605547c9b78dd1f596f' +
      '2d4f1791bc689a0e9b799a37339c04275733740143ef5d2b58b96a363d4e08076a1a9d7846436e4dca5728b6f760eef0ca92bf0be5615e96959d767197a0beeb',
  },
];

export interface HmacVector {
  name: string;
  key: Uint8Array;
  data: Uint8Array;
  /** Expected tag; shorter than 64 bytes when the RFC truncates it (test case 5). */
  tag: string;
}

/** RFC 4231 §4.2–§4.8, HMAC-SHA-512 test cases 1–7. */
export const RFC4231_HMAC_SHA512: HmacVector[] = [
  { name: 'TC1', key: repeat(0x0b, 20), data: ascii('Hi There'), tag: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854' },
  { name: 'TC2 (short key)', key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), tag: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737' },
  { name: 'TC3', key: repeat(0xaa, 20), data: repeat(0xdd, 50), tag: 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb' },
  { name: 'TC4', key: range(0x01, 0x19), data: repeat(0xcd, 50), tag: 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd' },
  { name: 'TC5 (truncated to 128 bits)', key: repeat(0x0c, 20), data: ascii('Test With Truncation'), tag: '415fad6271580a531d4179bc891d87a6' },
  { name: 'TC6 (131-byte key)', key: repeat(0xaa, 131), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'), tag: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598' },
  {
    name: 'TC7 (131-byte key, long data)',
    key: repeat(0xaa, 131),
    data: ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
    tag: 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58',
  },
];

/** Inputs of RFC 5869 Appendix A.1–A.3 (the RFC gives SHA-256 outputs; these run with SHA-512). */
export const RFC5869_INPUTS = [
  { name: 'A.1 basic', ikm: repeat(0x0b, 22), salt: range(0x00, 0x0c), info: range(0xf0, 0xf9), length: 42 },
  { name: 'A.2 long inputs', ikm: range(0x00, 0x4f), salt: range(0x60, 0xaf), info: range(0xb0, 0xff), length: 82 },
  { name: 'A.3 empty salt and info', ikm: repeat(0x0b, 22), salt: new Uint8Array(0), info: new Uint8Array(0), length: 42 },
];
