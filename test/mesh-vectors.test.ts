import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConformance } from '../sdk/conformance/main.js';
import { MESH_KINDS } from '../sdk/conformance/kinds/mesh.js';
import { CONFORMANCE_PROVIDERS } from '../sdk/conformance/provider.js';
import { KNOWN_KINDS } from '../sdk/conformance/registry.js';
import { initSync } from '../sdk/crypto/index.js';
import { vectorsDir } from './support/paths.js';

/**
 * mesh.json through the conformance runner (mesh-kinds.md) on every provider (`--provider`: the
 * default route after init(), WASM, pure, node:crypto). Every vector passes — the unverified
 * ones too — and every known_bad entry is reported as such.
 */

const file = resolve(vectorsDir, 'mesh', 'mesh.json');
const mesh = JSON.parse(readFileSync(file, 'utf8')) as { vectors: { id: string; kind: string; verified: boolean }[]; known_bad: { id: string }[] };

afterAll(() => {
  initSync({ prefer: undefined });
});

describe('mesh.json kinds', () => {
  it('are registered in the runner', () => {
    for (const k of [...MESH_KINDS, 'mesh-activate']) expect(KNOWN_KINDS).toContain(k);
    expect(new Set(mesh.vectors.map((v) => v.kind))).toEqual(new Set([...MESH_KINDS, 'mesh-activate']));
  });

  it.each(CONFORMANCE_PROVIDERS)('every vector passes on the %s provider', async (provider) => {
    const lines: string[] = [];
    const status = await runConformance(['--provider', provider, file], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(lines[0]).toBe(`# provider ${provider}`);
    for (const v of mesh.vectors) expect(lines, `${v.id}\n${lines.filter((l) => l.includes(v.id)).join('\n')}`).toContain(`PASS ${v.id}`);
    for (const b of mesh.known_bad) expect(lines.find((l) => l.startsWith(`SKIP ${b.id}: known bad:`)), b.id).toBeDefined();
    expect(lines.at(-1)).toBe(`${mesh.vectors.length} passed, 0 failed, ${mesh.known_bad.length} skipped`);
    expect(status).toBe(0);
  });
});

describe('the mesh evaluators can fail', () => {
  const tamper = (id: string, change: (v: Record<string, any>) => void): Record<string, any> => {
    const v = structuredClone(mesh.vectors.find((x) => x.id === id)) as unknown as Record<string, any>;
    change(v);
    return v;
  };
  const flip = (json: string, at: (s: string) => number): string => {
    const i = at(json);
    return json.slice(0, i) + (json[i] === 'A' ? 'B' : 'A') + json.slice(i + 1);
  };

  it('reports FAIL for a wrong signature, payload, witness, id, key or chain', async () => {
    const bad = [
      tamper('profile-user-alice', (v) => { v['inputs']['envelope_json'] = flip(v['inputs']['envelope_json'], (s) => s.indexOf('"signature":"') + 20); }),
      tamper('signed-callsign-alice', (v) => { v['inputs']['envelope_json'] = flip(v['inputs']['envelope_json'], (s) => s.indexOf('ewogICJDYWxsc2lnbkJpbmRpbmciOiB7') + 40); }),
      tamper('witness-connect-pin', (v) => { v['inputs']['client_nonce_b64u'] = 'AAAAAAAAAAAAAAAAAAAAAA'; }),
      tamper('msgid-witness-pin', (v) => { v['inputs']['message_id'] = 'YDLF-TRCZ-GPUF-HGY3-7NRH-IIIG-DTGX'; }),
      tamper('seed-key-alice-ProfileSignature', (v) => { v['inputs']['key_name'] = 'CompleteAccountSign'; }),
      tamper('sign-repro-profileuser', (v) => { v['inputs']['key_name'] = 'CompleteAccountAdminSign'; }),
      tamper('keydata-alice-profileuser', (v) => { v['inputs']['object_json'] = v['inputs']['object_json'].replace('MARP-HH6B', 'MARP-HH6C'); }),
      tamper('chain-cataloged-device-alice3', (v) => { v['inputs']['cataloged_device_json'] = v['inputs']['cataloged_device_json'].replace('"DeviceUdf":"MAWL', '"DeviceUdf":"MAWM'); }),
      tamper('schema-profileuser', (v) => { v['inputs']['object_json'] = v['inputs']['object_json'].replace('"AccountAddress":"alice@', '"AccountAddress":"mallory@'); }),
      tamper('decrypt-download-credential', (v) => { v['inputs']['decryption_key']['key_name'] = 'CompleteAccountEncryptMMM_Contact'; }),
    ];
    const { defaultRegistry } = await import('../sdk/conformance/registry.js');
    const { runVectorFile, toVectorFile } = await import('../sdk/conformance/runner.js');
    const keys = (JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, unknown> }).keys;
    const results = await runVectorFile(toVectorFile('tampered.json', { vectors: bad, keys }), defaultRegistry());
    for (const r of results) expect(r.status, `${r.id} must fail`).toBe('fail');
  });
});

describe('kinds beyond the published vectors', () => {
  it('mesh-decrypt with a connect URI: the publication data is the preconfigured device\'s signed profile', async () => {
    const all = JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, unknown>; vectors: Record<string, any>[] };
    const publication = JSON.parse(all.vectors.find((v) => v['id'] === 'schema-catalogedpublication')!['inputs']['object_json']).CatalogedPublication;
    const inner = JSON.parse(all.vectors.find((v) => v['id'] === 'profile-device-preconfig')!['inputs']['envelope_json']);
    const vector = {
      id: 'decrypt-publication', kind: 'mesh-decrypt', verified: true,
      inputs: { envelope_json: JSON.stringify(publication.EnvelopedData), decryption_key: { connect_uri: 'mcu://maker@example.com/EDRL-4MZP-3OUD-OZBS-SPZN-7OSO-OM' } },
      expected: { recipient_kid: publication.Id, class: 'DareEnvelope', payload_json: JSON.stringify({ DareEnvelope: inner }), header_kid: publication.EnvelopedData[0].kid },
    };
    const { defaultRegistry } = await import('../sdk/conformance/registry.js');
    const { runVectorFile, toVectorFile } = await import('../sdk/conformance/runner.js');
    const [r] = await runVectorFile(toVectorFile('publication.json', { vectors: [vector], keys: all.keys }), defaultRegistry());
    expect(r!.status, r!.reason).toBe('pass');
    const wrong = { ...vector, inputs: { ...vector.inputs, decryption_key: { connect_uri: 'mcu://maker@example.com/EDRL-4MZQ-3OUD-OZBS-SPZN-7OSO-OM' } } };
    const [w] = await runVectorFile(toVectorFile('publication.json', { vectors: [wrong], keys: all.keys }), defaultRegistry());
    expect(w!.status).toBe('fail');
  });
});
