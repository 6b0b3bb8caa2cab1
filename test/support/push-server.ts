import { MemoryServiceStore } from '../../adapters/memory/index.js';
import { attachPush, listenHttp } from '../../adapters/node/index.js';
import { encodeFrame } from '../../sdk/dare/sequence/frame.js';
import { utf8Encode } from '../../sdk/encoding/index.js';
import { publicPart, type DarePublicKey } from '../../sdk/dare/index.js';
import type { StatusRequest, TransactRequest } from '../../sdk/mesh/index.js';
import { MeshHttpService, refuse, type RequestContext } from '../../sdk/protocol/index.js';
import { MeshPushService, type MeshPushServiceOptions } from '../../sdk/service/push/index.js';
import {
  PUSH_ALICE, PUSH_ALICE_ACCOUNT, PUSH_BOB, PUSH_BOB_ACCOUNT, PUSH_CAROL, PUSH_INITIAL, PUSH_READABLE, PUSH_SERVICE,
} from './push-fixture.js';

/**
 * A Mesh service for push tests on loopback: the HTTP binding (Hello; Status answering the heads
 * a device may read; Transact appending one frame per update — the test's commits; PushTicket)
 * and the push socket on the same node:http server, on the service store in memory
 * (`MemoryServiceStore`, whose change feed drives the push service).
 */
export interface PushTestServer {
  readonly url: string;
  readonly push: MeshPushService;
  readonly store: MemoryServiceStore;
  /** Appends one frame to a store (digest `digest`), as a device's Transact would; the new next index. */
  commit(account: string, store: string, digest?: Uint8Array): Promise<number>;
  /** `account keyid` → readable stores (undefined: revoked). */
  readonly access: Map<string, readonly string[] | undefined>;
  close(): Promise<void>;
}

export async function startPushTestServer(options: Partial<MeshPushServiceOptions> & { port?: number } = {}): Promise<PushTestServer> {
  const source = new MemoryServiceStore();
  let frames = 0;
  const commit = async (account: string, store: string, digest?: Uint8Array, count = 1): Promise<number> => {
    const { nextIndex } = await source.head(account, store);
    const update = { account, store, expectedNextIndex: nextIndex, frames: Array.from({ length: count }, () => encodeFrame({ header: utf8Encode(`{"n":${frames++}}`), payload: new Uint8Array(0) })) };
    const { heads } = await source.transact([digest === undefined ? update : { ...update, digest }]);
    return heads[0]!.nextIndex;
  };
  for (const [i, [account, stores]] of Object.entries(PUSH_INITIAL).entries()) {
    await source.createAccount({ address: account, profileUdf: `MPUSH-TEST-${i}`, profile: utf8Encode(account) });
    for (const [store, next] of Object.entries(stores)) await commit(account, store, undefined, next);
  }
  const devices: Record<string, typeof PUSH_ALICE[]> = { [PUSH_ALICE_ACCOUNT]: [PUSH_ALICE, PUSH_CAROL], [PUSH_BOB_ACCOUNT]: [PUSH_BOB] };
  const access = new Map<string, readonly string[] | undefined>();
  const keys = new Map<string, DarePublicKey[]>();
  for (const [account, list] of Object.entries(devices)) {
    for (const d of list) access.set(`${account} ${d.connection.kid}`, PUSH_READABLE);
    keys.set(account, list.map((d) => publicPart(d.connection)));
  }
  const readable = async (account: string, keyid: string): Promise<readonly string[] | undefined> => access.get(`${account} ${keyid}`);
  const { port, ...pushOptions } = options;
  const push = new MeshPushService({ serviceKey: PUSH_SERVICE.authentication, source, readable, ...pushOptions });
  const allowed = async (ctx: RequestContext): Promise<{ account: string; stores: readonly string[] }> => {
    const account = ctx.auth!.account!.toLowerCase();
    const stores = await readable(account, ctx.auth!.keyid);
    if (stores === undefined) throw refuse('Forbidden', { extended: 'DeviceRevoked', name: 'NotAuthorized' });
    return { account, stores };
  };
  const http = new MeshHttpService({
    serviceKey: PUSH_SERVICE.authentication,
    resolveConnection: async (account, keyid) => keys.get(account.toLowerCase())?.find((k) => k.kid === keyid),
    handlers: {
      Hello: () => ({ $class: 'MeshHelloResponse', Version: { $class: 'Version', Major: 3, Minor: 0 }, EnvelopedProfileService: PUSH_SERVICE.profile }),
      Status: async (_req: StatusRequest, ctx) => {
        const { account, stores } = await allowed(ctx);
        const heads = (await source.heads(account)).filter((h) => stores.includes(h.store));
        return { $class: 'StatusResponse', ContainerStatus: heads.map((h) => ({ Container: h.store, Index: h.nextIndex - 1 })) };
      },
      Transact: async (req: TransactRequest, ctx) => {
        const { account, stores } = await allowed(ctx);
        for (const u of req.Updates ?? []) {
          if (u.Container === undefined || !stores.includes(u.Container)) throw refuse('Forbidden', { name: 'NotAuthorized', detail: `not writable: ${u.Container}` });
        }
        for (const u of req.Updates ?? []) await commit(account, u.Container!);
        return { $class: 'TransactResponse' };
      },
      ...push.handlers,
    },
  });
  const server = await listenHttp(http, { port: port ?? 0 });
  const attached = attachPush(server.server, push);
  return {
    url: server.url, push, store: source, access,
    commit: (account, store, digest) => commit(account, store, digest),
    async close() {
      attached.detach();
      await push.close();
      server.server.closeAllConnections();
      await server.close();
      await source.close();
    },
  };
}
