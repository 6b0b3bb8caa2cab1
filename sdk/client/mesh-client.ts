import type { DareEnvelope } from '../dare/envelope.js';
import { dareKeyFromKeyPair, type DarePrivateKey, type DarePublicKey } from '../dare/keys.js';
import { SequenceError } from '../dare/sequence/errors.js';
import { dareKeyFromCombined } from '../mesh/activations.js';
import type { ConflictWarning, SyncedStore } from '../mesh/catalog/synced-store.js';
import { openMeshEnvelope } from '../mesh/envelopes.js';
import type { MeshAccount } from '../mesh/host/account.js';
import { publicKeyOf } from '../mesh/keydata.js';
import { sealProfile } from '../mesh/profiles.js';
import type { Enveloped } from '../mesh/schema/object.js';
import type { AnyProfileAccount, CatalogedDevice, ContainerUpdate, DownloadResponse, ProfileService, StatusResponse } from '../mesh/schema/types.js';
import {
  connectionCredential, keyCredential, MeshHttpClient, type ClientCredential, type FetchFunction, type HelloResult,
} from '../protocol/client.js';
import { frameEnvelope, frameOfEnvelope } from '../protocol/frames.js';
import { MeshProtocolError } from '../protocol/status.js';
import { adoptIssued } from './reissued.js';
import { MeshClientError } from './errors.js';
import { headsOfStatus, pushTicketSource } from './push/ticket.js';
import { watchPush, type PushWatchStatus } from './push/watch.js';
import { retryTransient } from './watch-retry.js';
import type { WebSocketConstructor } from './push/websocket.js';
import { download, newReport, reconcile, updateOf, type DownloadedPage, type ServiceHead, type StoreReport } from './store-sync.js';

/**
 * The Mesh client (protocol.md §5, F1, F5, F11): one account of a Mesh host (`mathmesh/mesh`'s
 * MeshAccount) and its service. `bind` makes an offline account a bound one; `sync` brings
 * every store this device holds keys for and the service's copy together (download, conflict
 * rule, upload, in one atomic Transact); `watch` follows the push channel and takes each change
 * as it comes; `status`, `hello`, `unbind`.
 *
 * The client lives in `mathmesh/client` (the layer above the Mesh host: `mathmesh/mesh` never
 * loads transport code). Requests are signed with the device's Connection credential — its
 * co-generated Authentication key — except BindAccount and the first upload after it, which
 * the account's CommonAuthentication key signs (the Access catalog that admits the device is in
 * that upload).
 *
 * Stores are opened for the duration of a call and closed after it, so that other commands on
 * the same home (in other processes) can use them in between; a store another process holds
 * is waited for a few seconds (`CLIENT_LOCKED` after).
 */

/** Options of {@link MeshClient}. */
export interface MeshClientOptions {
  /** The service's transaction endpoint; default: the URL the account was bound at. */
  readonly endpoint?: string;
  readonly fetch?: FetchFunction;
  /** WebSocket constructor for {@link MeshClient.watch} (Node 20: `NodeWebSocket`); default the runtime's; `null`: poll. */
  readonly WebSocket?: WebSocketConstructor | null;
  /** Frames per store per Download page (default 256). */
  readonly pageSize?: number;
  /** Rounds of download-and-upload before a sync gives up on others' concurrent writes (default 8). */
  readonly maxRounds?: number;
  readonly timeoutMs?: number;
}

/** What {@link MeshClient.bind} did. */
export interface BindReport {
  readonly serviceUdf: string;
  readonly endpoint: string;
  /** The first upload (every store's frames, by the account key). */
  readonly sync: SyncReport;
}

/** What {@link MeshClient.sync} did. */
export interface SyncReport {
  /** One entry per store that moved. */
  readonly stores: readonly StoreReport[];
  /** Transacts answered with a Conflict (each followed by another round). */
  readonly conflicts: number;
  /** Frames uploaded and accepted, over all stores. */
  readonly uploaded: number;
  /** Frames downloaded and taken, over all stores. */
  readonly downloaded: number;
}

