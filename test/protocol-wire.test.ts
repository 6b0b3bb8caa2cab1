import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp, type RunningHttpServer } from '../adapters/node/index.js';
import { publicPart, type DarePrivateKey } from '../sdk/dare/index.js';
import { base64urlEncode, utf8Encode } from '../sdk/encoding/index.js';
import type { StatusRequest } from '../sdk/mesh/index.js';
import {
  component, connectionCredential, contentDigest, createHmacSignature, deriveSigningKey, deviceCredential, encodeCredential, fetchHandler,
  keyCredential, MESH_SIGNATURE_LABEL, MeshHttpClient, MeshProtocolError, ProtocolError, serviceCredential, signMeshRequest, signMeshResponse,
  UnauthenticatedResponseError, type ClientCredential, type HttpResponse, type MeshCredential, type MeshHttpService,
} from '../sdk/protocol/index.js';
import { seeded } from './support/random.js';
import { echoService, inProcessFetch, makeDevice, makeService, payload, type Captured } from './support/wire.js';

/**
 * The wire binding under attack (protocol.md §2): every request below is refused with a typed
 * status and leaves the (counting) handlers uncalled — no state change — and every response the
 * client accepts is signed by the service it pinned. The echo service stands in for the real
 * handlers, which come with the service.
 */

const service = makeService(1);
const attacker = makeService(2);
const alice = makeDevice(10); // a connected device of alice@example.com
const mallory = makeDevice(20); // connected to nothing
const ACCOUNT = 'alice@example.com';
const ENDPOINT = 'https://mesh.example.com/.well-known/mmm/';
const T0 = 1_800_000_000_000;
const status: StatusRequest = { $class: 'StatusRequest', Account: ACCOUNT, DeviceUDF: 'MDEV-ICE1' };
const aliceConnection = connectionCredential(ACCOUNT, alice.connection);

function setup(serviceParty = service) {
  const clock = { t: T0 };
  const now = (): number => clock.t;
  const { http, calls } = echoService(serviceParty, { [ACCOUNT]: [publicPart(alice.connection)] }, { now });
  const sent: Captured[] = [];
  const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(http), sent), now, expectedServiceUdf: service.udf });
  return { clock, http, calls, sent, client };
}

/** Sends a captured request again (optionally altered) straight to the service. */
function resend(http: MeshHttpService, c: Captured, change: Partial<Captured> = {}): Promise<HttpResponse> {
  const r = { ...c, ...change };
  return http.handle({ method: r.method, url: r.url, headers: new Headers(r.headers), body: r.body });
}

/** A request signed by hand (to send what our client never would). */
function handSigned(
  body: Uint8Array, options: { key: DarePrivateKey; credential: MeshCredential; path?: string; now?: number; serviceKey?: typeof service.authentication; components?: string[] },
): { url: string; method: string; headers: Headers; body: Uint8Array } {
  const url = `${ENDPOINT}${options.path ?? 'Status'}`;
  const headers = new Headers({ 'content-digest': contentDigest(body), 'mesh-credential': encodeCredential(options.credential) });
  const hmac = deriveSigningKey(options.key, publicPart(options.serviceKey ?? service.authentication), options.key.kid);
  const view = { method: 'POST', targetUri: url, headers };
  if (options.components === undefined) {
    const f = signMeshRequest(view, { key: hmac, keyid: options.key.kid, now: options.now ?? T0 });
    headers.set('signature-input', f.signatureInput);
    headers.set('signature', f.signature);
  } else {
    const created = Math.floor((options.now ?? T0) / 1000);
    const params = new Map<string, string | number>([
      ['created', created], ['expires', created + 60], ['nonce', base64urlEncode(seeded(created)(16))], ['keyid', options.key.kid], ['alg', 'hmac-sha256'], ['tag', 'mmm'],
    ]);
    const f = createHmacSignature(MESH_SIGNATURE_LABEL, options.components.map((c) => component(c)), params, { kind: 'request', request: view }, hmac);
    headers.set('signature-input', f.signatureInput);
    headers.set('signature', f.signature);
  }
  return { url, method: 'POST', headers, body };
}

