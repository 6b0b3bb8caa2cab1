import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import * as library from 'structured-headers';
import { Token } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, utf8Encode } from '../sdk/encoding/index.js';
import {
  checkContentDigest, component, componentValue, contentDigest, createHmacSignature, ProtocolError, readSignature, serializeSignatureParams,
  signatureBase, verifyHmacSignature, type SignatureTarget,
} from '../sdk/protocol/index.js';
import {
  parsedDictionaryField, serializeInnerList, serializeItem, type BareItem, type InnerList, type Item,
} from '../sdk/protocol/structured.js';
import {
  B21, B22, B23, B24, B25, B26, DERIVED, DICTIONARY_MEMBERS, FIELDS, REQRES, RFC9530, TEST_KEY_ECC_P256, TEST_KEY_ED25519_X, TEST_REQUEST,
  TEST_RESPONSE, TEST_SHARED_SECRET,
} from './support/rfc9421-vectors.js';

/**
 * Our RFC 9421 signature base and RFC 9530 Content-Digest against the RFCs' own examples: the
 * bases must be the RFC's text byte for byte, the hmac-sha256 example must give the RFC's
 * signature, and the RFC's published Ed25519 and ECDSA signatures must verify over the bases we
 * build (checked with @noble/curves, independent of our code) — including §2.4's `;req` base.
 */

const headers = (list: readonly [string, string][], more: readonly [string, string][] = []): Headers => {
  const h = new Headers();
  for (const [k, v] of [...list, ...more]) h.append(k, v);
  return h;
};
const b64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const sigBytes = (field: string): Uint8Array => b64(field.slice(field.indexOf(':') + 1, -1));
const requestTarget = (more: readonly [string, string][] = []): SignatureTarget => ({
  kind: 'request', request: { method: TEST_REQUEST.method, targetUri: TEST_REQUEST.targetUri, headers: headers(TEST_REQUEST.headers, more) },
});
/** The base a received message yields for the signature labelled `label` (RFC 9421 §3.2). */
const baseOf = (target: SignatureTarget, label: string): string => {
  const h = target.kind === 'request' ? target.request.headers : target.response.headers;
  const sig = readSignature(h, label);
  return signatureBase(sig.components, sig.signatureParams, target);
};

describe('RFC 9421 Appendix B.2.5: hmac-sha256 over test-request', () => {
  const key = b64(TEST_SHARED_SECRET);

  it('builds the RFC signature base and the RFC signature, byte for byte', () => {
    const params = new Map<string, string | number>([['created', B25.created], ['keyid', B25.keyid]]);
    const out = createHmacSignature(B25.label, B25.components.map((c) => component(c)), params, requestTarget(), key);
    expect(out.base).toBe(B25.base);
    expect(out.signatureInput).toBe(B25.signatureInput);
    expect(out.signature).toBe(B25.signature);
  });

  it('verifies the RFC fields as received, and refuses them once a covered field or the signature changes', () => {
    const fields: [string, string][] = [['Signature-Input', B25.signatureInput], ['Signature', B25.signature]];
    const received = headers(TEST_REQUEST.headers, fields);
    const signed: SignatureTarget = { kind: 'request', request: { method: TEST_REQUEST.method, targetUri: TEST_REQUEST.targetUri, headers: received } };
    const sig = readSignature(received, B25.label);
    expect(verifyHmacSignature(sig, signed, key)).toBe(B25.base);
    const redated = headers(TEST_REQUEST.headers.map(([k, v]): [string, string] => [k, k === 'Date' ? 'Tue, 20 Apr 2021 02:07:56 GMT' : v]), fields);
    const tampered: SignatureTarget = { kind: 'request', request: { method: TEST_REQUEST.method, targetUri: TEST_REQUEST.targetUri, headers: redated } };
    expect(() => verifyHmacSignature(readSignature(redated, B25.label), tampered, key)).toThrow(ProtocolError);
    const moved: SignatureTarget = { kind: 'request', request: { method: TEST_REQUEST.method, targetUri: 'https://example.org/foo', headers: received } };
    expect(() => verifyHmacSignature(sig, moved, key)).toThrow(/does not verify/);
    const flipped = sigBytes(B25.signature);
    flipped[0]! ^= 1;
    expect(() => verifyHmacSignature({ ...sig, value: flipped }, signed, key)).toThrow(/does not verify/);
    expect(() => verifyHmacSignature(sig, signed, new Uint8Array(64))).toThrow(/does not verify/);
  });
});

