import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dareSymmetricKey, decodeEnvelope, encodeEnvelope, parseEnvelope, serializeEnvelope, symmetricKeyId, wrapBaseSeedSymmetric,
  type DareError,
} from '../sdk/dare/index.js';
import { parseConnectionUri } from '../sdk/udf/index.js';
import { vectorsDir } from './support/paths.js';

/**
 * Symmetric recipients (dare.md §4.1, mesh-kinds.md D6): an entry without `epk` whose KEK is
 * HKDF-SHA-512(shared secret, no salt, info "", 32) — the reference's CatalogedPublication.EnvelopedData.
 */

const mesh = JSON.parse(readFileSync(resolve(vectorsDir, 'mesh', 'mesh.json'), 'utf8')) as { vectors: Record<string, any>[] };
const publication = JSON.parse(mesh.vectors.find((v) => v.id === 'schema-catalogedpublication')!.inputs.object_json).CatalogedPublication;
const secretOf = (uri: string): Uint8Array => parseConnectionUri(uri).udf.value;
const SECRET = secretOf('mcu://maker@example.com/EDRL-4MZP-3OUD-OZBS-SPZN-7OSO-OM');

describe('symmetric recipient entries', () => {
  it('parses the reference publication envelope (no epk) and decrypts it with the connect-URI secret', () => {
    const env = parseEnvelope(JSON.stringify(publication.EnvelopedData));
    expect(env.header.recipients![0]!.epk).toBeUndefined();
    const key = dareSymmetricKey(SECRET);
    expect(key.kid).toBe(publication.Id); // PublicationId = symmetric key id of the secret (mesh-model.md §11)
    // REF writes it without PayloadMac: reading it is an explicit opt-in.
    expect(() => decodeEnvelope(env, { secrets: [key] })).toThrow(/PayloadMac/);
    const out = decodeEnvelope(env, { secrets: [key], allowUnauthenticated: true });
    const text = new TextDecoder().decode(out.payload);
    expect(text.trimStart().startsWith('{')).toBe(true);
    expect(text).toContain('"DareEnvelope"');
  });

  it('round-trips through our writer, and a wrong secret is DARE_NO_KEY', () => {
    const secret = new Uint8Array(16).map((_, i) => i + 1);
    const key = dareSymmetricKey(secret);
    const baseSeed = new Uint8Array(32).fill(7);
    const entry = wrapBaseSeedSymmetric(key, baseSeed);
    const env = encodeEnvelope('hello', { keyExchange: { baseSeed, recipients: [entry] } });
    const bytes = serializeEnvelope(env);
    expect(new TextDecoder().decode(bytes)).not.toContain('epk');
    expect(new TextDecoder().decode(decodeEnvelope(bytes, { secrets: [key] }).payload)).toBe('hello');
    const wrong = { kid: key.kid, secret: new Uint8Array(16) };
    let code: string | undefined;
    try {
      decodeEnvelope(bytes, { secrets: [wrong] });
    } catch (e) {
      code = (e as DareError).code;
    }
    expect(code).toBe('DARE_NO_KEY');
    expect(symmetricKeyId(secret)).toBe(key.kid);
  });
});
