/**
 * `mathmesh/protocol` on whatever runtime runs this: the RFC 9421 hmac-sha256 example and the
 * RFC 9530 Content-Digest example, then a whole exchange — the fetch client against the service
 * through the Fetch-style handler, in one process — with a replay and a forged response refused.
 * It shows the binding needs nothing but what every runtime has (Fetch, Web Crypto randomness,
 * the SDK's own crypto).
 */
import { publicPart } from '../../sdk/dare/index.js';
import { utf8Encode } from '../../sdk/encoding/index.js';
import {
  component, connectionCredential, contentDigest, createHmacSignature, fetchHandler, MeshHttpClient, MeshProtocolError, UnauthenticatedResponseError,
} from '../../sdk/protocol/index.js';
import { B25, RFC9530, TEST_REQUEST, TEST_SHARED_SECRET } from '../support/rfc9421-vectors.js';
import { echoService, inProcessFetch, makeDevice, makeService, type Captured } from '../support/wire.js';
import type { Suite } from './harness.js';

const protocol: Suite = ({ describe, it, expect }) => {
  describe('protocol: RFC vectors', () => {
    it('RFC 9421 B.2.5 hmac-sha256 and RFC 9530 §2 Content-Digest', () => {
      const headers = new Headers();
      for (const [k, v] of TEST_REQUEST.headers) headers.append(k, v);
      const key = Uint8Array.from(atob(TEST_SHARED_SECRET), (c) => c.charCodeAt(0));
      const out = createHmacSignature(B25.label, B25.components.map((c) => component(c)), new Map<string, string | number>([['created', B25.created], ['keyid', B25.keyid]]),
        { kind: 'request', request: { method: TEST_REQUEST.method, targetUri: TEST_REQUEST.targetUri, headers } }, key);
      expect(out.signature).toBe(B25.signature);
      expect(contentDigest(utf8Encode(RFC9530.body))).toBe(RFC9530.contentDigest);
    });
  });

  describe('protocol: client and service in one process', () => {
    const service = makeService(31);
    const device = makeDevice(32);
    const account = 'alice@example.com';
    const endpoint = 'https://mesh.example.com/.well-known/mmm/';

    it('a signed Status round-trips; its replay and a forged answer are refused', async () => {
      const { http, calls } = echoService(service, { [account]: [publicPart(device.connection)] });
      const sent: Captured[] = [];
      const client = new MeshHttpClient({ endpoint, fetch: inProcessFetch(fetchHandler(http), sent), expectedServiceUdf: service.udf });
      const credential = connectionCredential(account, device.connection);
      const answer = await client.request('Status', { $class: 'StatusRequest', Account: account, DeviceUDF: 'X' }, credential);
      expect(answer.CatalogedDeviceDigest).toBe('X');
      expect(calls.count).toBe(1);
      const last = sent[sent.length - 1]!;
      const replay = await http.handle({ method: last.method, url: last.url, headers: last.headers, body: last.body });
      expect(replay.status).toBe(401);
      expect(calls.count).toBe(1);
      let refusal: unknown;
      await client.request('Download', { $class: 'DownloadRequest', Account: account }, credential).catch((e: unknown) => (refusal = e));
      expect(refusal).toBeInstanceOf(MeshProtocolError);
      const forging = new MeshHttpClient({
        endpoint, service: client.service!,
        fetch: async (url, init) => {
          const r = await fetchHandler(http)(new Request(url, init));
          const body = new TextDecoder().decode(await r.arrayBuffer()).replace('"X"', '"Y"');
          return new Response(body, { status: r.status, headers: r.headers });
        },
      });
      let forged: unknown;
      await forging.request('Status', { $class: 'StatusRequest', Account: account, DeviceUDF: 'X' }, credential).catch((e: unknown) => (forged = e));
      expect(forged).toBeInstanceOf(UnauthenticatedResponseError);
    });
  });
};

export default protocol;