describe('RFC 9421 Appendix B.2: the other examples', () => {
  it('B.2.6 ed25519: our base is the RFC one and the RFC signature verifies over it', () => {
    const target = requestTarget([['Signature-Input', B26.signatureInput], ['Signature', B26.signature]]);
    const base = baseOf(target, B26.label);
    expect(base).toBe(B26.base);
    expect(ed25519.verify(sigBytes(B26.signature), utf8Encode(base), base64urlDecode(TEST_KEY_ED25519_X))).toBe(true);
    expect(ed25519.verify(sigBytes(B26.signature), utf8Encode(base.replace('/foo', '/bar')), base64urlDecode(TEST_KEY_ED25519_X))).toBe(false);
  });

  it('B.2.4 ecdsa-p256-sha256 over test-response: our base is the RFC one and the RFC signature verifies', () => {
    const target: SignatureTarget = {
      kind: 'response',
      response: { status: TEST_RESPONSE.status, headers: headers(TEST_RESPONSE.headers, [['Signature-Input', B24.signatureInput], ['Signature', B24.signature]]) },
    };
    const base = baseOf(target, B24.label);
    expect(base).toBe(B24.base);
    expect(contentDigest(utf8Encode(TEST_RESPONSE.body))).toBe(TEST_RESPONSE.headers[2]![1]);
    const pub = new Uint8Array([4, ...base64urlDecode(TEST_KEY_ECC_P256.x), ...base64urlDecode(TEST_KEY_ECC_P256.y)]);
    expect(p256.verify(sigBytes(B24.signature), utf8Encode(base), pub, { lowS: false })).toBe(true);
  });

  it('§2.4 request–response binding: the base of a response covering request components with ;req, and its published signature', () => {
    const request = { method: TEST_REQUEST.method, targetUri: TEST_REQUEST.targetUri, headers: headers(TEST_REQUEST.headers) };
    const target: SignatureTarget = {
      kind: 'response',
      response: { status: REQRES.response.status, headers: headers(REQRES.response.headers, [['Signature-Input', REQRES.signatureInput], ['Signature', REQRES.signature]]), request },
    };
    const base = baseOf(target, 'reqres');
    expect(base).toBe(REQRES.base);
    const pub = new Uint8Array([4, ...base64urlDecode(TEST_KEY_ECC_P256.x), ...base64urlDecode(TEST_KEY_ECC_P256.y)]);
    expect(p256.verify(sigBytes(REQRES.signature), utf8Encode(base), pub, { lowS: false })).toBe(true);
    // Without the request, ;req components cannot be resolved: an error, never a guess.
    const alone: SignatureTarget = { kind: 'response', response: { ...target.response, request: undefined } };
    expect(() => baseOf(alone, 'reqres')).toThrow(ProtocolError);
  });

  it('B.2.1 (no components, a nonce) and B.2.3 (full coverage): the RFC bases', () => {
    expect(baseOf(requestTarget([['Signature-Input', B21.signatureInput], ['Signature', `${B21.label}=:AAAA:`]]), B21.label)).toBe(B21.base);
    expect(baseOf(requestTarget([['Signature-Input', B23.signatureInput], ['Signature', `${B23.label}=:AAAA:`]]), B23.label)).toBe(B23.base);
  });

  it('B.2.2 uses @query-param, which this binding does not implement: refused, not mis-built', () => {
    expect(() => baseOf(requestTarget([['Signature-Input', B22.signatureInput], ['Signature', 'sig-b22=:AAAA:']]), 'sig-b22')).toThrow(/unsupported derived component "@query-param"/);
  });
});

