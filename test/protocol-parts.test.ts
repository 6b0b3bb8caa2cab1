import { describe, expect, it } from 'vitest';
import { dareKeyFromKeyPair, publicPart } from '../sdk/dare/index.js';
import { base64urlEncode, utf8Encode } from '../sdk/encoding/index.js';
import { deriveKeyPair, newSeed } from '../sdk/udf/index.js';
import {
  connectionCredential, credentialKey, decodeCredential, deriveSigningKey, discoverService, domainOf, encodeCredential, errorOfResponse,
  failureResponse, fetchHandler, MESH_ERROR_NAMES, MESH_STATUS, MESH_STATUS_EXTENDED, MemoryReplayCache, MeshHttpClient, MeshHttpService,
  MeshProtocolError, orderSrv, type MeshCredential, parseMeshResolve, ProtocolError, refuse, serviceUrl, type MeshExtendedName, type MeshStatusName, type SrvRecord,
} from '../sdk/protocol/index.js';
import { seeded } from './support/random.js';
import { echoService, inProcessFetch, makeDevice, makeService, payload, type Captured } from './support/wire.js';

/**
 * The parts of the binding on their own: protocol statuses as typed errors (every status,
 * StatusExtended and symbolic name of protocol.md §4), the pairwise key, the replay cache, the
 * Mesh-Credential header, discovery, and the service's handling of its own handlers' failures.
 */

const service = makeService(41);
const device = makeDevice(42);
const ACCOUNT = 'alice@example.com';
const ENDPOINT = 'https://mesh.example.com/.well-known/mmm/';

describe('protocol statuses (protocol.md §4)', () => {
  it('every status, StatusExtended and symbolic name survives the response and comes back typed', () => {
    const statuses = Object.keys(MESH_STATUS).filter((n) => !n.startsWith('Success')) as MeshStatusName[];
    for (const s of statuses) {
      for (const x of Object.keys(MESH_STATUS_EXTENDED) as MeshExtendedName[]) {
        for (const name of MESH_ERROR_NAMES) {
          const back = errorOfResponse(failureResponse(refuse(s, { extended: x, name, detail: 'why' })))!;
          expect(back).toBeInstanceOf(MeshProtocolError);
          expect([back.status, back.statusName, back.extended, back.extendedName, back.errorName, back.name, back.detail])
            .toEqual([MESH_STATUS[s], s === 'SuccessCreated' ? 'SuccessOK' : s, MESH_STATUS_EXTENDED[x], x, name, name, 'why']);
        }
      }
      const plain = errorOfResponse(failureResponse(refuse(s)))!;
      expect([plain.status, plain.name, plain.extended, plain.errorName]).toEqual([MESH_STATUS[s], s, undefined, undefined]);
    }
  });

  it('success is no error; a response without Status is malformed; free text stays detail, made printable', () => {
    expect(errorOfResponse({ Status: 201 })).toBeUndefined();
    expect(errorOfResponse({ Status: 202 })).toBeUndefined();
    expect(() => errorOfResponse({})).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_RESPONSE' }));
    const odd = errorOfResponse({ Status: 418, StatusExtended: 99, StatusDescription: 'Teapot: \u001b[31mred\nline' })!;
    expect([odd.name, odd.errorName, odd.statusName, odd.extendedName, odd.detail]).toEqual(['MeshProtocolError', undefined, undefined, undefined, 'Teapot: ?[31mred?line']);
    expect(errorOfResponse({ Status: 403, StatusExtended: 4 })!.name).toBe('DeviceRevoked');
    expect(() => refuse(42)).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_ARGUMENT' }));
  });
});