const isSigned = (r: HttpResponse): boolean => r.headers.get('signature') !== null;

describe('the wire binding: requests that go through', () => {
  it('Hello pins the service; Status with a Connection credential (a co-generated scalar key) round-trips, signed both ways', async () => {
    const { client, calls, sent } = setup();
    const hello = await client.hello();
    expect(hello.service.udf).toBe(service.udf);
    expect(sent[0]!.headers.get('signature')).toBeNull();
    const answer = await client.request('Status', status, aliceConnection);
    expect(answer.$class).toBe('StatusResponse');
    expect(answer.CatalogedDeviceDigest).toBe('MDEV-ICE1');
    expect(calls.count).toBe(1);
    const ctx = calls.contexts[0]!;
    expect(ctx.auth).toMatchObject({ mode: 'Connection', keyid: alice.connection.kid, account: ACCOUNT });
    expect(sent[1]!.headers.get('signature-input')).toMatch(/^mmm=\("@method" "@target-uri" "content-digest" "mesh-credential"\);created=\d+;expires=\d+;nonce="[A-Za-z0-9_-]{22}";keyid="[A-Z0-9-]+";alg="hmac-sha256";tag="mmm"$/);
  });

  it('Device, Key and Service credentials authenticate what their profiles publish', async () => {
    const { client, calls } = setup();
    await client.request('Connect', { $class: 'ConnectRequest' }, deviceCredential(mallory.profile, mallory.base));
    expect(calls.contexts[0]!.auth).toMatchObject({ mode: 'Device', keyid: mallory.base.kid });
    expect(calls.contexts[0]!.auth!.profile!.udf).toBe(mallory.keys.profileSignature.udf);
    const bind = await client.request('BindAccount', { $class: 'BindRequest' }, keyCredential(alice.base));
    expect(bind.Reason).toBe(alice.base.kid);
    await client.request('Post', { $class: 'PostRequest' }, serviceCredential(attacker.profile, attacker.authentication));
    expect(calls.contexts[2]!.auth).toMatchObject({ mode: 'Service', keyid: attacker.authentication.kid });
    expect(calls.count).toBe(3);
  });

  it('a refusal by the service is a MeshProtocolError with status, extended and symbolic name', async () => {
    const { client } = setup();
    const e = await client.request('Download', { $class: 'DownloadRequest', Account: ACCOUNT }, aliceConnection).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MeshProtocolError);
    expect(e).toMatchObject({ code: 'PROTOCOL_REFUSED', status: 404, statusName: 'NotFound', extended: 6, extendedName: 'NotFound', errorName: 'MeshUnknownAccount', name: 'MeshUnknownAccount', detail: 'no such account' });
  });
});

