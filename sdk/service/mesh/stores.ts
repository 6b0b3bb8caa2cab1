import { isStoreLabel } from '../../mesh/stores.js';
import type {
  ContainerStatus, ContainerUpdate, DownloadRequest, DownloadResponse, StatusRequest, StatusResponse,
} from '../../mesh/schema/types.js';
import { frameEnvelope } from '../../protocol/frames.js';
import type { RequestContext } from '../../protocol/service.js';
import { authorize, type ServiceContext } from './context.js';
import { forbidden, invalid, refusalOf } from './errors.js';
import { devicesSeen, noteSeen } from './device-seen.js';
import { hostAssignment } from './identity.js';

/**
 * The reading transactions of the Mesh service: T6 Status and T7 Download (protocol.md §5, F5).
 * A device sees exactly the stores its grant names (access.ts); a store it may not read is
 * absent from Status and refused by Download (403).
 */

/** A store label a request names: one of mesh-model.md §8.1 / §9 (400 otherwise). */
export function checkLabel(label: unknown, where: string): string {
  if (typeof label !== 'string' || !isStoreLabel(label)) throw invalid(`${where}: ${JSON.stringify(String(label)).slice(0, 80)} is not a store of the Mesh (MMM_Contact, MMM_Inbound, …)`);
  return label;
}

function isIndex(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

/**
 * T6 Status: for each store the key may read that has frames, its last index and apex digest
 * (ContainerStatus; `Catalogs` / `Spools` narrow the list); the account profile; the
 * AccountHostAssignment; and — when the device's CatalogedDevice digest differs from the one
 * sent — its current CatalogedDevice (the administrator-signed one of its AccessCapability); for
 * an administrator device that sets `Seen`, each device's last sync (device-seen.ts).
 */
export async function status(sc: ServiceContext, request: StatusRequest, rc: RequestContext): Promise<StatusResponse> {
  const who = await authorize(sc, request.Account, rc);
  await noteSeen(sc, who);
  const wanted = [...(request.Catalogs ?? []), ...(request.Spools ?? [])].map((l, i) => checkLabel(l, `Catalogs/Spools[${i}]`));
  const only = wanted.length > 0 ? new Set(wanted) : undefined;
  let heads;
  try {
    heads = await sc.store.heads(who.view.address);
  } catch (e) {
    throw refusalOf(e);
  }
  const containers: ContainerStatus[] = [];
  for (const h of heads) {
    if (!who.stores.has(h.store) || (only !== undefined && !only.has(h.store)) || h.nextIndex < 1) continue;
    containers.push({ $class: 'ContainerStatus', Container: h.store, Index: h.nextIndex - 1, ...(h.digest ? { Digest: h.digest } : {}) });
  }
  const grant = who.grant;
  const device = grant !== undefined && request.CatalogedDeviceDigest !== grant.digest
    ? { EnvelopedCatalogedDevice: grant.catalogedDevice, ...(grant.digest ? { CatalogedDeviceDigest: grant.digest } : {}) }
    : {};
  const administrator = who.grant !== undefined && who.grant.roles.some((r) => r === 'super' || r === 'admin');
  const seen = request.Seen === true && administrator ? { DevicesSeen: await devicesSeen(sc, who) } : {};
  return {
    $class: 'StatusResponse', ContainerStatus: containers, EnvelopedProfileAccount: who.view.envelope,
    EnvelopedAccountHostAssignment: hostAssignment(sc.identity, who.view.address), ...device, ...seen,
  };
}

/**
 * T7 Download, by cursor: for each `Select` (one store each: `Container`, `IndexMin` ≥ 0,
 * optionally `IndexMax`), the frames from `IndexMin` on, byte for byte as uploaded, at most
 * `ConstraintsPost.MaxEntries` per store (capped by the service's page) and, over all stores,
 * about `ConstraintsPost.BytesMax` (one frame always fits). Each ContainerUpdate's `Index` and
 * `Digest` are the store's last index and apex digest when read (FinalIndex): a client that got
 * fewer frames (Partial) asks again from the next index. `IndexMin` past the store's end is 400.
 */
export async function download(sc: ServiceContext, request: DownloadRequest, rc: RequestContext): Promise<DownloadResponse> {
  const who = await authorize(sc, request.Account, rc);
  await noteSeen(sc, who);
  const selects = request.Select ?? [];
  if (selects.length === 0) throw invalid('Download selects no store (Select[])');
  if (selects.length > 64) throw invalid('Download selects more than 64 stores');
  const post = request.ConstraintsPost;
  if (post?.MaxEntries !== undefined && !isIndex(post.MaxEntries, 1)) throw invalid('ConstraintsPost.MaxEntries is not a positive integer');
  if (post?.BytesMax !== undefined && !isIndex(post.BytesMax, 1)) throw invalid('ConstraintsPost.BytesMax is not a positive integer');
  const maxEntries = Math.min(post?.MaxEntries ?? sc.limits.pageEntries, sc.limits.pageEntries);
  let budget = Math.min(post?.BytesMax ?? sc.limits.pageBytes, sc.limits.pageBytes);
  const seen = new Set<string>();
  const plan = selects.map((s, i) => {
    const label = checkLabel(s.Container, `Select[${i}].Container`);
    if (seen.has(label)) throw invalid(`Select[${i}]: ${label} is selected twice`);
    seen.add(label);
    if (!who.stores.has(label)) throw forbidden(`this device may not read ${label}`);
    const from = s.IndexMin ?? 0;
    if (!isIndex(from, 0)) throw invalid(`Select[${i}].IndexMin is not an index`);
    if (s.IndexMax !== undefined && !isIndex(s.IndexMax, from)) throw invalid(`Select[${i}].IndexMax is below IndexMin`);
    return { label, from, last: s.IndexMax };
  });
  const updates: ContainerUpdate[] = [];
  for (const { label, from, last } of plan) {
    try {
      const head = await sc.store.head(who.view.address, label);
      if (from > head.nextIndex) throw invalid(`${label}: IndexMin ${from} is past the store's end (it holds ${head.nextIndex} frames)`);
      const end = Math.min(head.nextIndex, last === undefined ? head.nextIndex : last + 1);
      let frames: Uint8Array[] = [];
      let at = head;
      if (from < end && budget > 0) {
        const page = await sc.store.read(who.view.address, label, from, { maxEntries: Math.min(maxEntries, end - from), maxBytes: budget });
        frames = page.frames;
        at = page.head;
        for (const f of frames) budget -= f.length;
      }
      updates.push({
        $class: 'ContainerUpdate', Container: label, Index: at.nextIndex - 1, ...(at.digest ? { Digest: at.digest } : {}),
        Envelopes: frames.map(frameEnvelope),
      });
    } catch (e) {
      throw refusalOf(e);
    }
  }
  return { $class: 'DownloadResponse', Updates: updates };
}
