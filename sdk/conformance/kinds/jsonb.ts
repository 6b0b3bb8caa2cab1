import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { hexDecode, hexEncode } from '../../encoding/hex.js';
import { decodeJsonB, readJsonBItems } from '../../encoding/jsonb-reader.js';
import { encodeJsonB } from '../../encoding/jsonb-writer.js';
import { sha512 } from '../../crypto/index.js';
import { arr, expectEqual, fail, str } from '../check.js';
import { fromNotation, fromNotationForEncoding, sameJson, show } from '../notation.js';
import type { Evaluator, Vector } from '../types.js';

/** Evaluators for jsonb.json (jsonbcd.md §7), through `mathmesh/encoding`. */

function input(v: Vector): Uint8Array {
  const hex = typeof v['input_hex'] === 'string' ? hexDecode(v['input_hex']) : undefined;
  const b64 = typeof v['input_b64u'] === 'string' ? base64urlDecode(v['input_b64u']) : undefined;
  if (hex && b64 && hexEncode(hex) !== hexEncode(b64)) fail('input_hex and input_b64u differ');
  const bytes = hex ?? b64;
  if (bytes === undefined) fail("field 'input_hex' or 'input_b64u' missing");
  return bytes;
}

function expectValue(label: string, got: unknown, want: unknown): void {
  if (!sameJson(got, want)) fail(`${label}: got ${show(got)}, expected ${show(want)}`);
}

const decodeKind: Evaluator = (v) => {
  const bytes = input(v);
  const want = fromNotation(v['expected_value']);
  expectValue('decoded value', decodeJsonB(bytes), want);
  if (v['canonical_encoding'] === true) {
    // Canonical within the token family the input uses: the draft's binary64 (`92`) form for a
    // binary64 input, the reference rules otherwise (jsonbcd.md §3).
    const numbers = bytes[0] === 0x92 ? 'binary64' : 'reference';
    expectEqual('re-encoding (canonical)', hexEncode(encodeJsonB(fromNotationForEncoding(v['expected_value']), { numbers })), hexEncode(bytes));
  }
};

const itemsKind: Evaluator = (v) => {
  const items = readJsonBItems(input(v));
  const want = arr(v, 'expected_items') as Record<string, unknown>[];
  expectEqual('number of items', items.length, want.length);
  want.forEach((w, i) => {
    const got = items[i];
    const type = str(w, 'type');
    if (type === 'binary') {
      if (!(got instanceof Uint8Array)) fail(`item ${i}: expected binary, got ${show(got)}`);
      const hex = typeof w['hex'] === 'string' ? w['hex'] : hexEncode(base64urlDecode(str(w, 'b64u')));
      expectEqual(`item ${i}`, hexEncode(got), hex.toLowerCase());
    } else if (type === 'string') {
      expectEqual(`item ${i}`, got, typeof w['utf8'] === 'string' ? w['utf8'] : str(w, 'value'));
    } else {
      expectValue(`item ${i}`, got, fromNotation(w['value']));
    }
  });
};

const roundtripKind: Evaluator = (v) => {
  const bytes = input(v);
  expectValue('decoded value', decodeJsonB(bytes), fromNotation(v['expected_value']));
  expectEqual('re-encoding', hexEncode(encodeJsonB(fromNotationForEncoding(v['expected_value']))), hexEncode(bytes));
  if (typeof v['expected_sha512_b64u'] === 'string') {
    expectEqual('SHA-512 of the bytes', base64urlEncode(sha512(bytes)), v['expected_sha512_b64u']);
  }
  if (typeof v['expected_sha512_hex'] === 'string') {
    expectEqual('SHA-512 of the bytes', hexEncode(sha512(bytes)), v['expected_sha512_hex'].toLowerCase());
  }
};

const encodeKind: Evaluator = (v) => {
  if (!('value' in v)) fail("field 'value' missing");
  const bytes = encodeJsonB(fromNotationForEncoding(v['value']));
  expectEqual('encoding', hexEncode(bytes), str(v, 'expected_hex').toLowerCase());
  expectValue('decoding the encoding', decodeJsonB(bytes), fromNotation(v['value']));
};

/** Registers the JSON-B kinds. */
export function jsonbKinds(): Record<string, Evaluator> {
  return { jsonb_decode: decodeKind, jsonb_items: itemsKind, jsonb_roundtrip: roundtripKind, jsonb_encode: encodeKind };
}
