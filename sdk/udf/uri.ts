import { utf8Encode } from '../encoding/utf8.js';
import { CONTENT_TYPE, EARL_WELL_KNOWN_PATH } from './constants.js';
import { contentDigest } from './digest.js';
import { UdfError } from './errors.js';
import { newEncryptionKey, type RandomUdfOptions } from './fixed.js';
import { MAX_PRECISION, MIN_KEY_PRECISION, parseUdf, type ParsedUdf } from './presentation.js';
import { UDF_TYPE } from './types.js';

/**
 * `udf:` URIs and EARLs (udf.md §9; draft §6).
 * - Name form: `udf:` + UDF. Locator form: `udf://` + DNS name + `/` + UDF (no userinfo, port or IP).
 *   The scheme is emitted in lower case as the examples do; the draft's EBNF writes `UDF:` and
 *   schemes are case-insensitive, so both are read (udf.md §9 [DISAGREE]).
 * - EARL (Encrypted Authenticated Resource Locator): a locator whose UDF is an E-type key.
 */

/** Default precision of an EARL identifier: 280 bits = 2 × 140, as both published EARLs show (udf.md §9). */
export const EARL_IDENTIFIER_PRECISION = 280;
/** Cap of the identifier precision (udf.md §9). */
export const EARL_MAX_IDENTIFIER_PRECISION = 440;

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Checks a DNS name for the locator form: letters, digits, hyphens; no port, userinfo or IP literal. */
export function checkDomain(domain: string): string {
  if (typeof domain !== 'string' || domain.length === 0 || domain.length > 253) {
    throw new UdfError('UDF_BAD_URI', 'the domain must be a DNS name of 1..253 characters');
  }
  const labels = domain.split('.');
  if (!labels.every((l) => LABEL.test(l))) throw new UdfError('UDF_BAD_URI', `'${domain}' is not a DNS name (no port, userinfo or path)`);
  if (labels.every((l) => /^[0-9]+$/.test(l))) throw new UdfError('UDF_BAD_URI', 'an IP address is not allowed in a UDF locator');
  return domain;
}

/** `udf:<UDF>` (udf.md §9 name form), e.g. `udf:MB5S-R4AJ-3FBT-7NHO-T26Z-2E6Y-WFH4`. */
export function udfNameUri(udf: string): string {
  return `udf:${parseUdf(udf).text}`;
}

/** `udf://<domain>/<UDF>` (udf.md §9 locator form; the path is upper case with dashes). */
export function udfLocatorUri(domain: string, udf: string): string {
  return `udf://${checkDomain(domain)}/${parseUdf(udf).text}`;
}

/** A parsed `udf:` URI. */
export interface ParsedUdfUri {
  readonly form: 'name' | 'locator';
  /** DNS name of a locator. */
  readonly domain?: string;
  /** The UDF exactly as written in the URI (an EARL identifier hashes this string). */
  readonly udfText: string;
  readonly udf: ParsedUdf;
}