describe('the pairwise HMAC key (protocol.md §2)', () => {
  const serviceKey = service.authentication;

  it('client and service derive the same key, for an RFC 7748 key and for a co-generated scalar', () => {
    for (const client of [device.base, device.connection]) {
      const k1 = deriveSigningKey(client, publicPart(serviceKey), client.kid);
      const k2 = deriveSigningKey(serviceKey, publicPart(client), client.kid);
      expect(k1).toEqual(k2);
      expect(k1.length).toBe(32);
      expect(deriveSigningKey(client, publicPart(serviceKey), 'MOTHER-KEYID')).not.toEqual(k1);
    }
    expect(deriveSigningKey(device.base, publicPart(serviceKey), device.base.kid)).not.toEqual(deriveSigningKey(device.connection, publicPart(serviceKey), device.base.kid));
  });

  it('refuses a non-X448 key and a small-order peer with typed errors', () => {
    const ed = dareKeyFromKeyPair(deriveKeyPair(newSeed('MeshProfileDevice', { random: seeded(3) }), { algorithm: 'Ed448', keyName: 'x' }));
    expect(() => deriveSigningKey(ed, publicPart(serviceKey), ed.kid)).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_ARGUMENT' }));
    const zero = { algorithm: 'X448' as const, publicKey: new Uint8Array(57), kid: 'MZERO' };
    expect(() => deriveSigningKey(serviceKey, zero, 'MZERO')).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_CREDENTIAL' }));
  });
});

describe('the replay cache', () => {
  it('of concurrent checks of one nonce exactly one is fresh; the pair is forgotten only after it expires', async () => {
    let now = 1_000_000;
    const cache = new MemoryReplayCache({ now: () => now });
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.seen('K', 'N', 1060)));
    expect(answers.filter((seen) => !seen)).toHaveLength(1);
    expect(await cache.seen('K2', 'N', 1060)).toBe(false);
    now = 1_060_000;
    expect(await cache.seen('K', 'N', 1120)).toBe(true);
    now = 1_061_000;
    expect(await cache.seen('K', 'N', 1120)).toBe(false);
  });

  it('full, it refuses rather than forget a live nonce — and the service answers ServerOverload', async () => {
    const cache = new MemoryReplayCache({ maxEntries: 1, now: () => 0 });
    expect(await cache.seen('K', 'A', 60)).toBe(false);
    await expect(cache.seen('K', 'B', 60)).rejects.toThrow(ProtocolError);
    expect(await cache.seen('K', 'A', 60)).toBe(true);
    const { http, calls } = echoService(service, { [ACCOUNT]: [publicPart(device.connection)] }, { replay: cache });
    const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(http)) });
    const e = await client.request('Status', { $class: 'StatusRequest', Account: ACCOUNT }, connectionCredential(ACCOUNT, device.connection)).catch((x: unknown) => x);
    expect((e as { claimed?: MeshProtocolError }).claimed?.status).toBe(503);
    expect(calls.count).toBe(0);
  });
});

