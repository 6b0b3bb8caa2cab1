import { SPOOL } from '../stores.js';

/**
 * The one message-state model of mesh-model.md §9.3. A message's state is never edited: a
 * `MessageComplete` appended to the same spool carries `References`, each naming a MessageId and,
 * in `Relationship`, the state change — so the state is what replaying the spool gives.
 *
 * Relationship values (the §9.3 decision): `Read`, `Unread`, `Closed`, `Sent`, `Received`,
 * `Refused`, `Deleted`; REF's `Open` is read as `Unread` (back to Initial). A message's state is
 * three facts, each changed by its own relationships:
 *
 * - progress: `Initial` → `Read` → `Initial` again (`Unread`) for received messages; `Initial` →
 *   `Sent` → `Received`, or `Initial`/`Sent` → `Refused`, for sent ones (never backwards);
 * - closed: set by `Closed` and never cleared — a used PIN, a consumed RespondConnection, an
 *   accepted or refused request stays closed whatever comes later, so it cannot be used twice;
 * - deleted: set by `Deleted`, cleared by a later `Read` or `Unread` (undelete).
 *
 * The state shown is `Deleted` if deleted, else `Closed` if closed, else the progress.
 *
 * Who may change what: completions written by a device of the account (AuthorMac under the spool
 * key) may use any relationship; completions without AuthorMac — the service's delivery reports
 * in MMM_Outbound (mesh-model.md §9) — change only `Sent` / `Received` / `Refused`. Unknown
 * relationships are ignored (a later version's states).
 */

/** A message's state (mesh-model.md §9.3). */
export type MessageState = 'Initial' | 'Read' | 'Closed' | 'Sent' | 'Received' | 'Refused' | 'Deleted';

/** The Relationship values a MessageComplete Reference carries. */
export type Relationship = 'Read' | 'Unread' | 'Closed' | 'Sent' | 'Received' | 'Refused' | 'Deleted';

/** The progress part of a state. */
export type MessageProgress = 'Initial' | 'Read' | 'Sent' | 'Received' | 'Refused';

/** What replay knows of a message's state. */
export interface MessageStatus {
  readonly progress: MessageProgress;
  readonly closed: boolean;
  readonly deleted: boolean;
  /** The last Relationship applied (wire value), if any. */
  readonly relationship?: string;
  /** The ResponseId the last reference named (the reply sent), if any. */
  readonly responseId?: string;
}

/** A message no reference has touched. */
export const INITIAL_STATUS: MessageStatus = Object.freeze({ progress: 'Initial', closed: false, deleted: false });

/** The spools (mesh-model.md §9) and the relationships a device may write to each. */
export const SPOOL_KINDS = {
  inbound: { label: SPOOL.inbound, relationships: ['Read', 'Unread', 'Closed', 'Deleted'] },
  outbound: { label: SPOOL.outbound, relationships: ['Sent', 'Received', 'Refused', 'Deleted', 'Read', 'Unread'] },
  local: { label: SPOOL.local, relationships: ['Read', 'Unread', 'Closed', 'Deleted'] },
  archive: { label: SPOOL.archive, relationships: ['Read', 'Unread', 'Closed', 'Sent', 'Received', 'Refused', 'Deleted'] },
} as const satisfies Record<string, { label: string; relationships: readonly Relationship[] }>;

/** A spool name: `inbound`, `outbound`, `local`, `archive`. */
export type SpoolKind = keyof typeof SPOOL_KINDS;

const DELIVERY = new Set(['Sent', 'Received', 'Refused']);

/**
 * The status after one reference. `authored`: the completion was written by a holder of the
 * spool key (see the module notes); otherwise only delivery relationships count.
 */
export function applyRelationship(s: MessageStatus, relationship: string, responseId: string | undefined, authored: boolean): MessageStatus {
  const rel = relationship === 'Open' ? 'Unread' : relationship;
  if (!authored && !DELIVERY.has(rel)) return s;
  const next = (o: Partial<MessageStatus>): MessageStatus => {
    const out: MessageStatus = { ...s, ...o, relationship };
    return responseId === undefined ? out : { ...out, responseId };
  };
  switch (rel) {
    case 'Read':
      return next({ deleted: false, progress: s.progress === 'Initial' ? 'Read' : s.progress });
    case 'Unread':
      return next({ deleted: false, progress: s.progress === 'Read' ? 'Initial' : s.progress });
    case 'Closed':
      return next({ closed: true });
    case 'Deleted':
      return next({ deleted: true });
    case 'Sent':
      return s.progress === 'Initial' ? next({ progress: 'Sent' }) : s;
    case 'Received':
      return s.progress === 'Initial' || s.progress === 'Sent' ? next({ progress: 'Received' }) : s;
    case 'Refused':
      return s.progress === 'Initial' || s.progress === 'Sent' ? next({ progress: 'Refused' }) : s;
    default:
      return s;
  }
}

/** The state a status shows. */
export function stateOf(s: MessageStatus): MessageState {
  return s.deleted ? 'Deleted' : s.closed ? 'Closed' : s.progress;
}
