import { gcm } from '@noble/ciphers/aes.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { concatBytes } from '../../encoding/bytes.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import { hkdfSha512 } from '../../crypto/index.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import { MeshError } from '../errors.js';
import type { HomeStorage } from './storage.js';

/**
 * Secret records of a home (device seeds, account seeds): JSON documents that are, at rest,
 *
 * - **sealed** when the home has a passphrase: AES-256-GCM (@noble/ciphers) under a key derived
 *   per record, `HKDF-SHA-512(home key, info = "mathmesh home record " ‖ name)`, with a random
 *   96-bit nonce and the record's name as associated data — so a sealed record cannot be moved to
 *   another name, nor changed, without the open failing (`MESH_BAD_PASSPHRASE`);
 * - **plain** otherwise, protected only by the owner-only file modes of the adapter.
 *
 * Format: `{"format":"mathmesh-secret/1","sealed":"<b64u nonce ‖ ciphertext ‖ tag>"}` or
 * `{"format":"mathmesh-secret/1","plain":{…}}`. The home key is the scrypt output of kdf.ts; it
 * is kept in memory for the life of the host and never stored.
 */
export const SECRET_FORMAT = 'mathmesh-secret/1';
const NONCE = 12;

/** A secret record's content: a flat JSON object of strings. */
export type SecretValue = Readonly<Record<string, string>>;

/** The secret records of one home, sealed under its key (or plain when it has none). */
export class HomeVault {
  constructor(
    private readonly storage: HomeStorage,
    private readonly key: Uint8Array | undefined,
    private readonly random: RandomSource = defaultRandom,
  ) {}

  /** True when secrets are sealed under a passphrase. */
  get sealed(): boolean {
    return this.key !== undefined;
  }

  private recordKey(name: string): Uint8Array {
    return hkdfSha512(this.key!, new Uint8Array(0), utf8Encode('mathmesh home record ' + name), 32);
  }

  /** Seals (or, without a passphrase, wraps) a secret value as record bytes. */
  seal(name: string, value: SecretValue): Uint8Array {
    const plain = utf8Encode(JSON.stringify(value));
    if (this.key === undefined) return utf8Encode(JSON.stringify({ format: SECRET_FORMAT, plain: value }) + '\n');
    const nonce = this.random(NONCE);
    const k = this.recordKey(name);
    try {
      const ct = gcm(k, nonce, utf8Encode(name)).encrypt(plain);
      return utf8Encode(JSON.stringify({ format: SECRET_FORMAT, sealed: base64urlEncode(concatBytes(nonce, ct)) }) + '\n');
    } finally {
      k.fill(0);
      plain.fill(0);
    }
  }

  /** Opens record bytes written by {@link seal} for the same name. */
  open(name: string, bytes: Uint8Array): SecretValue {
    let doc: { format?: unknown; plain?: unknown; sealed?: unknown };
    try {
      doc = JSON.parse(utf8Decode(bytes)) as typeof doc;
    } catch (e) {
      throw new MeshError('MESH_HOME', `secret record ${name} is not JSON`, { cause: e });
    }
    if (doc === null || typeof doc !== 'object' || doc.format !== SECRET_FORMAT) throw new MeshError('MESH_HOME', `secret record ${name}: unknown format`);
    if (doc.plain !== undefined) {
      // A plain record in a sealed home was not written by this home's host: refuse it rather
      // than trust what someone with write access put there.
      if (this.key !== undefined) throw new MeshError('MESH_HOME', `secret record ${name} is not sealed, but the home is`);
      return checkValue(doc.plain, name);
    }
    if (typeof doc.sealed !== 'string') throw new MeshError('MESH_HOME', `secret record ${name} holds neither sealed nor plain data`);
    if (this.key === undefined) throw new MeshError('MESH_PASSPHRASE_REQUIRED', `secret record ${name} is sealed under a passphrase`);
    let raw: Uint8Array;
    try {
      raw = base64urlDecode(doc.sealed);
    } catch (e) {
      throw new MeshError('MESH_HOME', `secret record ${name} is not base64url`, { cause: e });
    }
    if (raw.length < NONCE + 16) throw new MeshError('MESH_HOME', `secret record ${name} is truncated`);
    const k = this.recordKey(name);
    let plain: Uint8Array;
    try {
      plain = gcm(k, raw.subarray(0, NONCE), utf8Encode(name)).decrypt(raw.subarray(NONCE));
    } catch (e) {
      throw new MeshError('MESH_BAD_PASSPHRASE', `secret record ${name} does not open with this passphrase (or was altered)`, { cause: e });
    } finally {
      k.fill(0);
    }
    try {
      return checkValue(JSON.parse(utf8Decode(plain)), name);
    } catch (e) {
      if (e instanceof MeshError) throw e;
      throw new MeshError('MESH_HOME', `secret record ${name} does not hold JSON`, { cause: e });
    } finally {
      plain.fill(0);
    }
  }

  /** Reads a secret record (`undefined` when absent). */
  async read(name: string): Promise<SecretValue | undefined> {
    const bytes = await this.storage.readRecord(name);
    return bytes === undefined ? undefined : this.open(name, bytes);
  }

  /** Writes a secret record (atomically replacing it). */
  async write(name: string, value: SecretValue): Promise<void> {
    await this.storage.writeRecord(name, this.seal(name, value));
  }
}

function checkValue(v: unknown, name: string): SecretValue {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new MeshError('MESH_HOME', `secret record ${name} is not an object of strings`);
  }
  return v as SecretValue;
}
