import { base64urlEncode } from '../../encoding/base64url.js';

/**
 * The reference's "pretty" JSON text layout (dare.md §9.7), used when a sequence must match
 * reference bytes exactly (frame lengths and `TreePosition` offsets depend on it). Ordinary
 * compact JSON reads the same everywhere (dare.md §1), so this layout is an option, not the default.
 *
 * Rules: `{`/`[` open a level; each object member is preceded by `,` (not the first) then a line
 * break and two spaces per level, then `"name": `; array items after the first by `,` + line break
 * + indentation; `}`/`]` close on the same line. Binary values (`Uint8Array`) are base64url with the
 * reference's line wrapping: a column counter starts at 1 + 4 + len(name), is incremented before
 * each character, and past column 63 a line break and two spaces are emitted and it restarts at 2.
 * Only the first wrap of 64-byte digests is confirmed by vectors (container-chain, -merkle); the
 * continuation width of longer values follows the same counter, as read from §9.7.
 */
export function writeReferenceJson(value: unknown): string {
  const parts: string[] = [];
  write(parts, value, 0, 0);
  return parts.join('');
}

const pad = (level: number): string => '  '.repeat(level);

function wrapBinary(text: string, startColumn: number): string {
  let col = startColumn;
  let out = '';
  for (const ch of text) {
    col += 1;
    if (col > 63) {
      out += '\n  ';
      col = 2;
    }
    out += ch;
  }
  return out;
}

function write(parts: string[], v: unknown, level: number, column: number): void {
  if (v instanceof Uint8Array) {
    parts.push('"' + wrapBinary(base64urlEncode(v), column) + '"');
  } else if (Array.isArray(v)) {
    parts.push('[');
    v.forEach((item, i) => {
      if (i > 0) parts.push(',\n' + pad(level + 1));
      write(parts, item, level + 1, column);
    });
    parts.push(']');
  } else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    parts.push('{');
    let first = true;
    for (const [name, member] of Object.entries(v as Record<string, unknown>)) {
      if (member === undefined) continue;
      parts.push((first ? '' : ',') + '\n' + pad(level + 1) + JSON.stringify(name) + ': ');
      first = false;
      write(parts, member, level + 1, 1 + 4 + name.length);
    }
    parts.push('}');
  } else if (typeof v === 'string') {
    parts.push(JSON.stringify(v));
  } else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    parts.push(String(v));
  } else if (v instanceof Date) {
    parts.push('"' + v.toISOString().replace(/\.\d{3}Z$/, 'Z') + '"');
  } else {
    parts.push('null');
  }
}