/** The account at the service (T6 Status). */
export interface AccountStatus {
  readonly account: string;
  readonly serviceUdf: string;
  /** Each store this device may read: the service's last index (−1: none) and this device's frame count. */
  readonly stores: readonly { readonly store: string; readonly index: number; readonly local: number; readonly acknowledged: number }[];
  /** The device's current CatalogedDevice, when the service's differs from the one this client saw last. */
  readonly catalogedDevice?: Enveloped<CatalogedDevice>;
}

/** What {@link MeshClient.upload} did. */
export interface UploadReport {
  /** True when the service took every update (or there was none). */
  readonly accepted: boolean;
  /** Frames accepted. */
  readonly uploaded: number;
  /** Stores another device wrote to first (nothing was applied). */
  readonly conflicts: readonly string[];
}

/** Messages a Transact carries besides the store updates (protocol.md T8): the service spools them. */
export interface TransactMessages {
  /** To the account's MMM_Local (a RespondConnection, which the service also files for Complete). */
  readonly local?: readonly DareEnvelope[];
  readonly inbound?: readonly DareEnvelope[];
  readonly outbound?: readonly DareEnvelope[];
  /** Recipients of `outbound`. */
  readonly accounts?: readonly string[];
}

/** A change {@link MeshClient.watch} took. */
export interface WatchEvent extends StoreReport {
  /** The store's last index at the service (the push hint). */
  readonly index: number;
}

/** A running watch: `for await (const change of watch)`; `close()` ends it. */
export interface ClientWatch extends AsyncIterableIterator<WatchEvent> {
  /** The push socket's state. */
  readonly status: PushWatchStatus;
  /** Ends the watch: closes the socket, stops polling, and ends the iteration. */
  close(): void;
}

const LOCK_WAIT_MS = 5_000;

/** The Mesh client of one account (see the module notes). */
export class MeshClient {
  readonly account: MeshAccount;
  readonly http: MeshHttpClient;
  readonly #options: MeshClientOptions;
  #deviceDigest: string | undefined;
  readonly #openedAt = new WeakMap<SyncedStore, number>();

