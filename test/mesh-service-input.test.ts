import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64urlEncode } from '../sdk/encoding/base64url.js';
import type { CatalogedCredential, ContainerUpdate } from '../sdk/mesh/index.js';
import {
  connectionCredential, contentDigest, deriveSigningKey, encodeCredential, frameEnvelope, MeshHttpClient, MeshProtocolError, ProtocolError,
  UnauthenticatedResponseError, type ClientCredential, type FetchFunction,
} from '../sdk/protocol/index.js';
import { signMeshRequest, verifyMeshResponse } from '../sdk/protocol/mesh-signature.js';
import { errorOfResponse } from '../sdk/protocol/status.js';
import { readMeshObject } from '../sdk/mesh/schema/codec.js';
import { dareKeyFromKeyPair } from '../sdk/dare/keys.js';
import { deriveAccountKeys, newMeshSeed } from '../sdk/mesh/index.js';
import { boundAccount, secondDevice, testService, type TestDevice } from './support/mesh-service.js';

/**
 * Bad input at the Mesh service (protocol.md §2, §10.2; T6–T8): a replayed request, a tampered
 * body, a wrong key, an expired signature, an oversize body (refused before it is parsed),
 * malformed JSON, store names that are not the Mesh's, indexes out of range. Each gets a typed
 * protocol status (in the body; signed whenever the service could tell who asked) and the client
 * a typed error — and the service's state is what it was: every store head of the accounts and
 * every account record is compared before and after.
 */

const UPLOAD_LIMIT = 256 * 1024;
let service: Awaited<ReturnType<typeof testService>>;
let admin: TestDevice;
let laptop: TestDevice;
/** The laptop's requests as they went out, and a way to change the next one on the wire. */
const wire: { sent: { url: string; headers: Headers; body: Uint8Array }[]; edit?: (r: { url: string; headers: Headers; body: Uint8Array }) => { url: string; headers: Headers; body: Uint8Array } } = { sent: [] };
const mitm: FetchFunction = async (url, init) => {
  let r: { url: string; headers: Headers; body: Uint8Array } = { url, headers: new Headers(init.headers), body: new Uint8Array(init.body as ArrayBuffer) };
  wire.sent.push(r);
  if (wire.edit) {
    r = wire.edit(r);
    wire.edit = undefined;
  }
  return fetch(r.url, { method: 'POST', headers: r.headers, body: r.body.slice() });
};

beforeAll(async () => {
  service = await testService({ service: { limits: { uploadBytes: UPLOAD_LIMIT } } });
  admin = await boundAccount(service.endpoint, 'amy@example.com');
  const c = await admin.account.catalog('credential');
  await c.put({ $class: 'CatalogedCredential', Service: 'bank.example.com', Username: 'amy', Password: 'one' });
  await c.close();
  await admin.client.sync();
  laptop = await secondDevice(admin, ['web'], { fetch: mitm });
  await laptop.client.sync();
  await boundAccount(service.endpoint, 'ben@example.com');
});
afterAll(async () => {
  await service?.stop();
});

/** Every head and account record of the service, comparable. */
async function state(): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const a of await service.store.listAccounts()) {
    out[a.address] = {
      record: { ...a, profile: base64urlEncode(a.profile) },
      heads: (await service.store.heads(a.address)).map((h) => ({ ...h, digest: h.digest && base64urlEncode(h.digest) })),
    };
  }
  return out;
}

/** A credential frame the laptop built, and the ContainerUpdate that uploads it. */
async function pendingUpdate(site: string): Promise<ContainerUpdate> {
  const c = await laptop.account.catalog('credential');
  try {
    await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'amy', Password: 'x' } as CatalogedCredential);
    const out = await c.outgoing();
    return { $class: 'ContainerUpdate', Container: out.container, Index: out.index, Envelopes: out.frames.map(frameEnvelope) };
  } finally {
    await c.close();
  }
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProtocolError);
  return e as Error;
}

