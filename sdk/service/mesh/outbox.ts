import { sha512 } from '../../crypto/hashes.js';
import { parseEnvelope, serializeEnvelope, type DareEnvelope } from '../../dare/envelope.js';
import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { hexEncode } from '../../encoding/hex.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import type { ServiceStore } from '../store.js';

/**
 * The outbox of deliveries to other services (post.ts): each message a sending service has
 * still to post to another service is a record of its store — written before the first
 * attempt, removed once the other service answered (`Received` or `Refused` recorded in the
 * sender's MMM_Outbound) or the attempts ran out — so that a restart resumes what was under way
 * rather than dropping it. Several hosts of one store take each attempt by a lease (the store's
 * nonce table) and make it only while the record still counts that attempt next, so one host
 * makes it (a host that died holding a lease is relieved when the lease expires).
 *
 * A record holds the sender's and recipient's addresses and the message as its sender sealed it
 * (encrypted to its recipients): nothing the store does not hold already.
 */

/** Record-name prefix of the outbox. */
export const OUTBOX_PREFIX = 'mmm.outbox.';

/** A delivery waiting for another service. */
export interface PendingDelivery {
  readonly sender: string;
  readonly recipient: string;
  readonly envelope: DareEnvelope;
  /** Attempts made so far. */
  readonly attempt: number;
}

/** The record name of the delivery of message `messageId` to `recipient`. */
export function outboxName(recipient: string, messageId: string): string {
  return OUTBOX_PREFIX + hexEncode(sha512(utf8Encode(`${recipient}\n${messageId}`)).subarray(0, 20));
}

/** Writes (or rewrites, with its attempt count) a pending delivery; returns its record name. */
export async function saveDelivery(store: ServiceStore, messageId: string, d: PendingDelivery): Promise<string> {
  const name = outboxName(d.recipient, messageId);
  const value = { sender: d.sender, recipient: d.recipient, envelope: base64urlEncode(serializeEnvelope(d.envelope, 'json')), attempt: d.attempt };
  await store.putRecord(name, utf8Encode(JSON.stringify(value)));
  return name;
}

/** Removes a delivery (answered, or given up). */
export async function dropDelivery(store: ServiceStore, name: string): Promise<void> {
  await store.deleteRecord(name);
}

function parseDelivery(bytes: Uint8Array): PendingDelivery {
  const v = JSON.parse(utf8Decode(bytes)) as { sender: string; recipient: string; envelope: string; attempt: number };
  return { sender: v.sender, recipient: v.recipient, envelope: parseEnvelope(base64urlDecode(v.envelope)), attempt: Number(v.attempt) || 0 };
}

/** The attempts made so far at a pending delivery; undefined once it is out of the outbox. */
export async function deliveryAttempt(store: ServiceStore, name: string): Promise<number | undefined> {
  const bytes = await store.getRecord(name);
  if (bytes === undefined) return undefined;
  try {
    return parseDelivery(bytes).attempt;
  } catch {
    return undefined;
  }
}

/** Every pending delivery of the store (records that do not parse are skipped and removed). */
export async function pendingDeliveries(store: ServiceStore): Promise<{ name: string; delivery: PendingDelivery }[]> {
  const out: { name: string; delivery: PendingDelivery }[] = [];
  let after: string | undefined = OUTBOX_PREFIX;
  for (;;) {
    const names: string[] = await store.listRecords({ after, limit: 1000 });
    if (names.length === 0) return out;
    for (const name of names) {
      if (!name.startsWith(OUTBOX_PREFIX)) continue;
      const bytes = await store.getRecord(name);
      if (bytes === undefined) continue;
      try {
        out.push({ name, delivery: parseDelivery(bytes) });
      } catch {
        await store.deleteRecord(name);
      }
    }
    const last = names[names.length - 1]!;
    if (!last.startsWith(OUTBOX_PREFIX) && last > OUTBOX_PREFIX) return out;
    after = last;
  }
}

/** Takes attempt `attempt` of a delivery for `ms` (false: another host has it). */
export function leaseAttempt(store: ServiceStore, name: string, attempt: number, ms: number): Promise<boolean> {
  return store.claimNonce({ key: 'mmm/outbox', nonce: `${name}#${attempt}`, expires: Date.now() + ms });
}
