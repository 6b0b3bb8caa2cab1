import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import type { RandomSource } from '../../udf/random.js';
import { MeshError } from '../errors.js';
import { deriveFromPassphrase, newKdfRecord, passphraseCheck, readKdfRecord, verifyPassphraseCheck, type KdfCost, type KdfRecord } from './kdf.js';
import type { HomeStorage } from './storage.js';

/**
 * The home record (`home.json`): the format and the passphrase protection of a home, decided
 * when the home is first written. A protected home stores the scrypt parameters and a check
 * value (kdf.ts), never the passphrase or the key.
 */
export const HOME_FORMAT = 'mathmesh-home/1';
/** The name of the home record. */
export const HOME_RECORD = 'home.json';

/** The protection of a home: none, or scrypt parameters with a check value. */
export type HomeProtection = (KdfRecord & { readonly check: string }) | null;

/** What `home.json` holds. */
export interface HomeRecord {
  readonly format: typeof HOME_FORMAT;
  readonly created: string;
  readonly protection: HomeProtection;
}

/** Where a passphrase comes from: a value, or a prompt asked only when a secret is needed. */
export type PassphraseSource = string | (() => Promise<string | undefined>);

function parseHome(bytes: Uint8Array, location: string): HomeRecord {
  let o: Partial<HomeRecord>;
  try {
    o = JSON.parse(utf8Decode(bytes)) as Partial<HomeRecord>;
  } catch (e) {
    throw new MeshError('MESH_HOME', `${location}: ${HOME_RECORD} is not JSON`, { cause: e });
  }
  if (o === null || typeof o !== 'object' || o.format !== HOME_FORMAT) throw new MeshError('MESH_HOME', `${location}: not a ${HOME_FORMAT} home`);
  let protection: HomeProtection = null;
  if (o.protection !== null && o.protection !== undefined) {
    if (typeof o.protection.check !== 'string') throw new MeshError('MESH_HOME', `${location}: protection without a check value`);
    protection = { ...readKdfRecord(o.protection), check: o.protection.check };
  }
  return { format: HOME_FORMAT, created: String(o.created), protection };
}

/**
 * Reads the home record, writing one first when the home is new: protected when a passphrase is
 * at hand (`passphrase`), otherwise not. Two hosts initialising one home at once agree on the
 * record that won (createRecord is exclusive).
 */
export async function openHomeRecord(
  storage: HomeStorage, options: { passphrase?: PassphraseSource; kdf?: KdfCost; random?: RandomSource; now?: Date },
): Promise<{ record: HomeRecord; key?: Uint8Array }> {
  const existing = await storage.readRecord(HOME_RECORD);
  if (existing !== undefined) return { record: parseHome(existing, storage.location) };
  let protection: HomeProtection = null;
  let key: Uint8Array | undefined;
  const passphrase = typeof options.passphrase === 'string' ? options.passphrase : undefined;
  if (passphrase !== undefined && passphrase !== '') {
    const kdf = newKdfRecord(options.kdf, options.random);
    key = await deriveFromPassphrase(passphrase, kdf);
    protection = { ...kdf, check: passphraseCheck(key) };
  }
  const record: HomeRecord = { format: HOME_FORMAT, created: (options.now ?? new Date()).toISOString(), protection };
  if (await storage.createRecord(HOME_RECORD, utf8Encode(JSON.stringify(record, null, 2) + '\n'))) return { record, ...(key ? { key } : {}) };
  const won = await storage.readRecord(HOME_RECORD);
  if (won === undefined) throw new MeshError('MESH_HOME', `${storage.location}: ${HOME_RECORD} vanished while being created`);
  return { record: parseHome(won, storage.location) };
}

/** The home key of a protected home from a passphrase (`MESH_BAD_PASSPHRASE` when wrong). */
export async function unlockHome(protection: NonNullable<HomeProtection>, passphrase: string): Promise<Uint8Array> {
  const key = await deriveFromPassphrase(passphrase, protection);
  verifyPassphraseCheck(key, protection.check);
  return key;
}
