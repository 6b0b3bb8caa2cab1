import { base64urlDecode, base64urlEncode } from '../encoding/base64url.js';
import { serviceUrl } from './discovery.js';
import { MESH_WELL_KNOWN_PATH } from './transactions.js';

/**
 * The WebSocket push channel of the binding (protocol.md §2, "WebSocket push on the same port"):
 * its path, its ticket parameter, its close codes and its messages — what the service
 * (`sdk/service/push`) writes and the client (`sdk/client/push`) reads.
 *
 * Notifications are hints; the stores are the truth. A message says "store S is now at index
 * I with apex digest D"; the client fetches what it lacks by cursor (T7 Download) and checks it
 * as it checks any download. A forged or lost hint costs a needless or a later Download, never
 * a wrong state.
 *
 * ## Message format
 *
 * The service sends WebSocket text messages; each holds one or more **JSON lines** (objects
 * separated by `\n`, no trailing comma, UTF-8), each with a `type`:
 *
 * | line | when |
 * | --- | --- |
 * | `{"type":"heads","heads":[{"store":"MMM_Access","index":3,"digest":"…"},…]}` | first, once, when the socket opens: every store the device may read that has frames |
 * | `{"type":"change","store":"MMM_Inbound","index":7,"digest":"…"}` | after a commit to a store the device may read; newest only per store when the socket is slow |
 * | `{"type":"resync"}` | the socket fell behind: its pending notifications were dropped; re-read every head (T6 Status) |
 * | `{"type":"keepalive"}` | now and then, so that a client sees a live channel (browsers cannot see pings) |
 *
 * `index` is the index of the store's last frame — protocol.md §3 ContainerStatus.Index, so a
 * store of n frames is at n − 1 and a client that holds k frames downloads from IndexMin = k.
 * `digest` is the apex digest the last writer declared (ContainerStatus.Digest, base64url),
 * absent when none was. A client ignores a line whose `type` it does not know (later versions
 * may add some) and sends nothing: the service closes a socket that sends a message.
 */

/** Path of the push socket (protocol.md §2). */
export const MESH_PUSH_PATH = `${MESH_WELL_KNOWN_PATH}push`;

/** Query parameter carrying the ticket (protocol.md §2: `?ticket=`). */
export const PUSH_TICKET_PARAMETER = 'ticket';

/** Lifetime of a ticket (protocol.md §2: tickets expire after 30 s). */
export const PUSH_TICKET_LIFETIME_MS = 30_000;

/**
 * Close codes the service uses (RFC 6455 §7.4; 4000–4999 are the application's): a client
 * reconnects after any of them, with a fresh ticket — which a revoked device will not get.
 */
export const PUSH_CLOSE = {
  /** The service is shutting down (RFC 6455 1001). */
  goingAway: 1001,
  /** The client sent a message: the channel is one-way (RFC 6455 1008). */
  policy: 1008,
  /** The service failed to serve the socket (RFC 6455 1011). */
  internal: 1011,
  /** The device's access was revoked, or its account deleted. */
  revoked: 4403,
  /** A newer socket of the same device replaced this one (a device holds a bounded number). */
  superseded: 4409,
} as const;

/** Largest message a client accepts from the service (a heads line of every store fits many times over). */
export const PUSH_MAX_MESSAGE_BYTES = 64 * 1024;

/** A store's head as the push channel names it. */
export interface PushHead {
  /** Store label (`MMM_Inbound`, …: letters, digits, `_`). */
  readonly store: string;
  /** Index of the store's last frame (protocol.md §3 ContainerStatus.Index): frame count − 1. */
  readonly index: number;
  /** Apex digest the last writer declared (ContainerStatus.Digest), if any. */
  readonly digest?: Uint8Array;
}

/** One line of the push channel (see the module comment). */
export type PushMessage =
  | { readonly type: 'heads'; readonly heads: readonly PushHead[] }
  | ({ readonly type: 'change' } & PushHead)
  | { readonly type: 'resync' }
  | { readonly type: 'keepalive' };