describe('RFC 9421 §2.1, §2.2: component values', () => {
  it('§2.1 field values: trimmed, repeated fields combined with ", "', () => {
    const target: SignatureTarget = { kind: 'request', request: { method: 'GET', targetUri: 'https://www.example.com/', headers: headers(FIELDS.headers) } };
    const names = ['host', 'date', 'x-ows-header', 'cache-control', 'example-dict'];
    expect(signatureBase(names.map((n) => component(n)), '()', target).split('\n').slice(0, -1)).toEqual(FIELDS.lines);
  });

  it('§2.1.2 dictionary members by key, strictly re-serialized', () => {
    const target: SignatureTarget = { kind: 'request', request: { method: 'GET', targetUri: 'https://www.example.com/', headers: headers([['Example-Dict', DICTIONARY_MEMBERS.field]]) } };
    const ids = ['a', 'd', 'b', 'c'].map((key) => component('example-dict', { key }));
    expect(signatureBase(ids, '()', target).split('\n').slice(0, -1)).toEqual(DICTIONARY_MEMBERS.lines);
    expect(() => componentValue(component('example-dict', { key: 'zz' }), target)).toThrow(/no such member/);
  });

  it('§2.2 derived components of a request', () => {
    for (const spec of [DERIVED.https, DERIVED.http]) {
      const target: SignatureTarget = { kind: 'request', request: { method: 'POST', targetUri: spec.targetUri, headers: new Headers() } };
      for (const [name, value] of Object.entries(spec.values)) expect(componentValue(component(name), target)).toBe(value);
    }
    for (const [uri, query] of DERIVED.queries) {
      expect(componentValue(component('@query'), { kind: 'request', request: { method: 'GET', targetUri: uri, headers: new Headers() } })).toBe(query);
    }
    expect(componentValue(component('@authority'), { kind: 'request', request: { method: 'GET', targetUri: 'https://WWW.Example.COM:443/x', headers: new Headers() } })).toBe('www.example.com');
  });

  it('§2.5 errors: duplicates, @status on a request, req on a request, a missing field, @signature-params listed, a non-ASCII value', () => {
    const target = requestTarget([['X-Name', 'caf\u00e9']]);
    const refuse = (ids: ReturnType<typeof component>[]): void => {
      expect(() => signatureBase(ids, serializeSignatureParams(ids, new Map()), target)).toThrow(ProtocolError);
    };
    refuse([component('date'), component('date')]);
    refuse([component('content-digest', { req: true, key: 'sha-512' }), component('content-digest', { key: 'sha-512', req: true })]);
    refuse([component('@status')]);
    refuse([component('@method', { req: true })]);
    refuse([component('x-missing')]);
    refuse([component('@signature-params')]);
    refuse([component('x-name')]);
    refuse([component('date', { sf: true })]);
    refuse([component('Date')]);
  });
});

describe('RFC 9530 §2: Content-Digest', () => {
  it('writes the RFC sha-512 field and checks it against the content', () => {
    const body = utf8Encode(RFC9530.body);
    expect(contentDigest(body)).toBe(RFC9530.contentDigest);
    expect(contentDigest(utf8Encode(TEST_REQUEST.body))).toBe(TEST_REQUEST.headers[3]![1]);
    checkContentDigest(RFC9530.contentDigest, body);
    checkContentDigest(RFC9530.twoAlgorithms, body);
  });

  it('refuses a missing, malformed, sha-256-only or mismatching field', () => {
    const body = utf8Encode(RFC9530.body);
    for (const field of [null, 'sha-512=WZDP', 'sha-512=:AAAA:', 'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:', contentDigest(utf8Encode('{"hello": "World"}\n'))]) {
      expect(() => checkContentDigest(field, body)).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_DIGEST' }));
    }
  });
});

