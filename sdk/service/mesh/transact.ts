import { SequenceError } from '../../dare/sequence/errors.js';
import { bytesEqual } from '../../encoding/bytes.js';
import { MeshError } from '../../mesh/errors.js';
import type { AnnouncedStoreKey } from '../../mesh/store-keys.js';
import { CATALOG, SPOOL } from '../../mesh/stores.js';
import type { EntryResponse, TransactRequest, TransactResponse } from '../../mesh/schema/types.js';
import { frameOfEnvelope } from '../../protocol/frames.js';
import type { RequestContext } from '../../protocol/service.js';
import { MeshProtocolError, refuse } from '../../protocol/status.js';
import { transactClaiming } from '../replay.js';
import { ServiceConflictError, ServiceStoreError } from '../store-errors.js';
import { canonicalAddress } from '../store-rules.js';
import type { AccountRecord, StoreUpdate } from '../store.js';
import { activeKeyids, announcedStoreKeys, ResolvedAccess, type AccountView } from './access.js';
import { accessGuard, authorize, type ServiceContext } from './context.js';
import { forbidden, invalid, refusalOf, unknownAccount } from './errors.js';
import { deliveryCompletion } from './delivery-state.js';
import { checkIngressUpload } from './ingress.js';
import { checkMessages, spoolFrames, type CheckedMessage } from './messages.js';
import { fileResponses } from './connect.js';
import { checkLabel } from './stores.js';
import { verifyFrames, type StoreState } from './store-states.js';

/**
 * T8 Transact (protocol.md §5, F5): a device appends frames to several of its account's stores,
 * and sends messages, in one atomic step.
 *
 * 0. Who may do what is decided on the account record and its MMM_Access catalog — on a warm
 *    host, from its cache without a store read (access.ts `cachedConnection`). The commit (step
 *    3) guards both (`TransactOptions.guards`: the record as read, MMM_Access at the index the
 *    grant was decided at), so a cache another host made stale — a device revoked or demoted,
 *    the account deleted, blocked or bound again — writes nothing: the store answers
 *    `SERVICE_STALE`, the host forgets its cache of the account, reads both and decides once
 *    more. So does a refusal or a Conflict that rests on the cache (no commit checks those).
 * 1. Every update is checked before anything is written: the store is one of the Mesh's and the
 *    key may write it (access.ts); the frames travel whole (protocol/frames.ts); the store holds
 *    `Index + 1` frames and its apex digest is `Digest` — else the update's entry is `Conflict`
 *    with the store's actual last index, and nothing of the transaction is applied; each frame
 *    verifies as the store's next frame (store-states.ts: index, TreePosition, digests, Merkle
 *    head, encryption policy). MMM_Access must stay readable by the service: the catalog with
 *    the upload appended is decoded with the host key (a device that made it unreadable, or
 *    broke its lifecycle, would lock every device out); so must MMM_Ingress (ingress.ts: a
 *    block the service cannot read would not hold).
 * 2. Messages (messages.ts) become spool frames built by the service on the states the updates
 *    leave, for the sender's own spools and each local recipient's MMM_Inbound; when every
 *    recipient is local, the sender's MMM_Outbound also records them `Received` (delivery-state.ts).
 *    Each is encrypted to its spool's current key (AccessControl.storeKey). An upload to
 *    MMM_Access that moves a spool's key (mesh/store-keys.ts: signed by the administrator, only
 *    forward) also spools the announcement there, so the spool's head moves with its key.
 * 3. One store transaction carries everything, with the expected next index of every store,
 *    the guards of step 0 and the request's nonce when the binding deferred it (replay.ts): all of it is durable, or
 *    none — a replay sent to another host fails here and changes nothing. A concurrent writer on one of the device's stores is a
 *    `Conflict` for the device; on a store only the service wrote to (a recipient's inbound), the
 *    service builds its frames again on the new state and retries.
 * 4. After the commit: the caches learn the new states; devices whose AccessCapability stopped
 *    being active lose their push sockets at once; remote recipients get their messages.
 *
 * Every refusal comes before step 3's commit, or is the store's own refusal of it: a refused
 * Transact changes nothing.
 */

/** Attempts when a store only the service writes to moved under it. */
const DELIVERY_ATTEMPTS = 5;

interface ClientUpdate {
  readonly position: number;
  readonly label: string;
  readonly expectedNext: number;
  readonly digest: Uint8Array | undefined;
  readonly frames: readonly Uint8Array[];
}

interface Planned extends StoreUpdate {
  readonly record: AccountRecord;
  readonly after: StoreState;
  /** Frames of the device's own update (acknowledged in its entry). */
  readonly clientFrames: number;
}

