import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base64urlDecode, base64urlEncode } from '../encoding/base64url.js';
import { parseJson } from '../encoding/json-reader.js';
import { isJsonObject, type JsonObject } from '../encoding/json-value.js';
import { meshKeyName } from '../udf/derive.js';
import { newSeed } from '../udf/fixed.js';
import { deriveKeyPair } from '../udf/keys.js';
import type { RandomSource } from '../udf/random.js';
import {
  DareError, dareKeyFromKeyPair, darePrivateKey, darePublicKey, KEY_ALGORITHMS, publicPart, type DareKeyAlgorithm, type DarePrivateKey,
  type DarePublicKey,
} from '../dare/index.js';

/**
 * The `mesh` key file: a JSON document holding a seed UDF and the keys derived from it,
 * or only public keys (to hand to others):
 *
 * ```json
 * {
 *   "format": "mathmesh-key/1",
 *   "seed": "ZAAA-…",                                  // secret; absent in a public key file
 *   "encrypt": { "algorithm": "X448",  "kid": "M…", "public": "<b64u>", "private": "<b64u>" },
 *   "sign":    { "algorithm": "Ed448", "kid": "M…", "public": "<b64u>", "private": "<b64u>" }
 * }
 * ```
 * - `seed`: a seed UDF (udf.md §8); the keys are `deriveKeyPair(seed, { keyName: "BaseDeviceEncrypt",
 *   algorithm: "X448" })` and `… "BaseDeviceSign", "Ed448"`, the Mesh's device-key names.
 * - `kid`: the key fingerprint (udf.md §6.4), what envelopes name recipients and signers by.
 * - `public`: X keys in the signed 57-byte form, Ed448 RFC 8032; `private`: RFC 7748 key / 56-byte seed.
 * Either section may be absent. A loaded file is checked for consistency (kid = fingerprint of
 * public; public = public of private; keys = derivation of seed). Private files are written 0600.
 */

export const KEY_FILE_FORMAT = 'mathmesh-key/1';

/** A loaded key file. */
export interface KeyFile {
  readonly seed?: string;
  readonly encrypt?: DarePublicKey | DarePrivateKey;
  readonly sign?: DarePublicKey | DarePrivateKey;
}

const isPrivate = (k: DarePublicKey | DarePrivateKey | undefined): k is DarePrivateKey => k !== undefined && 'privateKey' in k;

/** A fresh key file: random seed UDF, X448 encryption and Ed448 signature keys. */
export function createKeyFile(random?: RandomSource): KeyFile {
  const seed = newSeed('Any', random ? { random } : {});
  return {
    seed,
    encrypt: dareKeyFromKeyPair(deriveKeyPair(seed, { algorithm: 'X448', keyName: meshKeyName('Base', 'Device', 'Encrypt') })),
    sign: dareKeyFromKeyPair(deriveKeyPair(seed, { algorithm: 'Ed448', keyName: meshKeyName('Base', 'Device', 'Sign') })),
  };
}

/** The public-only view of a key file. */
export function publicKeyFile(k: KeyFile): KeyFile {
  return { ...(k.encrypt ? { encrypt: publicPart(k.encrypt) } : {}), ...(k.sign ? { sign: publicPart(k.sign) } : {}) };
}

function section(k: DarePublicKey | DarePrivateKey | undefined, withPrivate: boolean): JsonObject | undefined {
  if (k === undefined) return undefined;
  return {
    algorithm: k.algorithm, kid: k.kid, public: base64urlEncode(k.publicKey),
    private: withPrivate && isPrivate(k) ? base64urlEncode(k.privateKey) : undefined,
  };
}

/** The JSON text of a key file (`public: true` drops the seed and private keys). */
export function keyFileText(k: KeyFile, options: { public?: boolean } = {}): string {
  const priv = options.public !== true;
  const o = { format: KEY_FILE_FORMAT, seed: priv ? k.seed : undefined, encrypt: section(k.encrypt, priv), sign: section(k.sign, priv) };
  return JSON.stringify(o, null, 2) + '\n';
}

const badFile = (where: string, what: string): never => {
  throw new DareError('DARE_BAD_KEY', `key file ${where}: ${what}`);
};

