import type { ServiceEvent } from '../../sdk/service/store.js';

/**
 * The payload of the PostgreSQL store's one `NOTIFY` per transaction: which stores changed, so
 * that every other host tells its watchers (store.ts `watch`). A hint, not data: the heads in
 * the tables are the truth, and a receiver that cannot read a payload publishes `resync`.
 *
 * JSON, short keys: `{"h": host, "c": [[account, store, nextIndex, digest?], …]}` for a
 * transaction (digest in base64url, only when the whole payload fits with it), `{"h": host,
 * "d": account}` for a deletion, `{"h": host, "r": 1}` for a change too large to describe
 * (receivers resync). `h` names the host that committed it, which ignores its own notes (it
 * published them to its watchers at commit).
 *
 * PostgreSQL refuses payloads of 8,000 bytes or more (NOTIFY, PostgreSQL manual); the limit
 * here leaves room.
 */
export const MAX_PAYLOAD_BYTES = 7900;

/** A note as sent. */
export function encodeNote(host: string, events: readonly ServiceEvent[]): string {
  const deleted = events.length === 1 && events[0]!.type === 'deleted' ? events[0] : undefined;
  if (deleted?.type === 'deleted') return fitOrResync(host, JSON.stringify({ h: host, d: deleted.account }));
  const changes = events.filter((e): e is Extract<ServiceEvent, { type: 'change' }> => e.type === 'change');
  const withDigests = JSON.stringify({ h: host, c: changes.map((e) => (e.digest ? [e.account, e.store, e.nextIndex, Buffer.from(e.digest).toString('base64url')] : [e.account, e.store, e.nextIndex])) });
  if (Buffer.byteLength(withDigests) <= MAX_PAYLOAD_BYTES) return withDigests;
  return fitOrResync(host, JSON.stringify({ h: host, c: changes.map((e) => [e.account, e.store, e.nextIndex]) }));
}

function fitOrResync(host: string, payload: string): string {
  return Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES ? payload : JSON.stringify({ h: host, r: 1 });
}

/** A note as received: its host and events; a payload that is not a note reads as `resync`. */
export function decodeNote(payload: string | undefined): { host: string | undefined; events: ServiceEvent[] } {
  const resync = { host: undefined, events: [{ type: 'resync' } as const] };
  let note: unknown;
  try {
    note = JSON.parse(payload ?? '');
  } catch {
    return resync;
  }
  if (typeof note !== 'object' || note === null) return resync;
  const { h, c, d } = note as { h?: unknown; c?: unknown; d?: unknown };
  const host = typeof h === 'string' ? h : undefined;
  if (typeof d === 'string') return { host, events: [{ type: 'deleted', account: d }] };
  if (!Array.isArray(c)) return { ...resync, host };
  const events: ServiceEvent[] = [];
  for (const item of c as unknown[]) {
    if (!Array.isArray(item)) return { ...resync, host };
    const [account, store, nextIndex, digest] = item as unknown[];
    if (typeof account !== 'string' || typeof store !== 'string' || !Number.isSafeInteger(nextIndex)) return { ...resync, host };
    events.push(typeof digest === 'string'
      ? { type: 'change', account, store, nextIndex: nextIndex as number, digest: new Uint8Array(Buffer.from(digest, 'base64url')) }
      : { type: 'change', account, store, nextIndex: nextIndex as number });
  }
  return { host, events };
}