describe('the wire binding: attacks on requests (typed status, handler never called)', () => {
  it('a replayed request is refused (unsigned: its first copy may have gone through)', async () => {
    const { client, http, calls, sent } = setup();
    await client.request('Status', status, aliceConnection);
    const replay = await resend(http, sent[sent.length - 1]!);
    expect(payload(replay)).toMatchObject({ Status: 401, StatusExtended: 5, StatusDescription: 'NotAuthenticated: replayed request: this nonce was already used' });
    expect(isSigned(replay)).toBe(false);
    expect(calls.count).toBe(1);
  });

  it('a tampered body (Content-Digest mismatch) is refused, and its nonce is burnt: the original cannot follow', async () => {
    const { client, http, calls, sent, clock } = setup();
    await client.hello();
    const capture: Captured[] = [];
    // The client's request is taken off the wire before it reaches the service.
    const c2 = new MeshHttpClient({ endpoint: ENDPOINT, fetch: async (url, init) => {
      const r = new Request(url, init);
      capture.push({ url: r.url, method: r.method, headers: new Headers(r.headers), body: new Uint8Array(await r.arrayBuffer()) });
      throw new Error('dropped');
    }, service: client.service!, now: () => clock.t });
    await expect(c2.request('Status', status, aliceConnection)).rejects.toThrow(ProtocolError);
    const original = capture[0]!;
    const altered = utf8Encode(new TextDecoder().decode(original.body).replace('MDEV-ICE1', 'MDEV-ICE2'));
    const tampered = await resend(http, original, { body: altered });
    expect(payload(tampered)).toMatchObject({ Status: 400, StatusDescription: expect.stringMatching(/^MeshMessageInvalid: Content-Digest/) });
    expect(isSigned(tampered)).toBe(true);
    const late = await resend(http, original);
    expect(payload(late)).toMatchObject({ Status: 401, StatusExtended: 5 });
    expect(calls.count).toBe(0);
    void sent;
  });

  it('a tampered covered field — credential, digest, target URI, method — breaks the signature', async () => {
    const { client, http, calls, sent } = setup();
    await client.hello();
    // Take a signed request off the wire without delivering it.
    const grab: Captured[] = [];
    const c2 = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(async () => new Response('', { status: 599 }), grab), service: client.service!, now: () => T0 });
    await c2.request('Status', status, aliceConnection).catch(() => undefined);
    const original = grab[0]!;
    const other = utf8Encode('{"StatusRequest":{"Account":"alice@example.com","DeviceUDF":"OTHER"}}');
    const changes: Partial<Captured>[] = [
      { headers: withHeader(original.headers, 'mesh-credential', encodeCredential({ mode: 'Connection', account: 'bob@example.com' })) },
      { headers: withHeader(original.headers, 'content-digest', contentDigest(other)), body: other },
      { url: `${ENDPOINT}Transact` },
      { url: 'https://other.example.com/.well-known/mmm/Status' },
      { method: 'PUT' },
    ];
    for (const change of changes) {
      const r = await resend(http, original, change);
      expect(payload(r).Status, JSON.stringify(Object.keys(change))).toBeGreaterThanOrEqual(400);
      expect(isSigned(r)).toBe(false);
    }
    expect(calls.count).toBe(0);
    // The untouched request still goes through: nothing above burnt its nonce.
    expect(payload(await resend(http, original)).Status).toBe(201);
    expect(calls.count).toBe(1);
    void sent;
  });

  it('a wrong key: another device claiming the connected key id, or its own unconnected key', async () => {
    const { http, calls } = setup();
    const body = utf8Encode('{"StatusRequest":{"Account":"alice@example.com"}}');
    const credential: MeshCredential = { mode: 'Connection', account: ACCOUNT };
    // Mallory signs with her key but names Alice's key id: the HMAC is under the wrong key.
    const impostor = { ...mallory.connection, kid: alice.connection.kid };
    const r1 = await http.handle(handSigned(body, { key: impostor, credential }));
    expect(payload(r1)).toMatchObject({ Status: 401, StatusExtended: 2, StatusDescription: expect.stringMatching(/^NotAuthenticated: signature mmm does not verify/) });
    // Mallory with her own key: no connection of the account holds it.
    const r2 = await http.handle(handSigned(body, { key: mallory.connection, credential }));
    expect(payload(r2)).toMatchObject({ Status: 401, StatusDescription: expect.stringMatching(/no active connection/) });
    // A Device credential whose profile publishes another key than the signer's.
    const r3 = await http.handle(handSigned(body, { key: alice.base, credential: { mode: 'Device', profile: mallory.profile }, path: 'Connect' }));
    expect(payload(r3)).toMatchObject({ Status: 401, StatusDescription: expect.stringMatching(/keyid .* is not the Device credential's key/) });
    // A signature under the pairwise key of another service (the request was meant for it).
    const r4 = await http.handle(handSigned(body, { key: alice.connection, credential, serviceKey: attacker.authentication }));
    expect(payload(r4)).toMatchObject({ Status: 401 });
    expect([r1, r2, r3, r4].some(isSigned)).toBe(false);
    expect(calls.count).toBe(0);
  });

  it('an expired signature, a stale one, and one created in the future are refused', async () => {
    const { http, calls, clock } = setup();
    const body = utf8Encode('{"StatusRequest":{"Account":"alice@example.com"}}');
    const credential: MeshCredential = { mode: 'Connection', account: ACCOUNT };
    const signedNow = handSigned(body, { key: alice.connection, credential, now: T0 });
    clock.t = T0 + 61_000;
    expect(payload(await http.handle(signedNow))).toMatchObject({ Status: 401, StatusDescription: expect.stringMatching(/expired|ago/) });
    clock.t = T0;
    const future = handSigned(body, { key: alice.connection, credential, now: T0 + 120_000 });
    expect(payload(await http.handle(future))).toMatchObject({ Status: 401, StatusDescription: expect.stringMatching(/in the future/) });
    expect(calls.count).toBe(0);
    // Within the window it is accepted (the test can tell the difference).
    clock.t = T0 + 30_000;
    expect(payload(await http.handle(signedNow)).Status).toBe(201);
  });

  it('a signature missing a required covered component, or a request without credential, is refused', async () => {
    const { http, calls } = setup();
    const body = utf8Encode('{"StatusRequest":{"Account":"alice@example.com"}}');
    const credential: MeshCredential = { mode: 'Connection', account: ACCOUNT };
    for (const components of [['@method', '@target-uri', 'mesh-credential'], ['@method', 'content-digest', 'mesh-credential'], ['@target-uri', 'content-digest', 'mesh-credential'], ['@method', '@target-uri', 'content-digest']]) {
      const r = await http.handle(handSigned(body, { key: alice.connection, credential, components }));
      expect(payload(r), components.join(' ')).toMatchObject({ Status: 401, StatusDescription: expect.stringMatching(/does not cover/) });
    }
    const unsigned = handSigned(body, { key: alice.connection, credential });
    unsigned.headers.delete('mesh-credential');
    expect(payload(await http.handle(unsigned))).toMatchObject({ Status: 401 });
    const bare = handSigned(body, { key: alice.connection, credential });
    bare.headers.delete('signature');
    expect(payload(await http.handle(bare))).toMatchObject({ Status: 401, StatusDescription: expect.stringMatching(/not signed/) });
    expect(calls.count).toBe(0);
  });

  it('a body over the limit is refused before it is parsed: the handler is never invoked', async () => {
    const { http, calls } = setup();
    const credential: MeshCredential = { mode: 'Connection', account: ACCOUNT };
    // Not even JSON: a parse would answer MeshMessageInvalid, the limit answers first.
    const big = new Uint8Array(32 * 1024 + 1).fill(0x7b);
    const r = await http.handle(handSigned(big, { key: alice.connection, credential }));
    expect(payload(r)).toMatchObject({ Status: 400, StatusExtended: 8, StatusDescription: 'MeshRequestSize: the body exceeds 32768 bytes' });
    expect(isSigned(r)).toBe(true);
    // Through the fetch handler, with the body streamed and its length undeclared.
    const req = handSigned(big, { key: alice.connection, credential, now: T0 + 1000 });
    const stream = new ReadableStream<Uint8Array>({ start(c) {
      for (let i = 0; i < big.length; i += 4096) c.enqueue(big.subarray(i, i + 4096));
      c.close();
    } });
    const viaFetch = await fetchHandler(http)(new Request(req.url, { method: 'POST', headers: req.headers, body: stream, duplex: 'half' } as RequestInit));
    expect(viaFetch.status).toBe(400);
    expect(await viaFetch.text()).toMatch(/MeshRequestSize/);
    // Transact takes uploads: the same body is within its limit (and then fails to parse).
    const upload = await http.handle(handSigned(big, { key: alice.connection, credential, path: 'Transact', now: T0 + 2000 }));
    expect(payload(upload)).toMatchObject({ Status: 400, StatusDescription: expect.stringMatching(/^MeshMessageInvalid/) });
    expect(calls.count).toBe(0);
  });

  it('malformed JSON, a wrong class, another account than the credential\'s, a mode the transaction does not take', async () => {
    const { http, calls } = setup();
    const credential: MeshCredential = { mode: 'Connection', account: ACCOUNT };
    const bodies = ['{"StatusRequest":{"Account":', '{"DownloadRequest":{}}', '[1,2]', '{"StatusRequest":{"Account":"bob@example.com"}}'];
    const answers = [];
    for (const [i, text] of bodies.entries()) answers.push(payload(await http.handle(handSigned(utf8Encode(text), { key: alice.connection, credential, now: T0 + i * 1000 }))));
    expect(answers.map((a) => [a.Status, a.StatusDescription?.split(':')[0]])).toEqual([
      [400, 'MeshMessageInvalid'], [400, 'MeshMessageInvalid'], [400, 'MeshMessageInvalid'], [403, 'NotAuthorized'],
    ]);
    const device = await http.handle(handSigned(utf8Encode('{"StatusRequest":{}}'), { key: alice.base, credential: { mode: 'Device', profile: alice.profile } }));
    expect(payload(device)).toMatchObject({ Status: 401, StatusDescription: expect.stringMatching(/Status takes a Connection or Key credential, not Device/) });
    expect(calls.count).toBe(0);
  });
});

function withHeader(h: Headers, name: string, value: string): Headers {
  const out = new Headers(h);
  out.set(name, value);
  return out;
}

describe('the wire binding: forged responses (the client accepts only its pinned service)', () => {
  /** A client whose fetch goes through `middle` (a man in the middle) to the real service. */
  function withMiddle(middle: (request: Request, real: (r: Request) => Promise<Response>) => Promise<Response>) {
    const s = setup();
    const real = fetchHandler(s.http);
    const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch: (url, init) => middle(new Request(url, init), real), now: () => s.clock.t, service: { udf: service.udf, authentication: publicPart(service.authentication) } });
    return { ...s, client };
  }
  const refused = async (client: MeshHttpClient): Promise<unknown> => client.request('Status', status, aliceConnection).catch((e: unknown) => e);

  it('a service holding another key answers: its response is not signed by the pinned key', async () => {
    const fake = setup(attacker);
    const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(fake.http)), service: { udf: service.udf, authentication: publicPart(service.authentication) }, now: () => T0 });
    const e = await refused(client);
    expect(e).toBeInstanceOf(UnauthenticatedResponseError);
    expect((e as UnauthenticatedResponseError).claimed?.status).toBe(401);
  });

  it('a response re-signed under the attacker\'s own pairwise key, a body altered in transit, a status changed, a signature stripped', async () => {
    const edits: ((r: Response, body: Uint8Array, req: Request) => Response)[] = [
      (r, body, req) => {
        // Everything a genuine response covers, signed under the pairwise key the attacker can
        // compute — its own Authentication key with the device's public key — not the pinned one.
        const h = new Headers(r.headers);
        const key = deriveSigningKey(attacker.authentication, publicPart(alice.connection), alice.connection.kid);
        const fields = signMeshResponse({ status: r.status, headers: h }, { method: req.method, targetUri: req.url, headers: req.headers }, { key, keyid: alice.connection.kid, now: T0 });
        h.set('signature-input', fields.signatureInput);
        h.set('signature', fields.signature);
        return new Response(body as Uint8Array<ArrayBuffer>, { status: r.status, headers: h });
      },
      (r, body) => new Response(new TextDecoder().decode(body).replace('MDEV-ICE1', 'MDEV-EVIL'), { status: r.status, headers: r.headers }),
      (r, body) => new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: r.headers }),
      (r, body) => {
        const h = new Headers(r.headers);
        h.delete('signature');
        h.delete('signature-input');
        return new Response(body as Uint8Array<ArrayBuffer>, { status: r.status, headers: h });
      },
    ];
    for (const edit of edits) {
      const { client, calls } = withMiddle(async (req, real) => {
        const r = await real(req.clone());
        return edit(r, new Uint8Array(await r.arrayBuffer()), req);
      });
      expect(await refused(client)).toBeInstanceOf(UnauthenticatedResponseError);
      expect(calls.count).toBe(1); // the service did answer; the client refused the forgery
    }
  });

  it('the authentic response to another request is refused (bound to the request nonce with ;req)', async () => {
    let first: { body: Uint8Array; status: number; headers: Headers } | undefined;
    const { client } = withMiddle(async (req, real) => {
      const r = await real(req);
      const body = new Uint8Array(await r.arrayBuffer());
      first ??= { body, status: r.status, headers: new Headers(r.headers) };
      return new Response(first.body as Uint8Array<ArrayBuffer>, { status: first.status, headers: first.headers });
    });
    await client.request('Status', status, aliceConnection);
    expect(await refused(client)).toBeInstanceOf(UnauthenticatedResponseError);
  });

  it('Hello answered by an attacker\'s service profile: refused when the account pins ServiceUdf', async () => {
    const fake = setup(attacker);
    const pinned = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(fake.http)), expectedServiceUdf: service.udf });
    await expect(pinned.hello()).rejects.toMatchObject({ code: 'PROTOCOL_SERVICE_MISMATCH' });
    expect(pinned.service).toBeUndefined();
    // An authenticated request does Hello first: it is refused the same way, nothing is signed for the attacker.
    const sent: Captured[] = [];
    const auto = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(fake.http), sent), expectedServiceUdf: service.udf });
    await expect(auto.request('Status', status, aliceConnection)).rejects.toMatchObject({ code: 'PROTOCOL_SERVICE_MISMATCH' });
    expect(sent.some((c) => c.headers.get('signature') !== null)).toBe(false);
    // Already pinned to the real service: a substituted Hello does not move the pin.
    const moved = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(fake.http)), service: { udf: service.udf, authentication: publicPart(service.authentication) } });
    await expect(moved.hello()).rejects.toMatchObject({ code: 'PROTOCOL_SERVICE_MISMATCH' });
    expect(moved.service!.udf).toBe(service.udf);
  });
});

