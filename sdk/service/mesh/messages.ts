import type { DareEnvelope } from '../../dare/envelope.js';
import { serializeEnvelope } from '../../dare/envelope.js';
import type { DarePublicKey } from '../../dare/keys.js';
import { SequenceReplica } from '../../dare/sequence/replica.js';
import { spoolFrameOf } from '../../mesh/spool/spool.js';
import { MESSAGE_LIMIT } from '../../protocol/transactions.js';
import { refuse } from '../../protocol/status.js';
import { invalid } from './errors.js';
import type { StoreState } from './store-states.js';

/**
 * Messages of a Transact (protocol.md T8: `Inbound[]`, `Local[]`, `Outbound[]` with
 * `Accounts[]`): the service appends each to a spool as a frame it builds itself — payload = the
 * message's DARE envelope exactly as its sender sealed it, ContentMeta its MessageId and type,
 * encrypted to the spool's key — from the spool's frame 0, or the one an administrator announced
 * after re-keying it (mesh/store-keys.ts) — (mesh-model.md §9; spools take the service's
 * unauthored deliveries) — in the same atomic store transaction as the device's
 * frames:
 *
 * - `Inbound[]` → the sender account's MMM_Inbound, `Local[]` → its MMM_Local (completions,
 *   RespondConnection, PINs: what a device could also upload as frames);
 * - `Outbound[]` → the sender's MMM_Outbound, and to every account of `Accounts[]`: a local
 *   account's MMM_Inbound (after {@link MessageRouting.admit}, the ingress control of
 *   protocol.md T9), a remote one through {@link MessageRouting.deliverRemote} after the commit.
 *
 * {@link MessageRouting} is the extension point for delivery between services (protocol.md T9
 * Post, features.md §E): which addresses are local, who may write to whom, how a message
 * leaves. Without `deliverRemote`, a remote recipient is refused (404 MeshUnknownAccount) and
 * nothing is applied.
 */

/** One message on its way to a local recipient. */
export interface Delivery {
  /** Canonical address of the sending account. */
  readonly sender: string;
  /** Canonical address of the recipient account. */
  readonly recipient: string;
  /** The message as its sender sealed it. */
  readonly envelope: DareEnvelope;
  readonly messageId: string;
  readonly messageType: string;
}

/** Where messages go (see the module notes). */
export interface MessageRouting {
  /** True when `address` (canonical) belongs to this service. Default: every address. */
  isLocal?(address: string): boolean;
  /**
   * Ingress control at a local recipient: resolve to admit, throw a `refuse(…)` to refuse (the
   * whole transaction is then refused, nothing applied). Default: admit.
   */
  admit?(delivery: Delivery): Promise<void> | void;
  /**
   * Delivers to recipients on other services (T9 Post), called after the sender's transaction
   * committed (its Outbound frames are durable); its failures are reported, not returned to the
   * sender, whose transaction stands. Record the outcome as Outbound completions
   * (`Sent`/`Received`/`Refused`, mesh-model.md §9.3).
   */
  deliverRemote?(sender: string, recipients: readonly string[], messages: readonly DareEnvelope[]): Promise<void>;
  /**
   * Checks an Outbound message bound for another service before the sender's transaction
   * commits (post.ts: signed by the sending account); throw a `refuse(…)` to refuse it all.
   */
  checkOutbound?(sender: string, envelope: DareEnvelope): Promise<void> | void;
}

/** A message checked for delivery: its envelope and the frame content a spool takes. */
export interface CheckedMessage {
  readonly envelope: DareEnvelope;
  readonly messageId: string;
  readonly messageType: string;
}

/**
 * Checks the messages of one list of a TransactRequest (size, MessageId, type). `limit`: the
 * largest message (default MESSAGE_LIMIT, what one account may send another; a device's own
 * MMM_Local takes larger ones — a RespondConnection carrying an administrator's activation —
 * bounded by the upload limit).
 */
export function checkMessages(list: readonly DareEnvelope[] | undefined, what: string, limit = MESSAGE_LIMIT): CheckedMessage[] {
  return (list ?? []).map((envelope, i) => {
    const size = serializeEnvelope(envelope, 'json').length;
    if (size > limit) {
      throw refuse('BadRequest', { extended: 'TooLarge', name: 'MeshRequestSize', detail: `${what}[${i}]: a ${size}-byte message exceeds ${limit} bytes` });
    }
    try {
      const { messageId, messageType } = spoolFrameOf(envelope);
      return { envelope, messageId, messageType };
    } catch (e) {
      throw invalid(`${what}[${i}]: ${(e as Error).message}`);
    }
  });
}

/**
 * Builds the spool frames that append `messages` to a store in state `at` (frame 0 must be
 * there: its policy names the spool's first key) and returns them with the state after them.
 * `current`: the spool's key since it was re-keyed (AccessControl.storeKey, mesh/store-keys.ts),
 * which the frames are then encrypted to instead of the first.
 */
export function spoolFrames(at: StoreState, label: string, messages: readonly CheckedMessage[], current?: DarePublicKey): { frames: Uint8Array[]; after: StoreState } {
  if (at.state.frameCount === 0) throw refuse('NotFound', { extended: 'NotFound', name: 'MeshUnknownAccount', detail: `${label} has no frame 0 yet: the account has not uploaded its spools` });
  const replica = SequenceReplica.detached(at.state, { recipients: at.recipients, ...(current ? { writeRecipients: [current] } : {}) });
  const prepared = replica.prepare(messages.map((m) => spoolFrameOf(m.envelope)));
  return { frames: [...prepared.frames], after: { state: prepared.after, recipients: at.recipients } };
}