  constructor(account: MeshAccount, options: MeshClientOptions = {}) {
    const endpoint = options.endpoint ?? account.service?.url;
    if (endpoint === undefined) throw new MeshClientError('CLIENT_NOT_BOUND', `${account.address} is not bound to a service, and no endpoint was given`);
    this.account = account;
    this.#options = options;
    const expected = account.service?.serviceUdf;
    this.http = new MeshHttpClient({
      endpoint, ...(expected ? { expectedServiceUdf: expected } : {}), ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /** The transaction endpoint. */
  get endpoint(): string {
    return this.http.endpoint;
  }

  /** T1 Hello: the service's profile, pinned (and checked against the account's ServiceUdf once bound). */
  hello(): Promise<HelloResult> {
    return this.http.hello();
  }

  /** The device's Connection credential (its co-generated Authentication key). */
  deviceCredential(): ClientCredential {
    return connectionCredential(this.account.address, dareKeyFromCombined(this.account.activation.keys.authentication));
  }

  /** The account's CommonAuthentication credential (Key mode): granted to this device, or from the seed. */
  accountCredential(): ClientCredential {
    const granted = this.account.activation.accountKeys.Authentication;
    const key: DarePrivateKey = granted ?? dareKeyFromKeyPair(this.account.accountKeys().commonAuthentication);
    return keyCredential(key);
  }

  /**
   * Binds the account to the service (protocol.md F1 steps 3, 5–7): Hello pins the service; the
   * profile is re-signed naming it (`ServiceUdf`; needs the account seed on this device);
   * BindAccount (by the CommonAuthentication key) returns the AccountHostAssignment, whose
   * signature by the pinned ServiceSignature key is checked; the binding is recorded, the
   * Access catalog rebuilt to be readable by the service's AccessEncrypt key, and every store
   * uploaded. Binding again to the same service (a retry) is harmless.
   */
  async bind(): Promise<BindReport> {
    const { profile: service, service: pinned } = await this.http.hello();
    const keys = this.account.accountKeys();
    const current = this.account.profile;
    if (current.ServiceUdf !== undefined && current.ServiceUdf !== pinned.udf) {
      throw new MeshClientError('CLIENT_NOT_BOUND', `${this.account.address} is bound to service ${current.ServiceUdf}, not ${pinned.udf}: unbind it first`);
    }
    const { $wire: _wire, ...plain } = current;
    const profile = sealProfile({ ...plain, ServiceUdf: pinned.udf } as AnyProfileAccount, keys.profileSignature) as Enveloped<AnyProfileAccount>;
    const response = await this.http.request('BindAccount', {
      $class: 'BindRequest', AccountAddress: this.account.address, EnvelopedProfileAccount: profile,
    }, keyCredential(dareKeyFromKeyPair(keys.commonAuthentication)));
    const accessEncrypt = this.#assignmentKey(response.EnvelopedAccountHostAssignment, service.profile);
    await this.account.recordBinding({ serviceUdf: pinned.udf, url: this.http.endpoint, accessEncrypt }, profile);
    await this.account.prepareAccessForService();
    let sync: SyncReport;
    try {
      sync = await this.#sync(this.accountCredential());
    } catch (e) {
      // The service takes the account key only until MMM_Access is uploaded: a retried bind (the
      // first upload's answer was lost) goes on as the device.
      if (!(e instanceof MeshProtocolError && e.status === 403)) throw e;
      sync = await this.#sync(this.deviceCredential());
    }
    return { serviceUdf: pinned.udf, endpoint: this.http.endpoint, sync };
  }

  /** The AccessEncrypt key of an AccountHostAssignment signed by the service (`CLIENT_BAD_RESPONSE` otherwise). */
  #assignmentKey(envelope: Enveloped<unknown> | undefined, service: ProfileService): DarePublicKey {
    try {
      if (envelope === undefined) throw new Error('no EnvelopedAccountHostAssignment');
      if (service.ServiceSignature === undefined) throw new Error('the service profile has no ServiceSignature');
      const signer = publicKeyOf(service.ServiceSignature, 'ServiceSignature');
      const a = openMeshEnvelope(envelope, 'AccountHostAssignment', { signers: [signer], requireSignature: true }).object;
      if (a.AccountAddess?.toLowerCase() !== this.account.address) throw new Error(`the assignment is for ${String(a.AccountAddess)}`);
      if (a.AccessEncrypt === undefined) throw new Error('the assignment has no AccessEncrypt key');
      const key = publicKeyOf(a.AccessEncrypt, 'AccessEncrypt');
      if (key.algorithm !== 'X448') throw new Error(`AccessEncrypt is ${key.algorithm}, not X448`);
      return key;
    } catch (e) {
      throw new MeshClientError('CLIENT_BAD_RESPONSE', `BindAccount: ${(e as Error).message}`, { cause: e });
    }
  }

  /** T6 Status, with this device's view of each store. */
  async status(): Promise<AccountStatus> {
    const response = await this.#status(this.deviceCredential());
    const heads = new Map(headsOfStatus(response).map((h) => [h.store, h.index]));
    const stores: { store: string; index: number; local: number; acknowledged: number }[] = [];
    for (const label of this.account.storeLabels) {
      const s = await this.#open(label);
      try {
        stores.push({ store: label, index: heads.get(label) ?? -1, local: s.frameCount, acknowledged: s.acknowledged });
      } finally {
        await s.close();
      }
    }
    return {
      account: this.account.address, serviceUdf: this.http.service!.udf, stores,
      ...(response.EnvelopedCatalogedDevice ? { catalogedDevice: response.EnvelopedCatalogedDevice } : {}),
    };
  }

  /**
   * Synchronises every store this device holds keys for with the service (protocol.md F5; see
   * store-sync.ts for one store): Status; download what the service holds that this device does
   * not (our edits rebased over it under the conflict rule); then one Transact with every
   * store's new frames — all accepted, or none. A Conflict (another device was faster) starts
   * another round; after `maxRounds`, `CLIENT_CONFLICT`.
   */
  sync(): Promise<SyncReport> {
    return this.#sync(this.deviceCredential());
  }

  /**
   * One Transact of the frames this device has not had acknowledged (each store's `outgoing()`),
   * without reading the service first: the fast path of a device that writes, and the second
   * half of a sync. `stores` are labels (opened and closed here) or stores the caller holds open
   * (left open). All accepted, or none: a store another device wrote to first is in `conflicts`
   * (`sync` then downloads, applies the conflict rule and uploads again). `messages` travel in
   * the same Transact (applied with the updates, or not at all).
   */
  async upload(stores: readonly (string | SyncedStore)[] = this.account.storeLabels, messages: TransactMessages = {}): Promise<UploadReport> {
    const opened: SyncedStore[] = [];
    try {
      const held: SyncedStore[] = [];
      for (const s of stores) {
        if (typeof s === 'string') {
          const o = await this.#open(s);
          opened.push(o);
          held.push(o);
        } else held.push(s);
      }
      const updates: ContainerUpdate[] = [];
      const order: { store: SyncedStore; frames: number }[] = [];
      for (const store of held) {
        const out = await store.outgoing();
        if (out.frames.length === 0) continue;
        updates.push({
          $class: 'ContainerUpdate', Container: out.container, Index: out.index, ...(out.digest ? { Digest: out.digest } : {}), Envelopes: out.frames.map(frameEnvelope),
        });
        order.push({ store, frames: out.frames.length });
      }
      const carried = {
        ...(messages.local?.length ? { Local: [...messages.local] } : {}), ...(messages.inbound?.length ? { Inbound: [...messages.inbound] } : {}),
        ...(messages.outbound?.length ? { Outbound: [...messages.outbound], Accounts: [...(messages.accounts ?? [])] } : {}),
      };
      if (updates.length === 0 && Object.keys(carried).length === 0) return { accepted: true, uploaded: 0, conflicts: [] };
      const answer = await this.http.request('Transact', {
        $class: 'TransactRequest', Account: this.account.address, ...(updates.length > 0 ? { Updates: updates } : {}), ...carried,
      }, this.deviceCredential());
      const entries = answer.Entries ?? [];
      if (entries.length === updates.length && entries.every((e) => e.Result === 'Accept')) {
        for (const [i, { store }] of order.entries()) {
          const last = entries.find((e) => e.IndexRequest === i)?.IndexContainer;
          if (last !== undefined && last + 1 <= store.frameCount) await store.acknowledge(Math.max(store.acknowledged, last + 1));
        }
        return { accepted: true, uploaded: order.reduce((n, o) => n + o.frames, 0), conflicts: [] };
      }
      const conflicts = entries.filter((e) => e.Result === 'Conflict').map((e) => order[e.IndexRequest ?? -1]?.store.label ?? '?');
      if (conflicts.length === 0) throw new MeshClientError('CLIENT_BAD_RESPONSE', 'Transact: the service neither accepted the updates nor reported a conflict');
      return { accepted: false, uploaded: 0, conflicts };
    } finally {
      for (const s of opened) await this.#release(s).catch(() => undefined);
    }
  }

  async #status(credential: ClientCredential): Promise<StatusResponse> {
    const response = await this.http.request('Status', {
      $class: 'StatusRequest', Account: this.account.address, ...(this.#deviceDigest ? { CatalogedDeviceDigest: this.#deviceDigest } : {}),
    }, credential);
    if (response.EnvelopedCatalogedDevice !== undefined) await adoptIssued(this.account, response.EnvelopedCatalogedDevice);
    if (response.CatalogedDeviceDigest !== undefined) this.#deviceDigest = response.CatalogedDeviceDigest;
    return response;
  }

  async #sync(credential: ClientCredential, only?: readonly string[]): Promise<SyncReport> {
    const reports = new Map<string, StoreReport>();
    let conflicts = 0;
    const rounds = this.#options.maxRounds ?? 8;
    for (let round = 0; round < rounds; round++) {
      const response = await this.#status(credential);
      // After the Status: a CatalogedDevice it handed over may grant other stores.
      const labels = only ?? this.account.storeLabels;
      const heads = new Map<string, ServiceHead>();
      for (const h of headsOfStatus(response)) heads.set(h.store, { count: h.index + 1, digest: h.digest });
      const stores = new Map<string, SyncedStore>();
      try {
        for (const label of labels) stores.set(label, await this.#open(label));
        const cursors = new Map<string, number>();
        const counts = new Map<string, number>();
        for (const [label, store] of stores) {
          const head = heads.get(label) ?? { count: 0, digest: undefined };
          counts.set(label, head.count);
          const from = await reconcile(store, head);
          if (from !== undefined) cursors.set(label, from);
        }
        if (cursors.size > 0) for (const [label, n] of await download(stores, cursors, (c) => this.#page(c, credential), reports)) counts.set(label, n);
        const updates: ContainerUpdate[] = [];
        const order: { label: string; frames: number }[] = [];
        for (const [label, store] of stores) {
          const u = await updateOf(store, counts.get(label) ?? 0);
          if (u === undefined) continue;
          updates.push(u.update);
          order.push({ label, frames: u.frames });
        }
        if (updates.length === 0) return summary(reports, conflicts);
        const answer = await this.http.request('Transact', { $class: 'TransactRequest', Account: this.account.address, Updates: updates }, credential);
        const entries = answer.Entries ?? [];
        if (entries.length === updates.length && entries.every((e) => e.Result === 'Accept')) {
          for (const [i, { label, frames }] of order.entries()) {
            const store = stores.get(label)!;
            const last = entries.find((e) => e.IndexRequest === i)?.IndexContainer;
            if (last !== undefined && last + 1 <= store.frameCount) await store.acknowledge(Math.max(store.acknowledged, last + 1));
            const report = reports.get(label) ?? newReport(label);
            reports.set(label, report);
            report.uploaded += frames;
          }
          return summary(reports, conflicts);
        }
        if (!entries.some((e) => e.Result === 'Conflict')) {
          throw new MeshClientError('CLIENT_BAD_RESPONSE', `Transact: the service neither accepted the updates nor reported a conflict (${entries.map((e) => e.Result).join(', ')})`);
        }
        conflicts++;
      } finally {
        for (const s of stores.values()) await this.#release(s).catch(() => undefined);
      }
    }
    throw new MeshClientError('CLIENT_CONFLICT', `other devices kept writing: ${conflicts} conflicts in ${rounds} rounds (sync again)`);
  }

  /** One Download page for each cursor. */
  async #page(cursors: readonly { store: string; from: number }[], credential: ClientCredential): Promise<DownloadedPage[]> {
    const response: DownloadResponse = await this.http.request('Download', {
      $class: 'DownloadRequest', Account: this.account.address,
      Select: cursors.map((c) => ({ Container: c.store, IndexMin: c.from })), ConstraintsPost: { MaxEntries: this.#options.pageSize ?? 256 },
    }, credential);
    return (response.Updates ?? []).map((u) => {
      if (typeof u.Container !== 'string' || typeof u.Index !== 'number') throw new MeshClientError('CLIENT_BAD_RESPONSE', 'Download: an update without Container or Index');
      let frames: Uint8Array[];
      try {
        frames = (u.Envelopes ?? []).map((e, i) => frameOfEnvelope(e, `${u.Container}[${i}]`));
      } catch (e) {
        throw new MeshClientError('CLIENT_BAD_RESPONSE', `Download: ${(e as Error).message}`, { store: u.Container, cause: e });
      }
      return { store: u.Container, frames, last: u.Index, digest: u.Digest };
    });
  }

  /**
   * Closes a store opened by {@link #open}; when the service acknowledged frames meanwhile, a
   * snapshot records it first, so that the next open knows them acknowledged (an upload from it
   * then starts where the service is).
   */
  async #release(store: SyncedStore): Promise<void> {
    try {
      if (store.acknowledged > (this.#openedAt.get(store) ?? Infinity)) await store.checkpoint();
    } finally {
      await store.close();
    }
  }

  /** Opens a store for the duration of a call, waiting a little for another process that holds it. */
  async #open(label: string): Promise<SyncedStore> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let wait = 25; ; wait = Math.min(wait * 2, 400)) {
      try {
        const store = await this.account.openStore(label, { create: false });
        this.#openedAt.set(store, store.acknowledged);
        return store;
      } catch (e) {
        if (!(e instanceof SequenceError && e.code === 'DARE_LOCKED')) throw e;
        if (Date.now() + wait > deadline) throw new MeshClientError('CLIENT_LOCKED', `${label} of ${this.account.address} is held by another process`, { store: label, cause: e });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * Follows the account over the push channel (protocol.md §2): each change the service
   * announces for a store this device holds keys for is downloaded by cursor and taken (as
   * `sync` takes it) and yielded with what happened. Reconnects, falls back to polling (Status);
   * a download the network or the service fails for a moment is tried again (watch-retry.ts);
   * an authentic refusal (a revoked device) ends the watch with that error.
   */
  watch(options: { signal?: AbortSignal; onStatus?: (status: PushWatchStatus) => void } = {}): ClientWatch {
    const credential = this.deviceCredential();
    const labels = new Set(this.account.storeLabels);
    const since = this.#localHeads();
    let push: ReturnType<typeof watchPush> | undefined;
    let closed = false;
    const start = async (): Promise<ReturnType<typeof watchPush>> => {
      push ??= watchPush({
        endpoint: this.http.endpoint,
        ticket: pushTicketSource(this.http, this.account.address, credential),
        poll: async () => headsOfStatus(await this.#status(credential)),
        since: await since,
        ...(this.#options.WebSocket !== undefined ? { WebSocket: this.#options.WebSocket } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onStatus ? { onStatus: options.onStatus } : {}),
      });
      if (closed) push.close();
      return push;
    };
    const take = async (store: string, index: number, digest: Uint8Array | undefined): Promise<WatchEvent> => {
      const s = await this.#open(store);
      const reports = new Map<string, StoreReport>();
      try {
        const from = await reconcile(s, { count: index + 1, digest });
        if (from !== undefined) await download(new Map([[store, s]]), new Map([[store, from]]), (c) => this.#page(c, credential), reports);
      } finally {
        await this.#release(s);
      }
      return { ...(reports.get(store) ?? newReport(store)), index };
    };
    const iterator: ClientWatch = {
      get status() {
        return push?.status ?? { socket: 'connecting', polling: false, failures: 0 };
      },
      close() {
        closed = true;
        push?.close();
      },
      async next(): Promise<IteratorResult<WatchEvent>> {
        const p = await start();
        for (;;) {
          const r = await p.next();
          if (r.done) return { done: true, value: undefined };
          if (!labels.has(r.value.store)) continue;
          // A host gone between the note and the download must not end the watch (watch-retry.ts).
          const taken = await retryTransient(() => take(r.value.store, r.value.index, r.value.digest), () => closed);
          return taken === undefined ? { done: true, value: undefined } : { done: false, value: taken };
        }
      },
      async return(): Promise<IteratorResult<WatchEvent>> {
        iterator.close();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** The heads this device holds (what a watch need not report). */
  async #localHeads(): Promise<{ store: string; index: number; digest?: Uint8Array }[]> {
    const out: { store: string; index: number; digest?: Uint8Array }[] = [];
    for (const label of this.account.storeLabels) {
      const s = await this.#open(label);
      try {
        if (s.frameCount > 0) out.push({ store: label, index: s.frameCount - 1, ...(s.head ? { digest: s.head } : {}) });
      } finally {
        await s.close();
      }
    }
    return out;
  }

  /**
   * T3 UnbindAccount (protocol.md F11): the service deletes the account and every store. Signed
   * as this device, which must be an administrator device (roles `super` or `admin`).
   */
  async unbind(): Promise<void> {
    await this.http.request('UnbindAccount', { $class: 'UnbindRequest', Account: this.account.address }, this.deviceCredential());
  }
}

function summary(reports: ReadonlyMap<string, StoreReport>, conflicts: number): SyncReport {
  const stores = [...reports.values()].filter((r) => r.downloaded + r.acknowledged + r.uploaded + r.rebuilt > 0 || r.warnings.length > 0);
  return {
    stores, conflicts, uploaded: stores.reduce((s, r) => s + r.uploaded, 0), downloaded: stores.reduce((s, r) => s + r.downloaded, 0),
  };
}

export type { ConflictWarning };