/** Parses a name or locator URI (scheme case-insensitive). */
export function parseUdfUri(uri: string): ParsedUdfUri {
  if (typeof uri !== 'string') throw new UdfError('UDF_BAD_URI', 'a UDF URI must be a string');
  const m = /^udf:(\/\/([^/]*)\/)?([^/?#]+)$/i.exec(uri.trim());
  if (m === null) throw new UdfError('UDF_BAD_URI', 'not a udf: URI (udf:<UDF> or udf://<domain>/<UDF>)');
  const udfText = m[3]!;
  const udf = parseUdf(udfText);
  if (m[1] === undefined) return { form: 'name', udfText, udf };
  return { form: 'locator', domain: checkDomain(m[2]!), udfText, udf };
}

/**
 * EARL identifier (udf.md §9): the SHA-2-512 content digest of the UTF-8 key UDF *string exactly as
 * written*, content type `UDFEncryption` (the reference constant name; the draft says
 * `application/udf-encryption`), at 280 bits by default (the examples; the draft says "twice the
 * precision" of the key). This is the two-hash form; the library helper `ContentDigestOfUDF`
 * that hashes once has no published vector and is not reproduced.
 */
export function earlIdentifier(keyUdf: string, bits: number = EARL_IDENTIFIER_PRECISION): string {
  if (typeof keyUdf !== 'string') throw new UdfError('UDF_BAD_ARGUMENT', 'the key UDF must be a string');
  if (!Number.isInteger(bits) || bits > Math.min(EARL_MAX_IDENTIFIER_PRECISION, MAX_PRECISION)) {
    throw new UdfError('UDF_BAD_PRECISION', `EARL identifier precision must be at most ${EARL_MAX_IDENTIFIER_PRECISION} bits`);
  }
  return contentDigest(utf8Encode(keyUdf), { contentType: CONTENT_TYPE.UDF_ENCRYPTION, algorithm: 'sha2', bits });
}

/** A resolved EARL. */
export interface Earl {
  /** `udf://<domain>/<key>`. */
  readonly earl: string;
  readonly domain: string;
  /** The key UDF as written in the EARL. */
  readonly key: string;
  /** Key bytes (the parsed value: whole bytes only, udf.md §9 "use the parsed bytes"). */
  readonly keyBytes: Uint8Array;
  /** Identifier under which the encrypted resource is published. */
  readonly identifier: string;
  /** `https://<domain>/.well-known/mmm-udf/<identifier>` (the examples; draft: `/.well-known/srv/mmm-udf`). */
  readonly url: string;
}

/** Resolves an EARL into its key, identifier and HTTPS URL (udf.md §9). Non-E-type keys throw `UDF_WRONG_TYPE`. */
export function resolveEarl(earl: string, identifierBits: number = EARL_IDENTIFIER_PRECISION): Earl {
  const u = parseUdfUri(earl);
  if (u.form !== 'locator') throw new UdfError('UDF_BAD_URI', 'an EARL is a locator: udf://<domain>/<key>');
  if (u.udf.type !== UDF_TYPE.ENCRYPTION_KEY && u.udf.type !== UDF_TYPE.ENCRYPTION_SIGNATURE_KEY) {
    throw new UdfError('UDF_WRONG_TYPE', `an EARL carries an encryption key ('E…'), got a ${u.udf.info.name}`);
  }
  const identifier = earlIdentifier(u.udfText, identifierBits);
  return {
    earl: `udf://${u.domain}/${u.udfText}`,
    domain: u.domain!,
    key: u.udfText,
    keyBytes: u.udf.value.slice(),
    identifier,
    url: `https://${u.domain}${EARL_WELL_KNOWN_PATH}${identifier}`,
  };
}

/** The EARL of an existing E-type key UDF at a domain. */
export function earlFor(domain: string, keyUdf: string, identifierBits?: number): Earl {
  return resolveEarl(udfLocatorUri(domain, keyUdf), identifierBits);
}

/**
 * A fresh EARL: a random E-type key (default 128 bits) presented at full length — not the
 * reference's lossy 150-bit presentation of an 18-byte key (udf.md §9 quirk).
 */
export function newEarl(domain: string, options: RandomUdfOptions & { identifierBits?: number } = {}): Earl {
  return earlFor(domain, newEncryptionKey(options), options.identifierBits);
}

/** Mesh connection URI `mcu://<account>/<UDF>` (udf.md §9, e.g. `mcu://alice@example.com/ADKW-…`). */
export function connectionUri(account: string, udf: string): string {
  if (typeof account !== 'string' || !/^[^/\s@]+@[^/\s@]+$/.test(account)) {
    throw new UdfError('UDF_BAD_URI', 'the account must be an address local@domain');
  }
  return `mcu://${account}/${parseUdf(udf).text}`;
}

/** Parses `mcu://<account>/<UDF>`; the UDF is a key (PIN or secret), read at any precision from `MIN_KEY_PRECISION`. */
export function parseConnectionUri(uri: string): { account: string; udf: ParsedUdf } {
  const m = /^mcu:\/\/([^/\s@]+@[^/\s@]+)\/([^/?#]+)$/i.exec(typeof uri === 'string' ? uri.trim() : '');
  if (m === null) throw new UdfError('UDF_BAD_URI', 'not a Mesh connection URI (mcu://<account>/<UDF>)');
  return { account: m[1]!, udf: parseUdf(m[2]!, { minBits: MIN_KEY_PRECISION }) };
}
