import type { ClientCredential, MeshHttpClient } from '../../protocol/client.js';
import type { PushHead } from '../../protocol/push.js';
import type { StatusResponse } from '../../mesh/schema/types.js';

/**
 * Glue between the push watcher and the wire client: the `ticket()` and `poll()` a
 * {@link watchPush} takes, made of signed transactions (protocol.md §2 PushTicket, T6 Status).
 */

/** `ticket()` for `watchPush`: a PushTicket request signed with the device's Connection credential. */
export function pushTicketSource(client: MeshHttpClient, account: string, credential: ClientCredential): () => Promise<string> {
  return async () => {
    const response = await client.request('PushTicket', { $class: 'PushTicketRequest', Account: account }, credential);
    if (typeof response.Ticket !== 'string' || response.Ticket.length === 0) {
      throw new TypeError('PushTicket: the response carries no ticket');
    }
    return response.Ticket;
  };
}

/** The heads of a Status response (protocol.md T6: ContainerStatus per store the device may read). */
export function headsOfStatus(response: StatusResponse): PushHead[] {
  const out: PushHead[] = [];
  for (const c of response.ContainerStatus ?? []) {
    if (typeof c.Container !== 'string' || typeof c.Index !== 'number') continue;
    out.push(c.Digest === undefined ? { store: c.Container, index: c.Index } : { store: c.Container, index: c.Index, digest: c.Digest });
  }
  return out;
}
