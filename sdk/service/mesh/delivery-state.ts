import { sealMeshObject } from '../../mesh/envelopes.js';
import { nonce } from '../../udf/fixed.js';
import { envelopeId as envelopeIdOf } from '../../udf/message-id.js';
import { checkMessages, type CheckedMessage } from './messages.js';

/**
 * The service's word on a sent message (mesh-model.md §9.3): a `MessageComplete` appended to the
 * sender's MMM_Outbound whose references say `Received` (the recipient's service took it into
 * the recipient's MMM_Inbound) or `Refused`. Unsigned and without AuthorMac, so it can change
 * delivery states only (spool/states.ts): a service cannot close or delete a device's messages.
 */

/** A delivery's outcome. */
export interface DeliveryOutcome {
  readonly messageId: string;
  readonly relationship: 'Received' | 'Refused';
}

/** The completion recording `outcomes`, checked as a spool message. */
export function deliveryCompletion(outcomes: readonly DeliveryOutcome[]): CheckedMessage {
  const id = nonce();
  const envelope = sealMeshObject(
    { $class: 'MessageComplete', MessageId: id, References: outcomes.map((o) => ({ $class: 'Reference' as const, MessageId: o.messageId, Relationship: o.relationship })) },
    { uniqueId: id, envelopeId: envelopeIdOf(id) },
  );
  return checkMessages([envelope], 'completion')[0]!;
}
