import { base64urlEncode } from './base64url.js';
import { EncodingError } from './errors.js';
import { DEFAULT_MAX_DEPTH, formatDateTime, isJsonObject, jsonNumberText, jsonStringLiteral } from './json-value.js';

/**
 * The reference's "pretty" JSON text layout (dare.md §9.7), needed only to reproduce its bytes:
 * `ContentMetaData` (whose value is this text as UTF-8) and sequence headers whose frame lengths
 * and `TreePosition` offsets must match a reference file. Readers never need it (`parseJson`
 * tolerates the wrapped base64); ordinary writers use {@link writeJson} (dare.md §1). Rules:
 * - `{` / `[` open a level; every object member is preceded by `,` (not the first), a line break
 *   and 2·level spaces, then `"name": `; array items after the first by `,`, a line break and
 *   2·level spaces; `}` / `]` close on the same line.
 * - Binary values are base64url, wrapped: the column starts at 1 + 4 + len(name) where name is the
 *   member name written *last* anywhere before the value (the reference keeps one such counter):
 *   the value's own member name, or — for the payload of an envelope inside an array — the last
 *   member of the envelope's header (verified on the nested envelopes of REF's RequestConnection,
 *   AcknowledgeConnection and self-contact payloads). Before each character it advances, and past
 *   63 a line break plus 2 spaces is emitted and it becomes 2.
 *   Binary array items (after no other member) reuse their member name's column.
 * Values: string, finite number, bigint, boolean, null, `Uint8Array`, `Date`, arrays and objects;
 * `undefined` members are omitted, `undefined` array items written as null. Anything else throws
 * `JSON_UNSUPPORTED_VALUE`; nesting deeper than `maxDepth` (default 128) throws `JSON_TOO_DEEP`.
 */
export function writeReferenceJson(value: unknown, maxDepth = DEFAULT_MAX_DEPTH): string {
  const out: string[] = [];
  const binary = (b: Uint8Array): void => {
    const text = base64urlEncode(b);
    let col = 1 + 4 + nameLength;
    let s = '"';
    for (const ch of text) {
      col += 1;
      if (col > 63) {
        s += '\n  ';
        col = 2;
      }
      s += ch;
    }
    out.push(s + '"');
  };
  let nameLength = 0;
  const write = (v: unknown, level: number): void => {
    if (level > maxDepth) throw new EncodingError('JSON_TOO_DEEP', `reference JSON: nesting deeper than ${maxDepth}`);
    if (typeof v === 'string') return void out.push(jsonStringLiteral(v, 'reference JSON'));
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new EncodingError('JSON_UNSUPPORTED_VALUE', `reference JSON: ${String(v)} has no JSON form`);
      return void out.push(jsonNumberText(v));
    }
    if (typeof v === 'bigint') return void out.push(v.toString());
    if (typeof v === 'boolean') return void out.push(v ? 'true' : 'false');
    if (v === null) return void out.push('null');
    if (v instanceof Uint8Array) return binary(v);
    if (v instanceof Date) return void out.push(`"${formatDateTime(v)}"`);
    const pad = '\n' + ' '.repeat(2 * (level + 1));
    if (Array.isArray(v)) {
      out.push('[');
      v.forEach((item, i) => {
        if (i > 0) out.push(',' + pad);
        write(item ?? null, level + 1);
      });
      return void out.push(']');
    }
    if (!isJsonObject(v)) throw new EncodingError('JSON_UNSUPPORTED_VALUE', `reference JSON: a ${typeof v} has no JSON form`);
    out.push('{');
    let first = true;
    for (const [name, member] of Object.entries(v)) {
      if (member === undefined) continue;
      out.push((first ? '' : ',') + pad + jsonStringLiteral(name, 'reference JSON member name') + ': ');
      first = false;
      nameLength = name.length;
      write(member, level + 1);
    }
    out.push('}');
  };
  write(value, 0);
  return out.join('');
}
