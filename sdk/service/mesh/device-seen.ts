import { sha256 } from '../../crypto/hashes.js';
import { hexEncode } from '../../encoding/hex.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import type { DeviceSeen } from '../../mesh/schema/types.js';
import type { ServiceStore } from '../store.js';
import { activeKeyids } from './access.js';
import type { Authorized, ServiceContext } from './context.js';

/**
 * When each device last synchronised (`device list`, features.md §C; this binding): the service
 * notes a connected device's Status and Download in a small record per device, and hands the
 * account's notes to an administrator device that asks (StatusRequest.Seen). A note is written at
 * most once a minute per device and host ({@link SEEN_RESOLUTION_MS}): a sync is a read, and
 * should not cost a write each time. The records name their account inside, so an unbind deletes
 * them (account-records.ts).
 */

/** How stale a note may get before a sync writes it again. */
export const SEEN_RESOLUTION_MS = 60_000;

/** Record-name prefix of the notes. */
export const SEEN_PREFIX = 'mmm.seen.';

interface SeenRecord {
  readonly account: string;
  readonly keyid: string;
  readonly deviceUdf?: string;
  readonly seen: number;
}

const written = new WeakMap<ServiceStore, Map<string, number>>();
const MAX_NOTES = 100_000;

function seenName(account: string, keyid: string): string {
  return SEEN_PREFIX + hexEncode(sha256(utf8Encode(`${account}\n${keyid}`))).slice(0, 48);
}

/** Notes that the device `who` synchronised now (Connection mode only; a failure is reported, never the client's). */
export async function noteSeen(sc: ServiceContext, who: Authorized): Promise<void> {
  if (who.grant === undefined) return;
  const name = seenName(who.view.address, who.grant.keyid);
  let notes = written.get(sc.store);
  if (notes === undefined) written.set(sc.store, notes = new Map());
  const now = Date.now();
  if (now - (notes.get(name) ?? 0) < SEEN_RESOLUTION_MS) return;
  if (notes.size >= MAX_NOTES) notes.clear();
  notes.set(name, now);
  const record: SeenRecord = { account: who.view.address, keyid: who.grant.keyid, ...(who.grant.deviceUdf ? { deviceUdf: who.grant.deviceUdf } : {}), seen: now };
  await sc.store.putRecord(name, utf8Encode(JSON.stringify(record))).catch((e: unknown) => sc.onError(e));
}

/** The last sync of each device with an active AccessCapability of the account (what an administrator asked for). */
export async function devicesSeen(sc: ServiceContext, who: Authorized): Promise<DeviceSeen[]> {
  const out: DeviceSeen[] = [];
  for (const keyid of activeKeyids(await sc.access.entries(who.view))) {
    const bytes = await sc.store.getRecord(seenName(who.view.address, keyid));
    if (bytes === undefined) continue;
    try {
      const r = JSON.parse(utf8Decode(bytes)) as SeenRecord;
      if (r.account !== who.view.address || r.keyid !== keyid || typeof r.seen !== 'number') continue;
      out.push({ $class: 'DeviceSeen', Id: keyid, ...(r.deviceUdf ? { DeviceUdf: r.deviceUdf } : {}), Seen: new Date(Math.floor(r.seen / 1000) * 1000) });
    } catch {
      // a damaged note: no time for that device
    }
  }
  return out;
}
