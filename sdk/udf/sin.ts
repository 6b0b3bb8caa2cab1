import { UdfError } from './errors.js';
import { parseUdf, type ParsedUdf } from './presentation.js';

/**
 * Strong Internet Names (udf.md §10; draft §7): a DNS label `mm--` + the lower-case UDF **with its
 * dashes** binds an address to the fingerprint of a security policy. UDFsin.md / draft §1.3 use
 * 5-character groups and a value that decodes to nonsense; they are ignored (udf.md §10).
 */

/** Label prefix of a SIN. */
export const SIN_PREFIX = 'mm--';
/** Longest UDF that fits a 63-byte DNS label after `mm--`: 59 characters (48 Base32 + 11 dashes = 240 bits). */
export const SIN_MAX_UDF_LENGTH = 59;

function sinLabel(udf: string): string {
  const text = parseUdf(udf).text;
  if (text.length > SIN_MAX_UDF_LENGTH) {
    throw new UdfError('UDF_BAD_SIN', `a SIN label holds at most ${SIN_MAX_UDF_LENGTH} UDF characters (240 bits), got ${text.length}`);
  }
  return SIN_PREFIX + text.toLowerCase();
}

function splitAddress(address: string): [string, string] {
  const at = typeof address === 'string' ? address.lastIndexOf('@') : -1;
  if (at <= 0 || at === address.length - 1) throw new UdfError('UDF_BAD_SIN', 'expected an address local@domain');
  return [address.slice(0, at), address.slice(at + 1)];
}

/**
 * Strong form, only for SIN-aware clients: `alice@example.com.mm--<udf>` (reference
 * `MakeStrongName(address, udf) = address + ".mm--" + lower(udf)`).
 */
export function strongName(address: string, udf: string): string {
  splitAddress(address);
  return `${address}.${sinLabel(udf)}`;
}

/** Compatible form, usable by any mail client: `alice@mm--<udf>.example.com`. */
export function compatibleName(address: string, udf: string): string {
  const [local, domain] = splitAddress(address);
  return `${local}@${sinLabel(udf)}.${domain}`;
}

/** A parsed SIN. */
export interface ParsedSin {
  /** The address without the SIN label. */
  readonly address: string;
  /** The UDF of the label, if the name is a SIN (`undefined` for a plain address). */
  readonly udf?: ParsedUdf;
}

/** Splits an address at `@`; any domain label starting `mm--` yields the UDF (udf.md §10). */
export function parseSin(name: string): ParsedSin {
  const [local, domain] = splitAddress(name);
  const labels = domain.split('.');
  const i = labels.findIndex((l) => l.toLowerCase().startsWith(SIN_PREFIX));
  if (i < 0) return { address: name };
  if (labels.slice(i + 1).some((l) => l.toLowerCase().startsWith(SIN_PREFIX))) {
    throw new UdfError('UDF_BAD_SIN', 'more than one mm-- label');
  }
  const label = labels[i]!;
  if (label.length > 63) throw new UdfError('UDF_BAD_SIN', 'a DNS label is at most 63 characters');
  const udf = parseUdf(label.slice(SIN_PREFIX.length));
  labels.splice(i, 1);
  if (labels.length === 0) throw new UdfError('UDF_BAD_SIN', 'a SIN needs a domain besides its mm-- label');
  return { address: `${local}@${labels.join('.')}`, udf };
}
