import { decodeEnvelope } from '../../dare/envelope-decode.js';
import { encodeEnvelope } from '../../dare/envelope-encode.js';
import { envelopeToString, parseEnvelope } from '../../dare/envelope.js';
import type { DarePrivateKey, DarePublicKey } from '../../dare/keys.js';
import { wrapBaseSeedSymmetric } from '../../dare/recipient.js';
import { dareSymmetricKey } from '../../dare/symmetric-key-id.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import { defaultRandom } from '../../udf/random.js';
import { MeshError } from '../errors.js';
import { CATALOG_KINDS } from '../catalog/kinds.js';
import { SPOOL_KINDS } from '../spool/states.js';
import type { MeshAccount } from './account.js';
import type { MeshHost } from './host.js';
import { deriveFromPassphrase, newKdfRecord, readKdfRecord, type KdfRecord } from './kdf.js';
import { readAccountRecord, writeAccountRecord } from './records.js';
import { deleteStoreOn, storeSequenceName } from './stores.js';

/**
 * Moving an account's device state between homes (`account export` / `account import`): the
 * account record, the device's secrets (device seed; account seed while held) and every store
 * file, in one DARE envelope (dare.md §3, authenticated form: PayloadMac) that is always
 * encrypted — to a passphrase (a symmetric recipient whose secret is the scrypt output of
 * kdf.ts, parameters in the file) or to an X448 key. There is no plaintext form.
 *
 * File: `{"format":"mathmesh-account-export/1","kdf":{…}?,"envelope":[header, payload, trailer]}`;
 * payload: `{"account":{…account.json…},"secrets":{…},"stores":{"MMM_Contact":"<b64u>",…}}`.
 *
 * The imported account is the same device (same device seed, same activation): export is a
 * move, not a copy — keep one of the two homes (a second device is connected, not cloned).
 */
export const EXPORT_FORMAT = 'mathmesh-account-export/1';

/** How an export is protected: a passphrase, or an X448 public key. */
export type ExportProtection = { readonly passphrase: string } | { readonly recipient: DarePublicKey };
/** How an export is opened. */
export type ImportKey = { readonly passphrase: string } | { readonly key: DarePrivateKey };

const STORE_LABELS: readonly string[] = [...Object.values(CATALOG_KINDS).map((k) => k.label), ...Object.values(SPOOL_KINDS).map((k) => k.label)];

/** Exports an account of `host` (needs its secrets). */
export async function exportAccount(host: MeshHost, account: MeshAccount, protection: ExportProtection): Promise<Uint8Array> {
  const random = host.hostOptions.random ?? defaultRandom;
  const stores: Record<string, string> = {};
  for (const label of STORE_LABELS) {
    const seq = await host.storage.openSequence(storeSequenceName(account.udf, label));
    try {
      if (seq.size > 0) stores[label] = base64urlEncode(await seq.read(0, seq.size));
    } finally {
      await seq.close();
    }
  }
  const secrets = account.secretsForExport();
  const payload = utf8Encode(JSON.stringify({
    account: JSON.parse(utf8Decode(writeAccountRecord(account.state))),
    secrets: { deviceSeed: secrets.deviceSeed, ...(secrets.accountSeed ? { accountSeed: secrets.accountSeed } : {}) },
    stores,
  }));
  let kdf: KdfRecord | undefined;
  let envelope;
  try {
    if ('passphrase' in protection) {
      kdf = newKdfRecord(host.hostOptions.kdf, random);
      const secret = await deriveFromPassphrase(protection.passphrase, kdf);
      const baseSeed = random(32);
      envelope = encodeEnvelope(payload, {
        keyExchange: { baseSeed, recipients: [wrapBaseSeedSymmetric(dareSymmetricKey(secret), baseSeed)] }, contentType: 'application/json', random,
      });
      secret.fill(0);
      baseSeed.fill(0);
    } else {
      envelope = encodeEnvelope(payload, { recipients: [protection.recipient], contentType: 'application/json', random });
    }
  } finally {
    payload.fill(0);
  }
  return utf8Encode(JSON.stringify({ format: EXPORT_FORMAT, ...(kdf ? { kdf } : {}), envelope: JSON.parse(envelopeToString(envelope)) as unknown }) + '\n');
}

/**
 * Imports an exported account into `host` (`MESH_BAD_PASSPHRASE` when the passphrase or key does
 * not open it; `MESH_ACCOUNT_EXISTS` when the home holds the account already). Secrets are sealed
 * anew under the importing home's own protection.
 */
export async function importAccount(host: MeshHost, file: Uint8Array, key: ImportKey): Promise<MeshAccount> {
  let doc: { format?: unknown; kdf?: unknown; envelope?: unknown };
  try {
    doc = JSON.parse(utf8Decode(file)) as typeof doc;
  } catch (e) {
    throw new MeshError('MESH_BAD_ARGUMENT', 'not an account export (not JSON)', { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || doc.format !== EXPORT_FORMAT) throw new MeshError('MESH_BAD_ARGUMENT', `not a ${EXPORT_FORMAT} file`);
  let plain: Uint8Array;
  try {
    const envelope = parseEnvelope(JSON.stringify(doc.envelope));
    if ('passphrase' in key) {
      if (doc.kdf === undefined) throw new MeshError('MESH_BAD_PASSPHRASE', 'this export is encrypted to a key, not a passphrase');
      const secret = await deriveFromPassphrase(key.passphrase, readKdfRecord(doc.kdf));
      try {
        plain = decodeEnvelope(envelope, { secrets: [dareSymmetricKey(secret)] }).payload;
      } finally {
        secret.fill(0);
      }
    } else {
      plain = decodeEnvelope(envelope, { keys: [key.key] }).payload;
    }
  } catch (e) {
    if (e instanceof MeshError && e.code !== 'MESH_BAD_ARGUMENT') throw e;
    throw new MeshError('MESH_BAD_PASSPHRASE', 'the export does not open with this passphrase or key (or was altered)', { cause: e });
  }
  let bundle: { account?: unknown; secrets?: { deviceSeed?: unknown; accountSeed?: unknown }; stores?: Record<string, unknown> };
  try {
    bundle = JSON.parse(utf8Decode(plain)) as typeof bundle;
  } finally {
    plain.fill(0);
  }
  const record = readAccountRecord(utf8Encode(JSON.stringify(bundle.account)), 'export');
  const s = bundle.secrets;
  if (s === undefined || typeof s.deviceSeed !== 'string' || (s.accountSeed !== undefined && typeof s.accountSeed !== 'string')) {
    throw new MeshError('MESH_BAD_ARGUMENT', 'the export holds no device secrets');
  }
  await host.checkAbsent(record.accountUdf, record.address);
  const written: string[] = [];
  try {
    for (const [label, value] of Object.entries(bundle.stores ?? {})) {
      if (!STORE_LABELS.includes(label) || typeof value !== 'string') throw new MeshError('MESH_BAD_ARGUMENT', `the export holds an unknown store ${label.slice(0, 40)}`);
      const seq = await host.storage.openSequence(storeSequenceName(record.accountUdf, label), { write: true });
      written.push(label);
      try {
        if (seq.size !== 0) throw new MeshError('MESH_HOME', `${label} of ${record.accountUdf} already has frames on this device`);
        await seq.append(base64urlDecode(value));
      } finally {
        await seq.close();
      }
    }
    return await host.installAccount(record, { deviceSeed: s.deviceSeed, ...(s.accountSeed ? { accountSeed: s.accountSeed as string } : {}) });
  } catch (e) {
    for (const label of written) await deleteStoreOn(host.storage, record.accountUdf, label);
    throw e;
  }
}