function parseUpdates(request: TransactRequest, stores: ReadonlySet<string>): ClientUpdate[] {
  const seen = new Set<string>();
  return (request.Updates ?? []).map((u, i) => {
    const label = checkLabel(u.Container, `Updates[${i}].Container`);
    if (seen.has(label)) throw invalid(`Updates[${i}]: ${label} is updated twice`);
    seen.add(label);
    if (!stores.has(label)) throw forbidden(`this device may not write ${label}`);
    const index = u.Index ?? -1;
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < -1) throw invalid(`Updates[${i}].Index is not the index of the store's last frame (or -1)`);
    const envelopes = u.Envelopes ?? [];
    if (envelopes.length === 0) throw invalid(`Updates[${i}] (${label}) carries no frames`);
    const frames = envelopes.map((e, k) => {
      try {
        return frameOfEnvelope(e, `Updates[${i}].Envelopes[${k}]`);
      } catch (err) {
        throw refusalOf(err);
      }
    });
    return { position: i, label, expectedNext: index + 1, digest: u.Digest, frames };
  });
}

function conflictResponse(updates: readonly ClientUpdate[], conflicts: ReadonlyMap<number, number>): TransactResponse {
  const entries: EntryResponse[] = updates.map((u) => {
    const actual = conflicts.get(u.position);
    return actual === undefined
      ? { $class: 'EntryResponse', IndexRequest: u.position, Result: 'Reject' }
      : { $class: 'EntryResponse', IndexRequest: u.position, IndexContainer: actual - 1, Result: 'Conflict' };
  });
  return { $class: 'TransactResponse', Entries: entries };
}

/**
 * A decision made on this host's cache must be made again on the store: a commit's guard failed
 * (`forget`: the cache is stale), or an answer the commit would not check rests on it.
 */
class StaleCache extends Error {
  constructor(readonly forget: boolean) {
    super('decided on a cache');
  }
}

/** T8 Transact (see the module notes). */
export async function transact(sc: ServiceContext, request: TransactRequest, rc: RequestContext): Promise<TransactResponse> {
  // Local messages admitted by the first attempt (ingress.ts claims each one's id): not again.
  const admitted = new Set<string>();
  try {
    return await transactAs(sc, request, rc, true, admitted);
  } catch (e) {
    // Decided on this host's cache (step 0), which another host made stale: forget it, read
    // the account and its Access catalog, and decide once more — as a Transact on a cold cache.
    const refused = e instanceof MeshProtocolError && e.status === 403;
    if (!(e instanceof StaleCache) && !(refused && cachedResolution(rc))) throw e;
    if ((!(e instanceof StaleCache) || e.forget) && rc.auth?.account !== undefined) sc.access.forget(canonicalAddress(rc.auth.account));
    return transactAs(sc, request, rc, false, admitted);
  }
}

/** Whether authentication answered this request from the host's cache. */
function cachedResolution(rc: RequestContext): boolean {
  return rc.auth?.resolved instanceof ResolvedAccess && rc.auth.resolved.cached;
}

