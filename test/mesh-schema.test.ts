import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../sdk/dare/index.js';
import { parseJson, utf8Decode, writeJson } from '../sdk/encoding/index.js';
import {
  classInfo, classNames, detectEncoding, family, MESH_CLASSES, MeshError, meshObjectToString, readMeshObject, writeMeshObject,
  type AccountHostAssignment, type MeshObjectBase, type ProfileUser,
} from '../sdk/mesh/index.js';
import { meshArbitrary } from './support/mesh-arbitrary.js';
import { repoRoot, vectorsDir } from './support/paths.js';

/**
 * The Mesh schema (sdk/mesh/schema): the generated types match the table, every class round-trips
 * through JSON (compact and the reference layout) and JSON-B, unknown members survive, wrong
 * types are typed errors naming class and member, and everything REF wrote in mesh.json reads
 * and — for payloads — writes back to REF's very bytes.
 */

const mesh = JSON.parse(readFileSync(resolve(vectorsDir, 'mesh', 'mesh.json'), 'utf8')) as { vectors: Record<string, any>[]; known_bad: Record<string, any>[] };

function meshError(f: () => unknown): MeshError {
  try {
    f();
  } catch (e) {
    if (e instanceof MeshError) return e;
    throw e;
  }
  throw new Error('no MeshError thrown');
}

describe('the schema table', () => {
  it('generated types declare every class (freshness: generators.test.ts runs gen-mesh-types.mjs --check)', () => {
    const generated = readFileSync(resolve(repoRoot, 'sdk/mesh/schema/types.ts'), 'utf8');
    for (const name of classNames()) expect(generated).toContain(`export interface ${name} extends ${name}Members, MeshObjectBase<'${name}'> {}`);
  });

  it('resolves every class: parent members first, aliases, families', () => {
    expect(classNames()).toEqual(Object.keys(MESH_CLASSES));
    const user = classInfo('ProfileUser')!;
    expect(user.members.map((m) => m.name)).toEqual([
      'Names', 'Updated', 'NotaryToken', 'Conditions', 'Description', 'ProfileSignature', 'AccountAddress', 'ServiceUdf', 'EscrowEncryption',
      'AdministratorSignature', 'CommonEncryption', 'CommonAuthentication', 'CommonSignature',
    ]);
    expect([...user.aliases.keys()]).toEqual(['AccountEncryption', 'AccountAuthentication', 'AccountSignature']);
    expect(family('ProfileAccount')).toEqual(['ProfileAccount', 'ProfileUser', 'ProfileGroup']);
    expect(classInfo('ConnectionDevice')!.payload).toBe('jsonb');
    expect(classInfo('AccountHostAssignment')!.byName.has('AccountAddess')).toBe(true);
    expect(classInfo('NoSuchClass')).toBeUndefined();
  });
});

describe('round trips of every class (property: objects generated from the schema)', () => {
  const names = classNames();
  it.each([1, 2, 3])('seed %i: JSON, reference layout and JSON-B read back to the same object, without $wire', (seed) => {
    const arb = meshArbitrary(seed * 7919);
    for (let round = 0; round < 2; round++) {
      for (const name of names) {
        const obj = arb.object(name);
        const canonical = meshObjectToString(obj);
        for (const encoding of ['json', 'reference', 'jsonb'] as const) {
          const bytes = writeMeshObject(obj, encoding);
          expect(detectEncoding(bytes)).toBe(encoding === 'jsonb' ? 'jsonb' : 'json');
          const back = readMeshObject(bytes) as MeshObjectBase;
          expect(back.$class, `${name} via ${encoding}`).toBe(name);
          expect(back.$wire, `${name} via ${encoding}: canonical order needs no wire record`).toBeUndefined();
          expect(meshObjectToString(back), `${name} via ${encoding}`).toBe(canonical);
          expect(writeMeshObject(back, encoding), `${name} via ${encoding}: stable bytes`).toEqual(bytes);
        }
      }
    }
  });
});