/** Codes of {@link PushError}. */
export type PushErrorCode =
  | 'PUSH_BAD_ARGUMENT' // the caller passed something unusable
  | 'PUSH_BAD_MESSAGE' // a push message that is not the format of protocol.md §2 (client side)
  | 'PUSH_TICKET_MALFORMED' // not a ticket this service could have issued (length, encoding, version)
  | 'PUSH_TICKET_FORGED' // its authentication tag does not verify: not issued by this service
  | 'PUSH_TICKET_EXPIRED' // past its 30 s
  | 'PUSH_TICKET_REUSED' // already opened a socket: tickets are single-use
  | 'PUSH_NO_ACCESS' // the device may read nothing of the account (unknown, revoked)
  | 'PUSH_CLOSED'; // the push service or watch is closed

/** Error of the push channel, with a stable `code`; its message never carries a ticket or a key. */
export class PushError extends Error {
  readonly code: PushErrorCode;
  constructor(code: PushErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PushError';
    this.code = code;
  }
}

const STORE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

function headValue(head: PushHead): Record<string, unknown> {
  return head.digest === undefined ? { store: head.store, index: head.index } : { store: head.store, index: head.index, digest: base64urlEncode(head.digest) };
}

/** One line (no `\n`) of a push message. */
export function encodePushMessage(message: PushMessage): string {
  switch (message.type) {
    case 'heads':
      return JSON.stringify({ type: 'heads', heads: message.heads.map(headValue) });
    case 'change':
      return JSON.stringify({ type: 'change', ...headValue(message) });
    case 'resync':
    case 'keepalive':
      return JSON.stringify({ type: message.type });
  }
}

function bad(detail: string): never {
  throw new PushError('PUSH_BAD_MESSAGE', `push message: ${detail}`);
}

function readHead(value: unknown, where: string): PushHead {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`${where} is not an object`);
  const { store, index, digest } = value as Record<string, unknown>;
  if (typeof store !== 'string' || !STORE.test(store)) bad(`${where}.store is not a store label`);
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) bad(`${where}.index is not a frame index`);
  if (digest === undefined) return { store, index };
  if (typeof digest !== 'string' || digest.length > 256) bad(`${where}.digest is not base64url`);
  let bytes: Uint8Array;
  try {
    bytes = base64urlDecode(digest);
  } catch {
    return bad(`${where}.digest is not base64url`);
  }
  return { store, index, digest: bytes };
}

/**
 * The messages of one WebSocket text message: its JSON lines, in order. Lines of an unknown
 * `type` are skipped (forward compatibility); anything else malformed throws
 * `PUSH_BAD_MESSAGE` (the client then drops the socket and reconnects).
 */
export function decodePushMessages(text: string): PushMessage[] {
  if (typeof text !== 'string') bad('not a text message');
  if (text.length > PUSH_MAX_MESSAGE_BYTES) bad(`longer than ${PUSH_MAX_MESSAGE_BYTES} characters`);
  const out: PushMessage[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad('a line is not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('a line is not a JSON object');
    const type = (value as { type?: unknown }).type;
    if (type === 'heads') {
      const heads = (value as { heads?: unknown }).heads;
      if (!Array.isArray(heads)) bad('heads.heads is not a list');
      out.push({ type, heads: heads.map((h, i) => readHead(h, `heads[${i}]`)) });
    } else if (type === 'change') {
      out.push({ type, ...readHead(value, 'change') });
    } else if (type === 'resync' || type === 'keepalive') {
      out.push({ type });
    } else if (typeof type !== 'string') {
      bad('a line has no type');
    }
  }
  return out;
}

/**
 * The socket URL for `ticket` at the service whose transaction endpoint is `endpoint`
 * (`https://host/.well-known/mmm/` → `wss://host/.well-known/mmm/push?ticket=…`; `http` → `ws`).
 */
export function pushUrl(endpoint: string, ticket: string): string {
  let url: URL;
  try {
    url = new URL('push', serviceUrl(endpoint));
  } catch (e) {
    throw new PushError('PUSH_BAD_ARGUMENT', `not a service endpoint: ${(e as Error).message}`, { cause: e });
  }
  url.protocol = url.protocol === 'https:' ? 'wss:' : url.protocol === 'http:' ? 'ws:' : url.protocol;
  url.searchParams.set(PUSH_TICKET_PARAMETER, ticket);
  return url.href;
}