async function transactAs(sc: ServiceContext, request: TransactRequest, rc: RequestContext, trustCache: boolean, admitted: Set<string>): Promise<TransactResponse> {
  const who = await authorize(sc, request.Account, rc, { trustCache });
  const view = who.view;
  const account = view.address;
  const updates = parseUpdates(request, who.stores);
  const own: [string, CheckedMessage[]][] = [
    [SPOOL.inbound, checkMessages(request.Inbound, 'Inbound')],
    [SPOOL.local, checkMessages(request.Local, 'Local', sc.limits.uploadBytes)],
    [SPOOL.outbound, checkMessages(request.Outbound, 'Outbound')],
  ];
  for (const [label, list] of own) if (list.length > 0 && !who.stores.has(label)) throw forbidden(`this device may not write ${label}`);
  const outbound = own[2]![1];
  const recipients = [...new Set((request.Accounts ?? []).map((a, i) => {
    try {
      return canonicalAddress(a);
    } catch {
      throw invalid(`Accounts[${i}] is not an account address`);
    }
  }))];
  if (recipients.length > 0 && outbound.length === 0) throw invalid('Accounts names recipients, but there is no Outbound message');
  if (updates.length === 0 && own.every(([, l]) => l.length === 0)) throw invalid('the transaction carries no update and no message');

  // Recipients: local accounts get the messages in this transaction; others go by deliverRemote.
  const local: AccountRecord[] = [];
  const remote: string[] = [];
  for (const r of recipients) {
    const record = r === account ? view.record : await sc.store.getAccount(r);
    if (record !== undefined) local.push(record);
    else if (sc.routing.isLocal?.(r) ?? true) throw unknownAccount(`no account ${r.slice(0, 100)} on this service`);
    else if (sc.routing.deliverRemote === undefined) throw unknownAccount(`${r.slice(0, 100)} is on another service, and this service delivers to no other`);
    else remote.push(r);
  }
  if (remote.length > 0) {
    for (const m of outbound) {
      try {
        await sc.routing.checkOutbound?.(account, m.envelope);
      } catch (e) {
        throw refusalOf(e);
      }
    }
  }
  for (const record of local) {
    for (const m of outbound) {
      const key = `${record.address}\u0000${m.messageId}`;
      if (admitted.has(key)) continue;
      try {
        await sc.routing.admit?.({ sender: account, recipient: record.address, envelope: m.envelope, messageId: m.messageId, messageType: m.messageType });
      } catch (e) {
        throw refusalOf(e);
      }
      admitted.add(key);
    }
  }

  // 0. What the decision rests on — the account record and MMM_Access at the index the grant was
  // decided on — is re-checked by the commit (its guard), so a host may decide on its cache. An
  // upload to MMM_Access is checked by its own expected index, which must then be that index.
  const accessUpdate = updates.find((u) => u.label === CATALOG.access);
  if (accessUpdate !== undefined && accessUpdate.expectedNext !== who.accessIndex) {
    if (who.cached) throw new StaleCache(true);
    return conflictResponse(updates, new Map([[accessUpdate.position, who.accessIndex]]));
  }
  const guards = [accessGuard(who, accessUpdate !== undefined)];

  for (let attempt = 0; attempt < DELIVERY_ATTEMPTS; attempt++) {
    // 1. The device's updates: conflicts first (nothing else matters then), then the frames.
    const conflicts = new Map<number, number>();
    const checked: { update: ClientUpdate; after: StoreState }[] = [];
    let revoked: string[] = [];
    // The sender's spool keys as its MMM_Access upload leaves them (a re-key and messages in one Transact).
    let ownKeys: ReadonlyMap<string, AnnouncedStoreKey> | undefined;
    let moved: readonly { store: string; message: CheckedMessage }[] = [];
    for (const u of updates) {
      // The commit (step 3) re-checks the expected index, so a cached state at that index needs no read.
      const current = await sc.states.expecting(view.record, u.label, u.expectedNext);
      const s = current.state;
      const sameDigest = u.digest === undefined || (s.head !== undefined && bytesEqual(u.digest, s.head));
      if (s.frameCount !== u.expectedNext || (u.expectedNext > 0 && !sameDigest)) {
        conflicts.set(u.position, s.frameCount);
        continue;
      }
      let after: StoreState;
      try {
        after = await verifyFrames(current, u.frames);
      } catch (e) {
        if (e instanceof SequenceError || e instanceof MeshError) throw invalid(`${u.label}: ${e.code}: ${e.message}`);
        throw refusalOf(e);
      }
      if (u.label === CATALOG.access) ({ revoked, storeKeys: ownKeys, moved } = await checkAccessUpload(sc, who.view, u.frames));
      if (u.label === CATALOG.ingress) {
        try {
          await checkIngressUpload(sc.store, sc.identity.accessKey, account, u.frames);
        } catch (e) {
          throw invalid(`${CATALOG.ingress} must stay readable by this service (encrypted also to its AccessEncrypt key, a catalog of ingress rules): ${(e as Error).message}`);
        }
      }
      checked.push({ update: u, after });
    }
    if (conflicts.size > 0) {
      // No commit checks this answer: a device answered from the cache (possibly revoked since) is checked on the store first.
      if (who.cached) throw new StaleCache(false);
      return conflictResponse(updates, conflicts);
    }

    // 2. The plan: the device's frames, then the service's message frames on top.
    const plan = new Map<string, Planned>();
    const keyOf = (a: string, label: string): string => `${a}\u0000${label}`;
    for (const { update, after } of checked) {
      plan.set(keyOf(account, update.label), {
        account, store: update.label, expectedNextIndex: update.expectedNext, frames: update.frames, digest: after.state.head!,
        record: view.record, after, clientFrames: update.frames.length,
      });
    }
    const append = async (record: AccountRecord, label: string, messages: readonly CheckedMessage[]): Promise<void> => {
      if (messages.length === 0) return;
      const key = keyOf(record.address, label);
      const prior = plan.get(key);
      const base = prior?.after ?? await sc.states.current(record, label);
      const current = record.address === account && ownKeys !== undefined ? ownKeys.get(label)?.key
        : await sc.access.spoolKey(record.address, label).catch((e: unknown) => { throw refusalOf(e); });
      const built = spoolFrames(base, label, messages, current);
      plan.set(key, {
        account: record.address, store: label, expectedNextIndex: prior?.expectedNextIndex ?? base.state.frameCount,
        frames: [...(prior?.frames ?? []), ...built.frames], digest: built.after.state.head!, record, after: built.after, clientFrames: prior?.clientFrames ?? 0,
      });
    };
    // A spool whose key moved takes the announcement (mesh/store-keys.ts): its head moves with its key.
    for (const m of moved) {
      if (plan.has(keyOf(account, m.store)) || (await sc.states.current(view.record, m.store)).state.frameCount > 0) await append(view.record, m.store, [m.message]);
    }
    // (Only lists with messages: an await per empty one was three idle promise round trips per Transact.)
    for (const [label, list] of own) if (list.length > 0) await append(view.record, label, list);
    for (const record of local) await append(record, SPOOL.inbound, outbound);
    // All recipients here: the messages are in their inboxes with this commit (delivery-state.ts).
    if (local.length > 0 && remote.length === 0) await append(view.record, SPOOL.outbound, [deliveryCompletion(outbound.map((m) => ({ messageId: m.messageId, relationship: 'Received' })))]);

    // 3. One atomic commit.
    try {
      // The request's nonce with it, when the binding deferred it here: one commit (replay.ts).
      await transactClaiming(sc.store, [...plan.values()].map(({ account: a, store, expectedNextIndex, frames, digest }) => ({ account: a, store, expectedNextIndex, frames, digest })), rc.nonce, guards);
    } catch (e) {
      if (e instanceof ServiceStoreError && e.code === 'SERVICE_STALE' && who.cached) throw new StaleCache(true);
      if (e instanceof ServiceConflictError) {
        const mine = e.account === account ? updates.find((u) => u.label === e.store) : undefined;
        if (mine !== undefined) return conflictResponse(updates, new Map([[mine.position, e.actual]]));
        continue; // a store only the service wrote to moved: build its frames again
      }
      throw refusalOf(e);
    }

    // 4. After the commit.
    for (const p of plan.values()) sc.states.set(p.record, p.store, p.after);
    if (accessUpdate !== undefined) sc.access.forgetCatalog(account);
    if (revoked.length > 0) sc.notify.revoked(account, revoked);
    // Connection answers and publications for Complete and Claim (connect.ts, claims.ts); the commit stands whatever happens here.
    if (own[1]![1].length > 0) await fileResponses(sc, account, who.grant?.roles, own[1]![1]).catch((e: unknown) => sc.onError(e));
    if (remote.length > 0 && outbound.length > 0) {
      sc.routing.deliverRemote!(account, remote, outbound.map((m) => m.envelope)).catch((err: unknown) => sc.onError(err));
    }
    const entries: EntryResponse[] = updates.map((u) => ({
      $class: 'EntryResponse', IndexRequest: u.position, IndexContainer: u.expectedNext + u.frames.length - 1, Result: 'Accept',
    }));
    return { $class: 'TransactResponse', Entries: entries };
  }
  throw refuse('ServerOverload', { name: 'MeshOperationFailed', detail: 'recipients\' spools kept changing: try again' });
}