function readSection(o: JsonObject, name: 'encrypt' | 'sign', where: string): DarePublicKey | DarePrivateKey | undefined {
  const s = o[name];
  if (s === undefined) return undefined;
  if (!isJsonObject(s)) return badFile(where, `'${name}' is not an object`);
  const alg = s['algorithm'];
  if (typeof alg !== 'string' || !(KEY_ALGORITHMS as readonly string[]).includes(alg)) return badFile(where, `'${name}.algorithm' unknown`);
  const text = (m: string): string | undefined => {
    const v = s[m];
    if (v !== undefined && typeof v !== 'string') badFile(where, `'${name}.${m}' is not a string`);
    return v as string | undefined;
  };
  const pub = text('public');
  const priv = text('private');
  const kid = text('kid');
  const key = priv !== undefined ? darePrivateKey(alg as DareKeyAlgorithm, base64urlDecode(priv))
    : pub !== undefined ? darePublicKey(alg as DareKeyAlgorithm, base64urlDecode(pub)) : badFile(where, `'${name}' has no key`);
  if (pub !== undefined && pub !== base64urlEncode(key.publicKey)) badFile(where, `'${name}.public' does not match its private key`);
  if (kid !== undefined && kid !== key.kid) badFile(where, `'${name}.kid' is not the fingerprint of its key`);
  return key;
}

/** Parses key file text; inconsistencies are `DARE_BAD_KEY` (never echoing key material). */
export function parseKeyFile(text: string | Uint8Array, where = '(input)'): KeyFile {
  let o;
  try {
    o = parseJson(text, { maxDepth: 8 });
  } catch {
    return badFile(where, 'not JSON');
  }
  if (!isJsonObject(o) || o['format'] !== KEY_FILE_FORMAT) return badFile(where, `not a ${KEY_FILE_FORMAT} file`);
  const seed = o['seed'];
  if (seed !== undefined && typeof seed !== 'string') return badFile(where, "'seed' is not a string");
  let encrypt = readSection(o, 'encrypt', where);
  let sign = readSection(o, 'sign', where);
  if (seed !== undefined) {
    let derived: KeyFile;
    try {
      derived = {
        encrypt: dareKeyFromKeyPair(deriveKeyPair(seed, { algorithm: 'X448', keyName: meshKeyName('Base', 'Device', 'Encrypt') })),
        sign: dareKeyFromKeyPair(deriveKeyPair(seed, { algorithm: 'Ed448', keyName: meshKeyName('Base', 'Device', 'Sign') })),
      };
    } catch {
      return badFile(where, "'seed' is not a usable seed UDF");
    }
    if (encrypt !== undefined && encrypt.kid !== derived.encrypt!.kid) badFile(where, "'encrypt' is not derived from 'seed'");
    if (sign !== undefined && sign.kid !== derived.sign!.kid) badFile(where, "'sign' is not derived from 'seed'");
    encrypt = derived.encrypt;
    sign = derived.sign;
  }
  return { ...(seed !== undefined ? { seed } : {}), ...(encrypt ? { encrypt } : {}), ...(sign ? { sign } : {}) };
}

/** Reads a key file from disk; a file that cannot be read is `DARE_BAD_KEY` saying why (missing, a directory, …). */
export async function loadKeyFile(path: string): Promise<KeyFile> {
  let text: Uint8Array;
  try {
    text = await readFile(path);
  } catch (e) {
    const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a key file'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `cannot be read${code ? ` (${code})` : ''}`;
    return badFile(path, why);
  }
  return parseKeyFile(text, path);
}

/** Writes a key file (private files with mode 0600). */
export async function saveKeyFile(path: string, k: KeyFile, options: { public?: boolean } = {}): Promise<void> {
  await writeFile(path, keyFileText(k, options), { mode: options.public ? 0o644 : 0o600, flag: 'wx' });
}

/** The private encryption / signature key of a file, or `DARE_BAD_KEY`. */
export function privateKeyOf(k: KeyFile, use: 'encrypt' | 'sign', where: string): DarePrivateKey {
  const key = k[use];
  if (!isPrivate(key)) return badFile(where, `no private ${use === 'encrypt' ? 'encryption' : 'signature'} key`);
  return key;
}

/** Finds the key file in `dir` whose encryption or signature key has fingerprint `kid`. */
export async function findKeyByKid(dir: string, kid: string): Promise<DarePublicKey | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const want = kid.toUpperCase();
  for (const name of names.filter((n) => n.endsWith('.json') || n.endsWith('.key')).sort()) {
    let k: KeyFile;
    try {
      k = await loadKeyFile(join(dir, name));
    } catch {
      continue;
    }
    for (const key of [k.encrypt, k.sign]) if (key && key.kid === want) return publicPart(key);
  }
  return undefined;
}