describe('RFC 8941 serialization: the short path gives the package\'s text', () => {
  // Every item the short path takes must come out as structured-headers writes it, and every
  // item it declines must still be written (or refused) by the package, unchanged.
  const strings = ['', 'mmm', 'hmac-sha256', 'MBWG-ABCD', 'a "quoted" \\ one', 'tab\there', 'é', '~ !#$%&\'()*+,-./:;<=>?@[]^_`{|}', 'x'.repeat(300)];
  const numbers = [0, -0, 1, -1, 1_800_000_000, 999_999_999_999_999, -999_999_999_999_999, 1_000_000_000_000_000, 1.5, -2.25, Number.NaN];
  const bytes = [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([0xfb, 0xff]), Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff), new Uint8Array(new ArrayBuffer(8), 2, 3)];
  const bare: BareItem[] = [...strings, ...numbers, true, false, ...bytes, ...bytes.map((b) => b.slice().buffer), new Token('tok'), new DataView(new ArrayBuffer(2))];
  const keys = ['created', 'a', '*x', 'k-1.b_c*', 'Bad', '1no', ''];
  const outcome = (f: () => string): string => {
    try {
      return `ok ${f()}`;
    } catch (e) {
      return `throws ${(e as Error).constructor.name}`;
    }
  };

  it('items and parameters of every kind, and inner lists of them', () => {
    let n = 0;
    for (const v of bare) {
      expect(outcome(() => serializeItem(v))).toBe(outcome(() => library.serializeItem(v)));
      for (const k of keys) {
        for (const p of [true, v, 'mmm']) {
          const item: Item = ['name', new Map<string, BareItem>([['req', true], [k, p]])];
          expect(outcome(() => serializeItem(item))).toBe(outcome(() => library.serializeItem(item)));
          const list: InnerList = [[item, [v, new Map()]], new Map<string, BareItem>([[k, v]])];
          expect(outcome(() => serializeInnerList(list))).toBe(outcome(() => library.serializeInnerList(list)));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(500);
  });

  it('what a signer tells the memo of its own fields is what parsing them gives', () => {
    const h = new Headers({ 'content-digest': contentDigest(utf8Encode('{}')) });
    const target: SignatureTarget = { kind: 'request', request: { method: 'POST', targetUri: 'https://mesh.example.com/.well-known/mmm/Status', headers: h } };
    const params = new Map<string, BareItem>([['created', 1_800_000_000], ['nonce', 'n"q\\'], ['keyid', 'MBWG'], ['alg', 'hmac-sha256']]);
    const f = createHmacSignature('mmm', [component('@method'), component('content-digest')], params, target, new Uint8Array(32).fill(1));
    h.set('signature-input', f.signatureInput);
    h.set('signature', f.signature);
    for (const [name, value] of [['signature-input', f.signatureInput], ['signature', f.signature]] as const) {
      const remembered = parsedDictionaryField(h, name, name, 'PROTOCOL_BAD_SIGNATURE');
      expect(remembered).toEqual(library.parseDictionary(value));
    }
    // A label that is no Dictionary key is not remembered: reading the field fails as parsing does.
    const g = new Headers();
    const bad = createHmacSignature('Bad', [component('@method')], new Map(), { kind: 'request', request: { ...target.request, headers: g } }, new Uint8Array(32));
    g.set('signature-input', bad.signatureInput);
    expect(() => parsedDictionaryField(g, 'signature-input', 'Signature-Input', 'PROTOCOL_BAD_SIGNATURE')).toThrow(ProtocolError);
  });

  it('a Dictionary field is parsed once per message, and anew once the field changed', () => {
    const h = new Headers({ 'signature-input': 'mmm=("@method");created=1' });
    const first = parsedDictionaryField(h, 'signature-input', 'Signature-Input', 'PROTOCOL_BAD_SIGNATURE');
    expect(parsedDictionaryField(h, 'signature-input', 'Signature-Input', 'PROTOCOL_BAD_SIGNATURE')).toBe(first);
    h.set('signature-input', 'mmm=("@method");created=2');
    const second = parsedDictionaryField(h, 'signature-input', 'Signature-Input', 'PROTOCOL_BAD_SIGNATURE');
    expect(second).not.toBe(first);
    expect((second!.get('mmm') as InnerList)[1].get('created')).toBe(2);
    h.delete('signature-input');
    expect(parsedDictionaryField(h, 'signature-input', 'Signature-Input', 'PROTOCOL_BAD_SIGNATURE')).toBeNull();
  });
});