/**
 * An upload to MMM_Access must leave a catalog the service can read (see the module notes) and
 * spool keys that only move forward: each announced key signed by the AdministratorSignature
 * (mesh/store-keys.ts), never withdrawn, never replaced by an older or equal generation — else
 * the service would write to a key a revoked device holds. Returns the keys whose active
 * AccessCapability it ends (revoked devices) and the spool keys after it.
 */
async function checkAccessUpload(sc: ServiceContext, view: AccountView, frames: readonly Uint8Array[]): Promise<{
  revoked: string[]; storeKeys: ReadonlyMap<string, AnnouncedStoreKey>; moved: { store: string; message: CheckedMessage }[];
}> {
  const before = await sc.access.entries(view);
  let after;
  let storeKeys;
  try {
    after = await sc.access.decode([...(await sc.access.frames(view)), ...frames]);
    storeKeys = announcedStoreKeys(after, view);
  } catch (e) {
    throw invalid(`${CATALOG.access} must stay readable by this service (encrypted also to its AccessEncrypt key, a valid catalog, spool keys signed by the administrator): ${(e as Error).message}`);
  }
  const was = announcedStoreKeys(before, view);
  for (const [store, old] of was) {
    const now = storeKeys.get(store);
    if (now === undefined) throw invalid(`${CATALOG.access}: the announced key of ${store} cannot be withdrawn`);
    if (now.generation < old.generation || (now.generation === old.generation && !bytesEqual(now.key.publicKey, old.key.publicKey))) {
      throw invalid(`${CATALOG.access}: the key of ${store} goes from generation ${old.generation} to ${now.generation}: it only moves forward`);
    }
  }
  const moved = [...storeKeys.values()].filter((k) => k.generation !== was.get(k.store)?.generation)
    .map((k) => ({ store: k.store, message: checkMessages([k.envelope], `${CATALOG.access} StoreKey of ${k.store}`)[0]! }));
  const still = activeKeyids(after);
  return { revoked: [...activeKeyids(before)].filter((k) => !still.has(k)), storeKeys, moved };
}