/** A request signed by hand as the laptop (to send what the client never would), and the service's answer, checked for its signature. */
async function handSigned(transaction: string, body: Uint8Array, options: { now?: number } = {}): Promise<{ error: MeshProtocolError | undefined; signed: boolean; status: number }> {
  const credential = laptop.client.deviceCredential();
  const url = `${service.endpoint}${transaction}`;
  const headers = new Headers({ 'content-type': 'application/json', 'content-digest': contentDigest(body), 'mesh-credential': encodeCredential(credential.credential) });
  const key = deriveSigningKey(credential.key, laptop.client.http.service!.authentication, credential.key.kid);
  const view = { method: 'POST', targetUri: url, headers };
  const f = signMeshRequest(view, { key, keyid: credential.key.kid, now: options.now ?? Date.now() });
  headers.set('signature-input', f.signatureInput);
  headers.set('signature', f.signature);
  const res = await fetch(url, { method: 'POST', headers, body: body.slice() });
  const answer = new Uint8Array(await res.arrayBuffer());
  let signed = true;
  try {
    verifyMeshResponse({ status: res.status, headers: res.headers }, view, { key, keyid: credential.key.kid });
  } catch {
    signed = false;
  }
  return { error: errorOfResponse(readMeshObject(answer, 'Response') as { Status?: number }), signed, status: res.status };
}

const transact = (c: ClientCredential, updates: ContainerUpdate[], client: MeshHttpClient = laptop.client.http): Promise<unknown> =>
  client.request('Transact', { $class: 'TransactRequest', Account: 'amy@example.com', Updates: updates }, c);