describe('the Mesh-Credential header', () => {
  it('round-trips each mode, and a checked credential yields the key its keyid names', () => {
    const key: MeshCredential = { mode: 'Key', key: publicPart(device.base) };
    const dev: MeshCredential = { mode: 'Device', profile: device.profile };
    const svc: MeshCredential = { mode: 'Service', profile: service.profile };
    const creds: MeshCredential[] = [key, dev, { mode: 'Connection', account: ACCOUNT }, svc];
    for (const c of creds) {
      const back = decodeCredential(encodeCredential(c));
      expect(back.mode).toBe(c.mode);
      expect(encodeCredential(back)).toBe(encodeCredential(c));
    }
    expect(credentialKey(dev, device.base.kid).profile!.udf).toBe(device.keys.profileSignature.udf);
    expect(credentialKey(svc, service.authentication.kid).key.kid).toBe(service.authentication.kid);
    expect(() => credentialKey(key, device.connection.kid)).toThrow(/is not the Key credential's key/);
  });

  it('refuses malformed headers and credentials that do not hold together', () => {
    const enc = (v: unknown): string => base64urlEncode(utf8Encode(JSON.stringify(v)));
    const device2 = decodeCredential(encodeCredential({ mode: 'Device', profile: device.profile }));
    const bad = [
      '%%%', enc('text'), enc({ Key: {}, Device: {} }), enc({ Magic: {} }), enc({ Connection: { Account: 'two words' } }), enc({ Connection: { Account: 'a', More: 1 } }),
      'A'.repeat(20000),
      enc({ Key: { Authentication: { PublicParameters: { PublicKeyECDH: { crv: 'X448', Public: base64urlEncode(device.base.publicKey) } }, PrivateParameters: { PrivateKeyECDH: { crv: 'X448', Private: base64urlEncode(device.base.privateKey) } } } } }),
    ];
    for (const b of bad) expect(() => decodeCredential(b), b.slice(0, 30)).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_CREDENTIAL' }));
    // A Device credential carrying a service profile, and a profile whose payload was altered.
    expect(() => credentialKey({ mode: 'Device', profile: service.profile as unknown as typeof device.profile }, service.authentication.kid)).toThrow(/carries a ProfileDevice, not a ProfileService/);
    const altered = { ...device2, profile: { ...(device2 as { profile: typeof device.profile }).profile, payload: utf8Encode('{"ProfileDevice":{}}') } };
    expect(() => credentialKey(altered as typeof device2 & { mode: 'Device' }, device.base.kid)).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_CREDENTIAL' }));
  });
});

describe('discovery (protocol.md §1, §2)', () => {
  const srv = (records: SrvRecord[]) => async (): Promise<readonly SrvRecord[]> => records;

  it('normalizes service URLs and parses MESH_RESOLVE', () => {
    expect(serviceUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/.well-known/mmm/');
    expect(serviceUrl('https://Mesh.Example.com/.well-known/mmm')).toBe('https://mesh.example.com/.well-known/mmm/');
    for (const b of ['ftp://x', 'https://x/?q=1', 'https://u:p@x/', 'nonsense']) expect(() => serviceUrl(b)).toThrow(expect.objectContaining({ code: 'PROTOCOL_DISCOVERY' }));
    const map = parseMeshResolve(' a.test=http://127.0.0.1:1001 , B.test=http://127.0.0.1:1002/,');
    expect([...map]).toEqual([['a.test', 'http://127.0.0.1:1001/.well-known/mmm/'], ['b.test', 'http://127.0.0.1:1002/.well-known/mmm/']]);
    expect(() => parseMeshResolve('a.test')).toThrow(/not domain=url/);
    expect(domainOf('alice@Example.COM')).toBe('example.com');
    expect(() => domainOf('@alice')).toThrow(/callsign/);
  });

  it('takes --service, then MESH_RESOLVE, then SRV, then https://<domain>/.well-known/mmm/', async () => {
    const records: SrvRecord[] = [{ name: 'mesh1.example.com', port: 8443, priority: 10, weight: 0 }];
    const resolve = 'example.com=http://127.0.0.1:1001';
    expect(await discoverService('alice@example.com', { service: 'http://127.0.0.1:9', resolve, srv: srv(records) })).toMatchObject({ url: 'http://127.0.0.1:9/.well-known/mmm/', source: 'service' });
    expect(await discoverService('alice@example.com', { resolve, srv: srv(records) })).toMatchObject({ url: 'http://127.0.0.1:1001/.well-known/mmm/', source: 'resolve' });
    expect(await discoverService('alice@example.com', { resolve: 'other.test=http://x', srv: srv(records) })).toMatchObject({ url: 'https://mesh1.example.com:8443/.well-known/mmm/', source: 'srv' });
    expect(await discoverService('alice@example.com', { srv: srv([]) })).toMatchObject({ url: 'https://example.com/.well-known/mmm/', source: 'well-known' });
    expect(await discoverService('alice@example.com', { srv: async () => { throw new Error('SERVFAIL'); } })).toMatchObject({ source: 'well-known' });
    expect(await discoverService('example.com')).toMatchObject({ url: 'https://example.com/.well-known/mmm/', domain: 'example.com' });
    await expect(discoverService('alice@example.com', { srv: srv([{ name: '.', port: 0, priority: 0, weight: 0 }]) })).rejects.toThrow(/no Mesh service/);
  });

  it('orders SRV records by priority, then by weight (RFC 2782)', async () => {
    const records: SrvRecord[] = [
      { name: 'c', port: 1, priority: 20, weight: 0 }, { name: 'a', port: 1, priority: 10, weight: 1 }, { name: 'b', port: 1, priority: 10, weight: 1000 },
    ];
    const first = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const order = orderSrv(records, seeded(i + 1)).map((r) => r.name);
      expect(order[2]).toBe('c');
      first.set(order[0]!, (first.get(order[0]!) ?? 0) + 1);
    }
    expect(first.get('b')!).toBeGreaterThan(180);
    const found = await discoverService('x@example.com', { srv: srv(records), random: seeded(5) });
    expect(found.alternatives).toHaveLength(2);
  });
});

describe('the service with its handlers', () => {
  const credential = connectionCredential(ACCOUNT, device.connection);

  function serviceWith(handlers: ConstructorParameters<typeof MeshHttpService>[0]['handlers'], onError?: (e: unknown) => void) {
    const http = new MeshHttpService({
      serviceKey: service.authentication, handlers: { Hello: () => ({ $class: 'MeshHelloResponse', EnvelopedProfileService: service.profile }), ...handlers },
      resolveConnection: async (_a, keyid) => (keyid === device.connection.kid ? publicPart(device.connection) : undefined),
      ...(onError ? { onError } : {}),
    });
    const sent: Captured[] = [];
    return { http, sent, client: new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(http), sent) }) };
  }

  it('a handler that throws is a signed ServerInternal, its message kept for the log only', async () => {
    const errors: unknown[] = [];
    const { client } = serviceWith({ Status: () => { throw new Error('disk on fire at /secret/path'); } }, (e) => errors.push(e));
    const e = await client.request('Status', { $class: 'StatusRequest' }, credential).catch((x: unknown) => x) as MeshProtocolError;
    expect(e).toBeInstanceOf(MeshProtocolError);
    expect([e.status, e.name]).toEqual([500, 'ServerInternal']);
    expect(e.message).not.toMatch(/secret/);
    expect(String(errors[0])).toMatch(/disk on fire/);
  });

  it('a handler answering the wrong class is a ServerInternal; Status defaults to SuccessOK; a redirect travels as HTTP 200', async () => {
    const { client, http, sent } = serviceWith({
      Status: () => ({ $class: 'DownloadResponse' }) as never,
      Download: () => ({ $class: 'DownloadResponse' }),
      Transact: () => ({ $class: 'TransactResponse', Status: 303, StatusDescription: 'MeshRedirect: https://new.example.com/' }),
    });
    await expect(client.request('Status', { $class: 'StatusRequest' }, credential)).rejects.toMatchObject({ status: 500 });
    await client.request('Download', { $class: 'DownloadRequest' }, credential);
    const redirect = await client.request('Transact', { $class: 'TransactRequest' }, credential).catch((x: unknown) => x) as MeshProtocolError;
    expect([redirect.status, redirect.errorName, redirect.detail]).toEqual([303, 'MeshRedirect', 'https://new.example.com/']);
    expect(sent.length).toBe(4);
    // An unknown transaction, a GET, a transaction without handler: typed refusals, unsigned.
    const head = (url: string, method = 'POST') => http.handle({ method, url, headers: new Headers(), body: new Uint8Array(0) });
    expect(payload(await head(`${ENDPOINT}Nothing`))).toMatchObject({ Status: 404 });
    expect(payload(await head(`${ENDPOINT}Operate`))).toMatchObject({ Status: 404 });
    expect(payload(await head(`${ENDPOINT}Status`, 'GET'))).toMatchObject({ Status: 400 });
    expect((await head(`${ENDPOINT}Status`, 'GET')).headers.get('signature')).toBeNull();
  });
});