describe('the wire binding over node:http (adapters/node)', () => {
  let server: RunningHttpServer;
  let env: ReturnType<typeof setup>;
  beforeAll(async () => {
    env = setup();
    server = await listenHttp(env.http);
  });
  afterAll(async () => {
    await server.close();
  });

  /** A raw HTTP/1.1 request: headers and chunks written as given. */
  function raw(path: string, headers: Record<string, string>, chunks: Uint8Array[]): Promise<{ status: number; body: string; continued: boolean }> {
    return new Promise((resolve, reject) => {
      let continued = false;
      const req = httpRequest({ host: '127.0.0.1', port: server.port, method: 'POST', path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, continued }));
      });
      req.on('continue', () => {
        continued = true;
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      if (headers['expect'] === undefined) req.end();
      else setTimeout(() => req.end(), 300);
    });
  }

  it('Hello and Status with the runtime fetch', async () => {
    const client = new MeshHttpClient({ endpoint: server.url, expectedServiceUdf: service.udf, now: () => env.clock.t });
    expect(client.endpoint).toBe(`${server.url}/.well-known/mmm/`);
    await client.hello();
    const before = env.calls.count;
    expect((await client.request('Status', status, aliceConnection)).CatalogedDeviceDigest).toBe('MDEV-ICE1');
    expect(env.calls.count).toBe(before + 1);
  });

  it('an oversize body is refused unread — declared, Expect: 100-continue, or streamed — and the handler is never called', async () => {
    const before = env.calls.count;
    const declared = await raw('/.well-known/mmm/Status', { 'content-length': '40000', 'content-type': 'application/json' }, []);
    expect(declared.status).toBe(400);
    expect(declared.body).toMatch(/MeshRequestSize/);
    const expect100 = await raw('/.well-known/mmm/Status', { 'content-length': '40000', expect: '100-continue' }, []);
    expect(expect100).toMatchObject({ status: 400, continued: false });
    const streamed = await raw('/.well-known/mmm/Status', { 'transfer-encoding': 'chunked' }, Array.from({ length: 12 }, () => new Uint8Array(4096).fill(0x20)));
    expect(streamed.status).toBe(400);
    expect(streamed.body).toMatch(/MeshRequestSize/);
    expect(env.calls.count).toBe(before);
    // A small unsigned request on the same server still gets its typed refusal.
    const unsigned = await raw('/.well-known/mmm/Status', { 'content-type': 'application/json' }, [utf8Encode('{"StatusRequest":{}}')]);
    expect(unsigned.status).toBe(401);
    const unknown = await raw('/.well-known/mmm/Nothing', {}, [utf8Encode('{}')]);
    expect(unknown.status).toBe(404);
  });

  it('the header fields read as a Fetch Headers would: a repeated signed field is combined and refused, oversize heads never reach the service', async () => {
    /** A request our client signs, caught before it is sent (its fetch fails). */
    const signedRequest = async (): Promise<Captured> => {
      const sent: Captured[] = [];
      const capture = inProcessFetch(async () => {
        throw new TypeError('not sent');
      }, sent);
      const client = new MeshHttpClient({ endpoint: server.url, fetch: capture, now: () => env.clock.t, service: { udf: service.udf, authentication: publicPart(service.authentication) } });
      await expect(client.request('Status', status, aliceConnection)).rejects.toMatchObject({ code: 'PROTOCOL_UNREACHABLE' });
      return sent[0]!;
    };
    const rawSend = (c: Captured, extra: [string, string][] = []): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> =>
      new Promise((resolve, reject) => {
        const fields: string[] = [];
        c.headers.forEach((v, k) => fields.push(k, v));
        for (const [k, v] of extra) fields.push(k, v);
        // A raw list is written as it is: node:http adds neither Host nor the framing.
        fields.push('host', `127.0.0.1:${server.port}`, 'content-length', String(c.body.length));
        const req = httpRequest({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/.well-known/mmm/Status', headers: fields }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        });
        req.on('error', reject);
        req.end(c.body);
      });
    // As signed: accepted, and the answer is one well-formed, signed response.
    const before = env.calls.count;
    const plain = await rawSend(await signedRequest());
    expect(Math.floor(plain.status / 100)).toBe(2);
    expect(plain.headers['content-length']).toBe(String(Buffer.byteLength(plain.body)));
    expect(plain.headers['signature']).toMatch(/^mmm=:/);
    expect(env.calls.count).toBe(before + 1);
    // Mesh-Credential repeated (with the very same value): read as "v, v", as Headers combines
    // it, which is no credential — refused, unsigned, the handler not called.
    const signed = await signedRequest();
    const doubled = await rawSend(signed, [['Mesh-Credential', signed.headers.get('mesh-credential')!]]);
    expect(doubled.status).toBe(401);
    expect(doubled.headers['signature']).toBeUndefined();
    // The same with Signature repeated: two members labelled mmm, the last one wins (RFC 8941
    // §4.2.2) — the same signature, so it verifies, as it did through Headers.
    const sigTwice = await rawSend(signed, [['signature', signed.headers.get('signature')!]]);
    expect(sigTwice.status).toBe(plain.status);
    expect(env.calls.count).toBe(before + 2);
    // A head over node:http's limit is refused by its parser (the adapter's clientError answers
    // 400 and closes) before the header view is built or the service is asked.
    const huge = await rawSend(await signedRequest(), [['x-filler', 'a'.repeat(20_000)]]).catch((e: Error) => ({ status: -1, headers: {}, body: e.message }));
    expect([400, -1]).toContain(huge.status);
    expect(env.calls.count).toBe(before + 2);
  });
});

describe('client-side guards', () => {
  it('refuses to sign without a credential, with a mode the transaction does not take, or a message over 32 KiB', async () => {
    const { client } = setup();
    await expect(client.request('Status', status)).rejects.toMatchObject({ code: 'PROTOCOL_BAD_ARGUMENT' });
    await expect(client.request('Status', status, deviceCredential(alice.profile, alice.base))).rejects.toMatchObject({ code: 'PROTOCOL_BAD_ARGUMENT' });
    const big: StatusRequest = { ...status, Catalogs: [Array.from({ length: 40_000 }, () => 'x').join('')] };
    await expect(client.request('Status', big, aliceConnection)).rejects.toMatchObject({ code: 'PROTOCOL_TOO_LARGE' });
    expect(() => deviceCredential(mallory.profile, alice.base)).toThrow(expect.objectContaining({ code: 'PROTOCOL_BAD_CREDENTIAL' }));
  });

  it('an unreachable service is a typed error', async () => {
    const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch: async () => { throw new TypeError('fetch failed'); } });
    await expect(client.hello()).rejects.toMatchObject({ code: 'PROTOCOL_UNREACHABLE' });
  });

  it('a request without an answer is abandoned after timeoutMs, each by its own deadline, and answered ones are not touched', async () => {
    const { http } = setup();
    const answer = inProcessFetch(fetchHandler(http));
    const hung: { started: number; aborted?: number }[] = [];
    let hangNext = 0;
    /** The first `hangNext` calls never answer (until aborted); the others go to the service. */
    const fetch: typeof answer = (url, init) => {
      if (hangNext <= 0) return answer(url, init);
      hangNext--;
      const record: { started: number; aborted?: number } = { started: performance.now() };
      hung.push(record);
      return new Promise((_, reject) => init.signal!.addEventListener('abort', () => {
        record.aborted = performance.now();
        reject(new DOMException('aborted', 'AbortError'));
      }));
    };
    const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch, now: () => T0, timeoutMs: 150, expectedServiceUdf: service.udf });
    await client.hello();
    hangNext = 1;
    const first = client.request('Status', status, aliceConnection);
    await new Promise((r) => setTimeout(r, 60));
    hangNext = 1;
    const second = client.request('Status', status, aliceConnection);
    // Answered meanwhile, and after both deadlines passed: untouched by either.
    expect((await client.request('Status', status, aliceConnection)).CatalogedDeviceDigest).toBe('MDEV-ICE1');
    await expect(first).rejects.toMatchObject({ code: 'PROTOCOL_UNREACHABLE', message: expect.stringMatching(/no answer within 150 ms/) });
    await expect(second).rejects.toMatchObject({ code: 'PROTOCOL_UNREACHABLE' });
    for (const h of hung) {
      // Never before its own deadline (timers round by a millisecond), and not long after it.
      expect(h.aborted! - h.started).toBeGreaterThanOrEqual(149);
      expect(h.aborted! - h.started).toBeLessThan(1000);
    }
    expect(hung[1]!.aborted! - hung[0]!.aborted!).toBeGreaterThanOrEqual(40); // the second waited its own 150 ms
    expect((await client.request('Status', status, aliceConnection)).CatalogedDeviceDigest).toBe('MDEV-ICE1');
  });

  it('nonces come from the injected random source, 16 bytes each', async () => {
    const { http } = setup();
    const sent: Captured[] = [];
    const client = new MeshHttpClient({ endpoint: ENDPOINT, fetch: inProcessFetch(fetchHandler(http), sent), now: () => T0, random: seeded(7) });
    await client.request('Status', status, aliceConnection);
    await client.request('Status', status, aliceConnection);
    const nonces = sent.filter((c) => c.headers.get('signature-input') !== null).map((c) => /nonce="([^"]+)"/.exec(c.headers.get('signature-input')!)![1]);
    const r = seeded(7);
    expect(nonces).toEqual([base64urlEncode(r(16)), base64urlEncode(r(16))]);
  });
});

export type { ClientCredential };
