import { InvalidArgumentError } from 'commander';
import type { DigestAlgorithm } from '../udf/types.js';

/** Argument parsers shared by the commands (commander calls them; errors become usage errors). */

/** A non-negative decimal integer option. */
export function parseInteger(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('not a non-negative integer');
  return Number(value);
}

/** `sha2` / `sha3` (also `sha-512`, `sha3-512`). */
export function parseAlgorithm(value: string): DigestAlgorithm {
  const v = value.toLowerCase().replace(/[-_]/g, '');
  if (v === 'sha2' || v === 'sha512' || v === 'sha2512') return 'sha2';
  if (v === 'sha3' || v === 'sha3512') return 'sha3';
  throw new InvalidArgumentError("use 'sha2' (SHA-2-512) or 'sha3' (SHA3-512)");
}

/**
 * Content type from a file extension, for `mesh hash udf` without `--cty`. The reference's own
 * example (UDFDigest.md) hashed a `.txt` file as `text/plain`; unknown extensions fall back to
 * `application/octet-stream`.
 */
const BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', html: 'text/html', htm: 'text/html', css: 'text/css', csv: 'text/csv',
  json: 'application/json', xml: 'application/xml', pdf: 'application/pdf', zip: 'application/zip',
  js: 'text/javascript', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml',
};

/** The content type for a file name (see above). */
export function contentTypeOf(path: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return (m && BY_EXTENSION[m[1]!.toLowerCase()]) || 'application/octet-stream';
}