describe('Mesh service: bad input changes nothing', () => {
  it('a replayed Transact: 401 NotAuthenticated, unsigned (UnauthenticatedResponseError); the frame is there once', async () => {
    const update = await pendingUpdate('replay.example.com');
    await transact(laptop.client.deviceCredential(), [update]);
    const original = wire.sent.at(-1)!;
    const before = await state();
    // The next request on the wire is replaced by the earlier one, byte for byte.
    wire.edit = () => original;
    const e = await refusal(laptop.client.http.request('Status', { $class: 'StatusRequest', Account: 'amy@example.com' }, laptop.client.deviceCredential()));
    expect(e).toBeInstanceOf(UnauthenticatedResponseError);
    expect((e as UnauthenticatedResponseError).claimed).toMatchObject({ status: 401, errorName: 'NotAuthenticated' });
    expect((e as UnauthenticatedResponseError).claimed?.message).toMatch(/replayed/);
    expect(await state()).toEqual(before);
  });

  it('a tampered body (an envelope altered after signing): 400 MeshMessageInvalid, signed (MeshProtocolError)', async () => {
    const update = await pendingUpdate('tamper.example.com');
    const before = await state();
    wire.edit = (r) => {
      const body = r.body.slice();
      const at = new TextDecoder().decode(body).indexOf('"Envelopes"') + 40;
      body[at] = body[at] === 0x41 ? 0x42 : 0x41;
      return { ...r, body };
    };
    const e = await refusal(transact(laptop.client.deviceCredential(), [update]));
    expect(e).toBeInstanceOf(MeshProtocolError);
    expect(e).toMatchObject({ status: 400, errorName: 'MeshMessageInvalid' });
    expect(e.message).toMatch(/Content-Digest/);
    expect(await state()).toEqual(before);
  });

  it('a wrong key: a key the account never connected, and an impostor naming the laptop\'s key id — 401, unsigned', async () => {
    const update = await pendingUpdate('wrongkey.example.com');
    const before = await state();
    const stranger = dareKeyFromKeyPair(deriveAccountKeys(newMeshSeed('MeshProfileAccount')).commonAuthentication);
    const e1 = await refusal(transact(connectionCredential('amy@example.com', stranger), [update]));
    expect(e1).toBeInstanceOf(UnauthenticatedResponseError);
    expect((e1 as UnauthenticatedResponseError).claimed?.status).toBe(401);
    // A client of its own: the laptop's client keeps the pairwise key it derived under that key id.
    const impostor = { ...stranger, kid: laptop.client.deviceCredential().key.kid };
    const fresh = new MeshHttpClient({ endpoint: service.endpoint, service: laptop.client.http.service! });
    const e2 = await refusal(transact(connectionCredential('amy@example.com', impostor), [update], fresh));
    expect(e2).toBeInstanceOf(UnauthenticatedResponseError);
    expect((e2 as UnauthenticatedResponseError).claimed).toMatchObject({ status: 401 });
    expect((e2 as UnauthenticatedResponseError).claimed?.message).toMatch(/does not verify/);
    expect(await state()).toEqual(before);
  });

  it('an expired signature (created 2 minutes ago, 60 s lifetime): 401', async () => {
    const update = await pendingUpdate('expired.example.com');
    const before = await state();
    const late = new MeshHttpClient({ endpoint: service.endpoint, service: laptop.client.http.service!, now: () => Date.now() - 120_000 });
    const e = await refusal(transact(laptop.client.deviceCredential(), [update], late));
    const status = e instanceof MeshProtocolError ? e.status : (e as UnauthenticatedResponseError).claimed?.status;
    expect(status).toBe(401);
    expect(e.message).toMatch(/expired|ago/);
    expect(await state()).toEqual(before);
  });

  it('an oversize body is refused before it is parsed: 400 MeshRequestSize (junk that a parser would call MeshMessageInvalid)', async () => {
    const before = await state();
    const junk = (n: number): Uint8Array => new Uint8Array(n).fill(0x7b);
    const upload = await handSigned('Transact', junk(UPLOAD_LIMIT + 1));
    expect(upload).toMatchObject({ signed: true, error: { status: 400, errorName: 'MeshRequestSize' } });
    const message = await handSigned('Status', junk(32 * 1024 + 1));
    expect(message).toMatchObject({ signed: true, error: { status: 400, errorName: 'MeshRequestSize' } });
    // Within the limit the same junk is parsed, and refused as such: the size decided above.
    expect(await handSigned('Transact', junk(1024))).toMatchObject({ signed: true, error: { status: 400, errorName: 'MeshMessageInvalid' } });
    // A real upload over the limit, through the client: the same typed refusal.
    const frames = (await pendingUpdate('big.example.com')).Envelopes!;
    const big: ContainerUpdate = { $class: 'ContainerUpdate', Container: 'MMM_Credential', Index: 0, Envelopes: Array.from({ length: Math.ceil(UPLOAD_LIMIT / 600) }, () => frames[0]!) };
    const e = await refusal(transact(laptop.client.deviceCredential(), [big]));
    expect(e).toMatchObject({ status: 400, errorName: 'MeshRequestSize' });
    expect(await state()).toEqual(before);
  });

  it('malformed JSON, a wrong class, a request for another account: typed statuses, signed', async () => {
    const before = await state();
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(await handSigned('Transact', text('{"TransactRequest":{"Account":"amy@example.com","Updates":['))).toMatchObject({ signed: true, error: { status: 400, errorName: 'MeshMessageInvalid' } });
    expect(await handSigned('Transact', text('{"DownloadRequest":{"Account":"amy@example.com"}}'))).toMatchObject({ signed: true, error: { status: 400, errorName: 'MeshMessageInvalid' } });
    expect(await handSigned('Transact', text('{"TransactRequest":{"Account":"amy@example.com","Updates":[{"Container":"MMM_Credential","Index":"x","Envelopes":[]}]}}')))
      .toMatchObject({ signed: true, error: { status: 400 } });
    expect(await handSigned('Transact', text('{"TransactRequest":{"Account":"ben@example.com","Updates":[]}}'))).toMatchObject({ signed: true, error: { status: 403 } });
    expect(await state()).toEqual(before);
  });

  it('store names that are not the Mesh\'s: 400 MeshMessageInvalid from Transact, Download and Status', async () => {
    const update = await pendingUpdate('names.example.com');
    const before = await state();
    const cred = laptop.client.deviceCredential();
    for (const name of ['MMM_Bogus', 'mmm_credential', '../MMM_Credential', '', 'MMM_Credential\u0000']) {
      const e = await refusal(transact(cred, [{ ...update, Container: name }]));
      expect(e, name).toMatchObject({ status: 400, errorName: 'MeshMessageInvalid' });
      const d = await refusal(laptop.client.http.request('Download', { $class: 'DownloadRequest', Account: 'amy@example.com', Select: [{ Container: name, IndexMin: 0 }] }, cred));
      expect(d, name).toMatchObject({ status: 400, errorName: 'MeshMessageInvalid' });
    }
    const s = await refusal(laptop.client.http.request('Status', { $class: 'StatusRequest', Account: 'amy@example.com', Catalogs: ['MMM_Bogus'] }, cred));
    expect(s).toMatchObject({ status: 400, errorName: 'MeshMessageInvalid' });
    // The same store twice in one Transact.
    const twice = await refusal(transact(cred, [update, update]));
    expect(twice).toMatchObject({ status: 400 });
    expect(await state()).toEqual(before);
  });

  it('indexes out of range: 400 for what cannot be an index, Conflict (nothing applied) for one that is not the store\'s', async () => {
    const update = await pendingUpdate('index.example.com');
    const before = await state();
    const cred = laptop.client.deviceCredential();
    const e = await refusal(transact(cred, [{ ...update, Index: -2 }]));
    expect(e).toMatchObject({ status: 400, errorName: 'MeshMessageInvalid' });
    // What the client will not even serialize (a typed PROTOCOL_BAD_ARGUMENT), sent by hand.
    await expect(transact(cred, [{ ...update, Index: 1.5 }])).rejects.toMatchObject({ code: 'PROTOCOL_BAD_ARGUMENT' });
    const body = (index: string): Uint8Array => new TextEncoder().encode(
      `{"TransactRequest":{"Account":"amy@example.com","Updates":[{"Container":"MMM_Credential","Index":${index},"Envelopes":${JSON.stringify(update.Envelopes)}}]}}`);
    for (const index of ['1.5', '1152921504606846976', '1e400', '"0"', 'null']) {
      expect(await handSigned('Transact', body(index)), index).toMatchObject({ signed: true, error: { status: 400 } });
    }
    for (const Index of [0, 1_000_000]) {
      const r = await transact(cred, [{ ...update, Index }]) as { Entries: { Result: string; IndexContainer: number }[] };
      expect(r.Entries.map((x) => x.Result), String(Index)).toEqual(['Conflict']);
    }
    const head = (await service.store.head('amy@example.com', 'MMM_Credential')).nextIndex;
    const download = (Select: unknown[], post?: unknown) => laptop.client.http.request('Download', {
      $class: 'DownloadRequest', Account: 'amy@example.com', Select: Select as never, ...(post ? { ConstraintsPost: post as never } : {}),
    }, cred);
    for (const [select, post] of [
      [[{ Container: 'MMM_Credential', IndexMin: head + 1 }], undefined],
      [[{ Container: 'MMM_Credential', IndexMin: -1 }], undefined],
      [[{ Container: 'MMM_Credential', IndexMin: 2, IndexMax: 1 }], undefined],
      [[{ Container: 'MMM_Credential', IndexMin: 0 }], { MaxEntries: 0 }],
      [[], undefined],
    ] as [unknown[], unknown][]) {
      const e = await refusal(download(select, post));
      expect(e, JSON.stringify([select, post])).toMatchObject({ status: 400, errorName: 'MeshMessageInvalid' });
    }
    // IndexMin at the end is no error: nothing to read.
    const atEnd = await download([{ Container: 'MMM_Credential', IndexMin: head }]);
    expect(atEnd.Updates?.[0]).toMatchObject({ Container: 'MMM_Credential', Index: head - 1 });
    expect(atEnd.Updates?.[0]?.Envelopes ?? []).toEqual([]);
    expect(await state()).toEqual(before);
  });
});
