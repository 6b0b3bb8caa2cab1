import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes } from '../../encoding/bytes.js';
import { utf8Encode } from '../../encoding/utf8.js';
import { keyFingerprint } from '../../udf/fingerprint.js';
import { defaultRandom, type RandomSource } from '../../udf/random.js';
import { MeshError } from '../errors.js';
import type { KeyData } from '../schema/types.js';

/**
 * SSH client keys of the Mesh SSH application (mesh-model.md §8.4, CatalogedApplicationSsh).
 *
 * **Ed25519, not REF's RSA-2048 and not Ed448.** The reference writes RSA client keys
 * (SchemaEntrySSH.md); OpenSSH implements neither Ed448 (RFC 8709 registers `ssh-ed448`, OpenSSH
 * has never shipped it) nor anything better than Ed25519 for users' keys, and generating RSA keys
 * in portable TypeScript is slow and needs a big-integer prime search of our own. Ed25519
 * (@noble/curves) is what `ssh-keygen` makes by default; the KeyData carries it as `crv: Ed25519`,
 * which the Mesh key vocabulary already has (mesh-model.md §1).
 *
 * Formats: the public key as an `authorized_keys` line (RFC 8709 §4 wire form); the private key
 * as OpenSSH's own PEM-armoured `openssh-key-v1` (unencrypted: the Mesh catalog is the
 * encryption) or as PKCS#8 PEM (RFC 8410) for other tools.
 */

/** A fresh Ed25519 key pair as KeyData with its private key (32-byte seed). Secret. */
export function newSshKey(random: RandomSource = defaultRandom): KeyData {
  const seed = random(32);
  const pub = ed25519.getPublicKey(seed);
  return {
    $class: 'KeyData', Udf: keyFingerprint('Ed25519', pub),
    PublicParameters: { $class: 'PublicKeyECDH', crv: 'Ed25519', Public: pub },
    PrivateParameters: { $class: 'PrivateKeyECDH', crv: 'Ed25519', Private: seed },
  };
}

function ed25519Parts(kd: Omit<KeyData, '$class'>, needPrivate: boolean): { pub: Uint8Array; seed?: Uint8Array } {
  const pub = kd.PublicParameters;
  if (pub?.$class !== 'PublicKeyECDH' || pub.crv !== 'Ed25519' || !(pub.Public instanceof Uint8Array) || pub.Public.length !== 32) {
    throw new MeshError('MESH_BAD_KEY', 'not an Ed25519 SSH key');
  }
  const priv = kd.PrivateParameters;
  if (!needPrivate) return { pub: pub.Public };
  if (priv?.$class !== 'PrivateKeyECDH' || !(priv.Private instanceof Uint8Array) || priv.Private.length !== 32) {
    throw new MeshError('MESH_BAD_KEY', 'the SSH key has no Ed25519 private key here');
  }
  return { pub: pub.Public, seed: priv.Private };
}

const u32 = (n: number): Uint8Array => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const sshString = (b: Uint8Array | string): Uint8Array => {
  const bytes = typeof b === 'string' ? utf8Encode(b) : b;
  return concatBytes(u32(bytes.length), bytes);
};
const base64 = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
};
const pem = (label: string, der: Uint8Array, width: number): string => {
  const b = base64(der);
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += width) lines.push(b.slice(i, i + width));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
};

function publicBlob(pub: Uint8Array): Uint8Array {
  return concatBytes(sshString('ssh-ed25519'), sshString(pub));
}

/** The `authorized_keys` line: `ssh-ed25519 <base64> <comment>`. */
export function sshPublicKeyLine(kd: Omit<KeyData, '$class'>, comment = ''): string {
  const { pub } = ed25519Parts(kd, false);
  return `ssh-ed25519 ${base64(publicBlob(pub))}${comment ? ' ' + comment.replace(/[\r\n]/g, ' ') : ''}`;
}

/** OpenSSH's private key file (`-----BEGIN OPENSSH PRIVATE KEY-----`, unencrypted). Secret. */
export function sshPrivateKeyOpenSsh(kd: Omit<KeyData, '$class'>, comment = '', random: RandomSource = defaultRandom): string {
  const { pub, seed } = ed25519Parts(kd, true);
  const check = random(4);
  let section = concatBytes(check, check, sshString('ssh-ed25519'), sshString(pub), sshString(concatBytes(seed!, pub)), sshString(comment));
  const pad: number[] = [];
  for (let i = 1; (section.length + pad.length) % 8 !== 0; i++) pad.push(i);
  section = concatBytes(section, new Uint8Array(pad));
  const body = concatBytes(
    utf8Encode('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(new Uint8Array(0)), u32(1), sshString(publicBlob(pub)), sshString(section),
  );
  return pem('OPENSSH PRIVATE KEY', body, 70);
}

/** PKCS#8 (RFC 8410 §7) PEM of the private key. Secret. */
export function sshPrivateKeyPkcs8(kd: Omit<KeyData, '$class'>): string {
  const { seed } = ed25519Parts(kd, true);
  const prefix = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  return pem('PRIVATE KEY', concatBytes(prefix, seed!), 64);
}