describe('unknown members and old names', () => {
  it('keeps unknown members, nested ones included, in place and written back unchanged (JSON and JSON-B)', () => {
    const text = '{"ProfileUser":{"Future":1,"ProfileSignature":{"Udf":"MARP-HH6B-D2JW-WLQ6-RWPQ-2SLS-AI2V","Hint":{"a":[1,"b",null]},'
      + '"PublicParameters":{"PublicKeyECDH":{"crv":"Ed448","Public":"AAEC","Extra":true}}},"AccountAddress":"alice@example.com","Later":"x"}}';
    const obj = readMeshObject(text, 'ProfileUser');
    expect(obj.$wire?.order).toEqual(['Future', 'ProfileSignature', 'AccountAddress', 'Later']);
    expect(obj.$wire?.extra).toEqual({ Future: 1, Later: 'x' });
    expect(obj.ProfileSignature?.PublicParameters?.$class).toBe('PublicKeyECDH');
    expect(meshObjectToString(obj)).toBe(text);
    // JSON-B: binary members become data items; unknown members ride along unchanged.
    const jsonb = writeMeshObject(obj, 'jsonb');
    const again = readMeshObject(jsonb, 'ProfileUser');
    expect(again.$wire?.extra).toEqual({ Future: 1, Later: 'x' });
    expect(writeMeshObject(again, 'jsonb')).toEqual(jsonb);
    expect(meshObjectToString(again)).toBe(text);
    // Changing a known member keeps the unknown ones around it.
    obj.AccountAddress = 'bob@example.com';
    expect(meshObjectToString(obj)).toBe(text.replace('alice@', 'bob@'));
  });

  it('keeps a nested object of a class it does not know (a newer subclass) whole', () => {
    const text = '{"CatalogedAccess":{"Capability":{"CapabilityFuture":{"Id":"X","Novel":[1,2]}}}}';
    const obj = readMeshObject(text, 'CatalogedAccess');
    expect(obj.Capability?.$class).toBe('CapabilityFuture');
    expect(meshObjectToString(obj)).toBe(text);
  });

  it('reads the 2021 Account* names into Common* and writes them back as read; new objects use Common*', () => {
    const old = mesh.known_bad.find((b) => b['id'] === 'kb-profileuser-2021-names')!['object_json'] as string;
    const user = readMeshObject(old, 'ProfileUser');
    expect(user.CommonEncryption?.Udf).toBe('MA27-7XVW-GDJL-SY6H-6HZW-EKMC-TFD3');
    expect(user.CommonAuthentication?.Udf).toBe('MABY-3HJX-XJUZ-5XNG-OHYX-65LJ-DJUV');
    expect(user.CommonSignature?.Udf).toBe('MAWM-77KH-5JB5-ZKBD-BKZX-BM37-SFMF');
    expect(meshObjectToString(user)).toBe(old);
    const fresh: ProfileUser = { $class: 'ProfileUser', CommonSignature: user.CommonSignature! };
    expect(meshObjectToString(fresh)).toContain('"CommonSignature"');
    expect(meshError(() => readMeshObject('{"ProfileUser":{"AccountSignature":{},"CommonSignature":{}}}')).code).toBe('MESH_BAD_MEMBER');
  });

  it('round-trips the misspelt AccountAddess', () => {
    const v = mesh.vectors.find((x) => x['id'] === 'schema-accounthostassignment')!;
    const a = readMeshObject(v['inputs']['object_json'], 'AccountHostAssignment') as AccountHostAssignment;
    expect(a.AccountAddess).toBe('alice@example.com');
    expect(meshObjectToString(a)).toBe(JSON.stringify(JSON.parse(v['inputs']['object_json'])));
  });
});

