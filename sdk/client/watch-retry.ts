import { ProtocolError } from '../protocol/errors.js';
import { MeshProtocolError } from '../protocol/status.js';
import { Backoff } from './push/backoff.js';
import { isFinalPushFailure } from './push/watch.js';

/**
 * Taking a change a watch announced (downloading it) can meet a service that is gone for a
 * moment: the host that sent the note died before the download (its successor behind the
 * same address answers the next attempt), the database behind every host is restarting
 * (protocol.md §2: the client reconnects and goes on; §4: 408, 429, 500 and 503 are worth
 * retrying). Such a failure must not end the watch, or a device that follows a service of
 * several hosts would stop following at the first host that fails. Anything else — an
 * authentic refusal, a response that is not the service's, a frame that does not verify — still
 * ends it.
 */

/** Whether `error` is the network or the service failing for a moment (see the module notes). */
export function isTransientFailure(error: unknown): boolean {
  // The statuses a retry may cure are the push watcher's (protocol.md §4).
  if (error instanceof MeshProtocolError) return !isFinalPushFailure(error);
  return error instanceof ProtocolError && error.code === 'PROTOCOL_UNREACHABLE';
}

/**
 * Runs `attempt` until it succeeds, retrying transient failures with jittered backoff (250 ms
 * → 5 s); any other failure is thrown. Resolves `undefined` once `closed()` (checked at least
 * every 100 ms while waiting).
 */
export async function retryTransient<T>(attempt: () => Promise<T>, closed: () => boolean, backoff = new Backoff({ initialMs: 250, maxMs: 5_000 })): Promise<T | undefined> {
  for (;;) {
    if (closed()) return undefined;
    try {
      return await attempt();
    } catch (e) {
      if (!isTransientFailure(e)) throw e;
    }
    for (let wait = backoff.next(); wait > 0 && !closed(); wait -= 100) await new Promise((r) => setTimeout(r, Math.min(100, wait)));
  }
}
