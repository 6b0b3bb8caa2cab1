import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../sdk/conformance/main.js';
import {
  DareError, darePrivateKey, darePublicKey, decodeEnvelope, encodeEnvelope, envelopeToString, parseEnvelope, serializeEnvelope,
  symmetricKeyId, unwrapBaseSeedDetail, verifyEnvelope,
} from '../sdk/dare/index.js';
import { base64urlDecode, hexEncode, utf8Decode } from '../sdk/encoding/index.js';
import { vectorsDir } from './support/paths.js';

/** dare.json envelope-level vectors through the public `mathmesh/dare` API (dare.md §11). */

const file = resolve(vectorsDir, 'dare.json');
const dare = JSON.parse(readFileSync(file, 'utf8')) as {
  keys: Record<string, { crv: string; private_b64u?: string; public_b64u: string; kid: string }>;
  vectors: Record<string, any>[];
  derived_vectors: Record<string, any>[];
  known_bad: { id: string }[];
};
const vec = (id: string) => dare.vectors.find((v) => v['id'] === id)!;
const priv = (name: string) => darePrivateKey('Ed25519', base64urlDecode(dare.keys[name]!.private_b64u!));

describe('dare.json through mathmesh/dare', () => {
  it('conformance: every envelope-level vector passes, known-bad ones are reported, not failed', async () => {
    const lines: string[] = [];
    const status = await runConformance([file], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const envelopeKinds = ['envelope', 'recipient_unwrap', 'symmetric_key_id', 'eds', 'eds_encrypted', 'payload_kdf', 'recipient_wrap', 'envelope_jsonb'];
    const ids = [...dare.vectors, ...dare.derived_vectors].filter((v) => envelopeKinds.includes(v['kind'])).map((v) => v['id'] as string);
    expect(ids.length).toBe(18);
    for (const id of ids) expect(lines.find((l) => l.includes(` ${id}`)), `${id}\n${lines.join('\n')}`).toMatch(/^PASS/);
    for (const bad of dare.known_bad) expect(lines.find((l) => l.includes(bad.id)) ?? '').not.toMatch(/^FAIL/);
    expect(status, lines.join('\n')).toBe(0);
  });

  it('plaintext, EDS and mail envelopes decode to the published values (unsigned: all of it under `unsigned`)', () => {
    const plain = decodeEnvelope(vec('env-ex-plain')['envelope_json']);
    expect(utf8Decode(plain.payload)).toBe('This is a test long enough to require multiple blocks');
    expect(plain.envelope.trailer).toBeUndefined();
    expect(plain.verdict).toBe('no-signer-checked');
    const mail = decodeEnvelope(vec('env-mail-plain')['envelope_json']);
    expect(mail.signed.metadata).toBeUndefined();
    const meta = mail.unsigned.metadata!;
    expect(meta.annotations.map(utf8Decode)).toEqual(vec('env-mail-plain')['expected']['annotations_utf8']);
    expect(meta.contentMeta).toEqual({ cty: 'application/example-mail' });
    expect(encodeEnvelope(mail.payload, { annotations: meta.annotations, contentType: 'application/example-mail' }))
      .toEqual(parseEnvelope(vec('env-mail-plain')['envelope_json']));
  });

  it('signed envelope: Ed25519ctx signature reproduced byte for byte, verified by kid', () => {
    const v = vec('env-ex-signed');
    const signer = priv('ex.alice.sign');
    const env = encodeEnvelope(v['expected']['payload_utf8'], { signers: [signer], referenceForm: true });
    expect(envelopeToString(env)).toBe(v['envelope_json']);
    // A signed plaintext envelope needs no opt-in: the payload is authentic; the header is not signed (reference form).
    const d = decodeEnvelope(v['envelope_json'], { signers: [signer] });
    expect(d.signatures).toEqual([{ kid: signer.kid, status: 'valid', key: signer, manifest: 'absent' }]);
    expect(d.signedBy.map((k) => k.kid)).toEqual(['MBVS-ODR3-5EAW-BJHA-22VB-RP5P-6D6X']);
    expect(d).toMatchObject({ verdict: 'authentic', headerSigned: false, integrity: 'signature' });
    expect(d.signed.metadata).toBeUndefined();
    expect(d.unsigned.metadata).toBeDefined();
  });

  it('signed and encrypted envelope: refused by default (no MAC, signature bound to nothing); with the opt-in decrypts, witness checked, re-encodes byte for byte', () => {
    const v = vec('env-ex-signed-encrypted');
    const key = priv('ex.alice.encrypt');
    const signer = priv('ex.alice.sign');
    expect(() => decodeEnvelope(v['envelope_json'], { keys: [key], signers: [signer] })).toThrow(expect.objectContaining({ code: 'DARE_UNAUTHENTICATED' }));
    expect(() => verifyEnvelope(v['envelope_json'], { signers: [signer] })).toThrow(expect.objectContaining({ code: 'DARE_UNAUTHENTICATED' }));
    const d = decodeEnvelope(v['envelope_json'], { keys: [key], signers: [signer], allowUnauthenticated: true });
    expect(utf8Decode(d.payload)).toBe(v['expected']['plaintext_utf8']);
    expect(d.signatures[0]!.witness).toBe('valid');
    expect(d).toMatchObject({ verdict: 'unbound-signatures', authentic: false, mac: 'absent', integrity: 'signature' });
    const detail = unwrapBaseSeedDetail(d.recipient!, key)!;
    expect(detail.info).toBe('');
    expect(hexEncode(detail.baseSeed)).toBe(v['expected']['base_seed_hex']);
    const h = d.envelope.header;
    const again = encodeEnvelope(d.payload, {
      keyExchange: { baseSeed: detail.baseSeed, recipients: h.recipients! }, salt: h.salt!, headerKid: h.kid!, signers: [signer], referenceForm: true,
    });
    expect(envelopeToString(again)).toBe(v['envelope_json']);
  });

  it('encrypted example (generator KEK info "master") decrypts; header kid is the previous seed (not trusted)', () => {
    const v = vec('env-ex-encrypted');
    expect(() => decodeEnvelope(v['envelope_json'], { keys: [priv('ex.alice.encrypt')] })).toThrow(expect.objectContaining({ code: 'DARE_UNAUTHENTICATED' }));
    const d = decodeEnvelope(v['envelope_json'], { keys: [priv('ex.alice.encrypt')], allowUnauthenticated: true });
    expect(d).toMatchObject({ verdict: 'no-signer-checked', mac: 'absent', integrity: 'none' });
    expect(utf8Decode(d.payload)).toBe(v['expected']['plaintext_utf8']);
    expect(unwrapBaseSeedDetail(d.recipient!, priv('ex.alice.encrypt'))!.info).toBe('master');
    expect(symmetricKeyId(base64urlDecode(''))).toMatch(/^EB/);
    expect(symmetricKeyId(Uint8Array.from(Buffer.from(vec('symkeyid-ex')['input']['base_seed_hex'], 'hex')))).toBe(d.envelope.header.kid);
  });

  it('Ed448 signed Mesh envelope verifies without decrypting; JSON-B payload', () => {
    const v = vec('env-mesh-ed448-connection-service');
    const k = dare.keys['mesh.alice.admin-sign']!;
    const pub = darePublicKey('Ed448', base64urlDecode(k.public_b64u));
    expect(pub.kid).toBe(k.kid);
    const r = verifyEnvelope(v['envelope_json'], { signers: [pub] });
    expect(r.digestStatus).toBe('valid');
    expect(r.verdict).toBe('authentic');
    expect(r.signatures.map((s) => s.status)).toEqual(['valid']);
    // The same parts as JSON-B verify too (the signature covers the payload bytes only).
    const jsonb = serializeEnvelope(parseEnvelope(v['envelope_json']), 'jsonb');
    expect(jsonb[0]).toBe(0x5b);
    expect(verifyEnvelope(jsonb, { signers: [pub] }).signatures[0]!.status).toBe('valid');
  });

  it('the known-bad mail examples stay undecryptable with a typed error', () => {
    expect(dare.known_bad.map((b) => b.id)).toEqual(['env-mail-encrypted-ex', 'env-mail-encrypted-d12']);
    expect(() => decodeEnvelope(vec('env-ex-encrypted')['envelope_json'], { keys: [priv('d12.alice.encrypt')], allowUnauthenticated: true })).toThrow(DareError);
  });
});