describe('typed errors', () => {
  it('a member of the wrong type names class and member (reader)', () => {
    let e = meshError(() => readMeshObject('{"ProfileUser":{"AccountAddress":5}}'));
    expect([e.code, e.className, e.member]).toEqual(['MESH_BAD_MEMBER', 'ProfileUser', 'AccountAddress']);
    expect(e.message).toContain('ProfileUser.AccountAddress');
    e = meshError(() => readMeshObject('{"ProfileUser":{"ProfileSignature":{"PublicParameters":{"PublicKeyECDH":{"Public":"a+b"}}}}}'));
    expect([e.code, e.className, e.member]).toEqual(['MESH_BAD_MEMBER', 'PublicKeyECDH', 'Public']);
    expect(e.message).toContain('ProfileUser.ProfileSignature.PublicParameters.PublicKeyECDH.Public');
    e = meshError(() => readMeshObject('{"CatalogedContact":{"Contact":{"ProfileUser":{}}}}'));
    expect([e.code, e.className, e.member]).toEqual(['MESH_BAD_MEMBER', 'CatalogedContact', 'Contact']);
    e = meshError(() => readMeshObject('{"MessagePin":{"Expires":"yesterday"}}'));
    expect([e.code, e.member]).toEqual(['MESH_BAD_MEMBER', 'Expires']);
    e = meshError(() => readMeshObject('{"MessagePin":{"Roles":"admin"}}'));
    expect([e.code, e.member]).toEqual(['MESH_BAD_MEMBER', 'Roles']);
    e = meshError(() => readMeshObject('{"ContainerStatus":{"Index":1.5}}'));
    expect([e.code, e.member]).toEqual(['MESH_BAD_MEMBER', 'Index']);
    e = meshError(() => readMeshObject('{"CatalogedPublication":{"EnvelopedData":[{}]}}'));
    expect([e.code, e.member]).toEqual(['MESH_BAD_MEMBER', 'EnvelopedData']);
  });

  it('a member of the wrong type, or a property that is no member, names class and member (writer)', () => {
    let e = meshError(() => writeMeshObject({ $class: 'ProfileUser', AccountAddress: 5 } as unknown as MeshObjectBase));
    expect([e.code, e.className, e.member]).toEqual(['MESH_BAD_MEMBER', 'ProfileUser', 'AccountAddress']);
    e = meshError(() => writeMeshObject({ $class: 'ProfileUser', AcountAddress: 'typo' } as unknown as MeshObjectBase));
    expect([e.code, e.member]).toEqual(['MESH_BAD_MEMBER', 'AcountAddress']);
    e = meshError(() => writeMeshObject({ $class: 'KeyData', PublicParameters: { $class: 'PublicKeyECDH', Public: 'not bytes' } } as unknown as MeshObjectBase));
    expect([e.code, e.className, e.member]).toEqual(['MESH_BAD_MEMBER', 'PublicKeyECDH', 'Public']);
    e = meshError(() => writeMeshObject({ $class: 'ProfileUser', ProfileSignature: { $class: 'ProfileDevice' } } as unknown as MeshObjectBase));
    expect([e.code, e.member]).toEqual(['MESH_BAD_MEMBER', 'ProfileSignature']);
    e = meshError(() => writeMeshObject({ $class: 'CatalogedContact', Contact: { Id: 'x' } } as unknown as MeshObjectBase));
    expect([e.code, e.member]).toEqual(['MESH_BAD_MEMBER', 'Contact']); // which Contact subclass?
    e = meshError(() => writeMeshObject({ $class: 'MessagePin', Expires: new Date(Number.NaN) } as unknown as MeshObjectBase));
    expect([e.code, e.member]).toEqual(['MESH_BAD_MEMBER', 'Expires']);
  });

  it('not a Mesh object, an unknown class, the wrong class, bad bytes', () => {
    expect(meshError(() => readMeshObject('[1]')).code).toBe('MESH_BAD_OBJECT');
    expect(meshError(() => readMeshObject('{"A":{},"B":{}}')).code).toBe('MESH_BAD_OBJECT');
    expect(meshError(() => readMeshObject('{"ProfileNobody":{}}')).code).toBe('MESH_UNKNOWN_CLASS');
    expect(meshError(() => readMeshObject('{"ProfileDevice":{}}', 'ProfileAccount')).code).toBe('MESH_WRONG_CLASS');
    expect(readMeshObject('{"ProfileUser":{}}', 'ProfileAccount').$class).toBe('ProfileUser'); // subclasses are fine
    expect(meshError(() => readMeshObject('{"ProfileUser":')).code).toBe('MESH_BAD_ENCODING');
    expect(meshError(() => readMeshObject(Uint8Array.of(0x7b, 0xb4, 0x05))).code).toBe('MESH_BAD_ENCODING');
    expect(meshError(() => writeMeshObject({ $class: 'Nope' } as unknown as MeshObjectBase)).code).toBe('MESH_UNKNOWN_CLASS');
  });
});

describe('everything REF wrote in mesh.json', () => {
  const objects: { id: string; text: string }[] = [];
  const envelopes: { id: string; text: string }[] = [];
  for (const v of [...mesh.vectors, ...mesh.known_bad]) {
    const sources = [v['inputs'] ?? v, v['inputs']?.['integrity']].filter(Boolean) as Record<string, unknown>[];
    for (const s of sources) {
      for (const [k, x] of Object.entries(s)) {
        if (typeof x !== 'string') continue;
        if (k === 'object_json' || k === 'cataloged_device_json') objects.push({ id: `${v['id']}:${k}`, text: x });
        if (k === 'envelope_json' || k === 'frame_json' || k === 'authenticated_data_json') envelopes.push({ id: `${v['id']}:${k}`, text: x });
      }
    }
  }

  it('every object parses and writes back to the same JSON value, member order included', () => {
    expect(objects.length).toBeGreaterThan(60);
    for (const { id, text } of objects) {
      const obj = readMeshObject(text);
      expect(meshObjectToString(obj), id).toBe(writeJson(parseJson(text)));
    }
  });

  it('every plaintext payload parses and writes back to REF\'s exact bytes (pretty JSON layout or JSON-B)', () => {
    let json = 0;
    let jsonb = 0;
    for (const { id, text } of envelopes) {
      const env = parseEnvelope(text);
      if (env.header.enc !== undefined) continue;
      const encoding = detectEncoding(env.payload);
      const obj = readMeshObject(env.payload);
      const written = writeMeshObject(obj, encoding === 'jsonb' ? 'jsonb' : 'reference');
      expect(encoding === 'jsonb' ? written : utf8Decode(written), id).toEqual(encoding === 'jsonb' ? env.payload : utf8Decode(env.payload));
      if (encoding === 'jsonb') jsonb++;
      else json++;
    }
    expect(json).toBeGreaterThan(30);
    expect(jsonb).toBeGreaterThanOrEqual(4);
  });
});