describe('browsers (CORS)', () => {
  it('a preflight is answered and the signature fields are exposed; with cors: false nothing is', async () => {
    const { http } = echoService(service, { [ACCOUNT]: [publicPart(device.connection)] });
    const headers = new Headers({ origin: 'https://app.example.net', 'access-control-request-method': 'POST' });
    const pre = await fetchHandler(http)(new Request(`${ENDPOINT}Status`, { method: 'OPTIONS', headers }));
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/signature-input.*mesh-credential/);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const sent: Captured[] = [];
    const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch: async (url, init) => {
      const h = new Headers(init.headers);
      h.set('origin', 'https://app.example.net');
      return inProcessFetch(fetchHandler(http), sent)(url, { ...init, headers: h });
    } });
    await client.hello();
    const r = await fetchHandler(http)(new Request(`${ENDPOINT}Hello`, { method: 'POST', headers: { origin: 'https://app.example.net' }, body: '{"HelloRequest":{}}' }));
    expect(r.headers.get('access-control-expose-headers')).toBe('signature, signature-input, content-digest');
    const closed = echoService(service, {}, { cors: false }).http;
    const none = await fetchHandler(closed)(new Request(`${ENDPOINT}Hello`, { method: 'POST', headers: { origin: 'https://app.example.net' }, body: '{"HelloRequest":{}}' }));
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});
