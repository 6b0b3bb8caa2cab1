import { concatBytes } from '../encoding/bytes.js';
import { utf8Encode } from '../encoding/utf8.js';
import { UdfError } from './errors.js';
import { fixedUdf, randomValue, type RandomUdfOptions } from './fixed.js';
import { udfMac, udfMacBytes } from './mac.js';
import { DEFAULT_PRECISION } from './presentation.js';
import { UDF_TYPE } from './types.js';

/**
 * PIN functions (udf.md §11; draft-hallambaker-mesh-schema-08 §6.3). A PIN is an authenticator-key
 * UDF (type 0, 15 random bytes, 26 characters `A…`).
 * ```
 * saltedPIN = present(0x00 ‖ HMAC(BDS(PIN), u8(action)), 140)
 * PinId     = present(0x00 ‖ HMAC(BDS(saltedPIN), u8(lower(account))), 140)
 * witness   = HMAC(BDS(saltedPIN), u8(lower(account)) ‖ clientNonce ‖ payloadDigest)
 * ```
 * `BDS(saltedPIN)` is what parsing the 28-character saltedPIN gives — 16 bytes, the MAC truncated —
 * not the full 64-byte MAC the draft names (verified by ProtocolMessagePIN.md, udf.md §11).
 * SchemaPINFunction.md prints a "PinId" keyed by the raw PIN: a documentation-generator artefact
 * (udf.md §11 [DISAGREE]); the protocol value is {@link pinId}.
 */

/** PIN action codes (Generated-MeshConstantsPinActionCodes.md). */
export const PIN_ACTION = { Device: 'Device', Contact: 'Contact' } as const;

/** A fresh PIN: `0x00 ‖ random`, default 120 bits → 26 characters. */
export function newPin(options: RandomUdfOptions = {}): string {
  return fixedUdf(UDF_TYPE.AUTHENTICATOR_SHA2, randomValue(options, 120));
}

/** The salted PIN for an action (e.g. `PIN_ACTION.Device`), 140 bits by default. */
export function saltedPin(pin: string, action: string, bits: number = DEFAULT_PRECISION): string {
  if (typeof action !== 'string' || action.length === 0) throw new UdfError('UDF_BAD_ARGUMENT', 'action must be a non-empty string');
  return udfMac(pin, utf8Encode(action), bits);
}

function accountBytes(account: string): Uint8Array {
  if (typeof account !== 'string' || account.length === 0) throw new UdfError('UDF_BAD_ARGUMENT', 'account must be a non-empty string');
  return utf8Encode(account.toLowerCase());
}

/** PinId: the identifier under which the issuer stores the salted PIN (MessagePin.MessageId). */
export function pinId(salted: string, account: string, bits: number = DEFAULT_PRECISION): string {
  return udfMac(salted, accountBytes(account), bits);
}

/** The PIN witness, 64 raw bytes: proves knowledge of the PIN for one message (clientNonce: 16 random bytes). */
export function pinWitness(salted: string, account: string, clientNonce: Uint8Array, payloadDigest: Uint8Array): Uint8Array {
  if (!(clientNonce instanceof Uint8Array) || !(payloadDigest instanceof Uint8Array)) {
    throw new UdfError('UDF_BAD_ARGUMENT', 'clientNonce and payloadDigest must be Uint8Arrays');
  }
  return udfMacBytes(salted, concatBytes(accountBytes(account), clientNonce, payloadDigest)).mac;
}
