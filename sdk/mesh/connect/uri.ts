import { UdfError } from '../../udf/errors.js';
import { UDF_TYPE } from '../../udf/types.js';
import { connectionUri, parseConnectionUri } from '../../udf/uri.js';
import { MeshError } from '../errors.js';

/**
 * Connect URIs `mcu://<account>/<secret>` (mesh-model.md §11; protocol.md F3, F4): what a QR code
 * carries. The secret's UDF type says which flow it starts —
 *
 * - an `A…` authenticator: a PIN the account issued (dynamic QR, `account pin --qr`): the device
 *   makes a PIN-authenticated RequestConnection to that account (`device request mcu://…`);
 * - an `E…` encryption key: a publication (static QR: a preconfigured device's label, a contact
 *   card): the scanner claims it at the publisher's service (`account connect mcu://…`).
 */

/** A connect URI read. The secret is secret. */
export type ConnectUri =
  | { readonly kind: 'pin'; readonly account: string; readonly pin: string; readonly uri: string }
  | { readonly kind: 'publication'; readonly account: string; readonly secret: string; readonly uri: string };

/** The connect URI of a PIN or secret (`mcu://alice@example.com/ADKW-…`). */
export function connectUriOf(account: string, secret: string): string {
  try {
    return connectionUri(account.toLowerCase(), secret);
  } catch (e) {
    if (e instanceof UdfError) throw new MeshError('MESH_BAD_ARGUMENT', e.message, { cause: e });
    throw e;
  }
}

/** Reads a connect URI (`MESH_BAD_ARGUMENT` when it is not one, or carries another kind of UDF). */
export function parseConnectUri(uri: string): ConnectUri {
  let parsed;
  try {
    parsed = parseConnectionUri(uri);
  } catch (e) {
    if (e instanceof UdfError) throw new MeshError('MESH_BAD_ARGUMENT', `${e.message}`, { cause: e });
    throw e;
  }
  const account = parsed.account.toLowerCase();
  const text = parsed.udf.text;
  const canonical = `mcu://${account}/${text}`;
  if (parsed.udf.type === UDF_TYPE.AUTHENTICATOR_SHA2 || parsed.udf.type === UDF_TYPE.AUTHENTICATOR_SHA3) {
    return { kind: 'pin', account, pin: text, uri: canonical };
  }
  if (parsed.udf.type === UDF_TYPE.ENCRYPTION_KEY || parsed.udf.type === UDF_TYPE.ENCRYPTION_SIGNATURE_KEY) {
    return { kind: 'publication', account, secret: text, uri: canonical };
  }
  throw new MeshError('MESH_BAD_ARGUMENT', `a connect URI carries a PIN (A…) or a secret (E…), not a ${parsed.udf.info.name}`);
}
