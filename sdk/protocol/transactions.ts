import type { MeshClassName } from '../mesh/schema/types.js';
import type {
  AnyHelloRequest, BindRequest, BindResponse, ClaimRequest, ClaimResponse, CompleteRequest, CompleteResponse, ConnectRequest, ConnectResponse,
  DownloadRequest, DownloadResponse, LookupRequest, LookupResponse, MeshHelloResponse, OperateRequest, OperateResponse, PollClaimRequest, PollClaimResponse, PostRequest,
  PostResponse, PushTicketRequest, PushTicketResponse, StatusRequest, StatusResponse, TransactRequest, TransactResponse, UnbindRequest, UnbindResponse,
} from '../mesh/schema/types.js';
import type { CredentialMode } from './credential.js';

/**
 * The transactions of the HTTP binding (protocol.md §2, §5): one `POST` endpoint each, under
 * `/.well-known/mmm/<Transaction>`; the classes of their request and response bodies; the
 * credential modes the service accepts for each (protocol.md §5 "Auth mode"); and which body
 * limit applies — `message` (32 KiB) or `upload` (the service's configured maximum).
 *
 * The table is data: a later transaction is one more entry, passed to the service and client as
 * `transactions`, with its types added to {@link MeshTransactionTypes} by declaration merging.
 * PushTicket (protocol.md §2, WebSocket push) is this binding's own and sits in the table itself:
 * a service routes a transaction only when it has a handler for it, so a service without push
 * answers it NotFound, and clients need no second table.
 */

/** The well-known path prefix (protocol-09 §10, protocol.md §1). */
export const MESH_WELL_KNOWN_PATH = '/.well-known/mmm/';

/** Which body limit applies to a transaction's request. */
export type BodyLimitKind = 'message' | 'upload';

/** One transaction of the binding. */
export interface TransactionSpec {
  /** Class of the request body (a subclass is accepted). */
  readonly request: MeshClassName;
  /** Class of a successful response body (a subclass is accepted). */
  readonly response: MeshClassName;
  /** Credential modes accepted; `None` only where no signature is needed (Hello). */
  readonly modes: readonly CredentialMode[];
  readonly body: BodyLimitKind;
}

/**
 * The Mesh transactions of protocol.md §5. Modes: T3 Unbind takes Key (CommonAuthentication) or
 * Connection; T6–T8 Connection "or Key"; T10 Claim the claimant's Key or Connection; T12
 * Operate "any". Transact carries frames and message batches: the upload limit; Post one message. PushTicket
 * (protocol.md §2) takes a Connection credential only.
 */
export const MESH_TRANSACTIONS = {
  Hello: { request: 'HelloRequest', response: 'MeshHelloResponse', modes: ['None'], body: 'message' },
  BindAccount: { request: 'BindRequest', response: 'BindResponse', modes: ['Key'], body: 'message' },
  UnbindAccount: { request: 'UnbindRequest', response: 'UnbindResponse', modes: ['Key', 'Connection'], body: 'message' },
  Connect: { request: 'ConnectRequest', response: 'ConnectResponse', modes: ['Device'], body: 'message' },
  Complete: { request: 'CompleteRequest', response: 'CompleteResponse', modes: ['Device'], body: 'message' },
  Status: { request: 'StatusRequest', response: 'StatusResponse', modes: ['Connection', 'Key'], body: 'message' },
  Download: { request: 'DownloadRequest', response: 'DownloadResponse', modes: ['Connection', 'Key'], body: 'message' },
  Transact: { request: 'TransactRequest', response: 'TransactResponse', modes: ['Connection', 'Key'], body: 'upload' },
  // One message to one account per Post (README "Messaging"): a message limit, checked before parsing.
  Post: { request: 'PostRequest', response: 'PostResponse', modes: ['Service'], body: 'message' },
  Claim: { request: 'ClaimRequest', response: 'ClaimResponse', modes: ['Key', 'Connection'], body: 'message' },
  PollClaim: { request: 'PollClaimRequest', response: 'PollClaimResponse', modes: ['Key'], body: 'message' },
  Operate: { request: 'OperateRequest', response: 'OperateResponse', modes: ['Key', 'Device', 'Connection'], body: 'message' },
  // A ticket is bound to one connected device (its Authentication keyid) of one account: Connection only.
  PushTicket: { request: 'PushTicketRequest', response: 'PushTicketResponse', modes: ['Connection'], body: 'message' },
  // This binding's: an account's profile, asked by a device of the service or by a peer service (README "Messaging").
  Lookup: { request: 'LookupRequest', response: 'LookupResponse', modes: ['Connection', 'Service'], body: 'message' },
} as const satisfies Readonly<Record<string, TransactionSpec>>;

/** The request and response types of each transaction (extend by declaration merging). */
export interface MeshTransactionTypes {
  Hello: { request: AnyHelloRequest; response: MeshHelloResponse };
  BindAccount: { request: BindRequest; response: BindResponse };
  UnbindAccount: { request: UnbindRequest; response: UnbindResponse };
  Connect: { request: ConnectRequest; response: ConnectResponse };
  Complete: { request: CompleteRequest; response: CompleteResponse };
  Status: { request: StatusRequest; response: StatusResponse };
  Download: { request: DownloadRequest; response: DownloadResponse };
  Transact: { request: TransactRequest; response: TransactResponse };
  Post: { request: PostRequest; response: PostResponse };
  Claim: { request: ClaimRequest; response: ClaimResponse };
  PollClaim: { request: PollClaimRequest; response: PollClaimResponse };
  Operate: { request: OperateRequest; response: OperateResponse };
  PushTicket: { request: PushTicketRequest; response: PushTicketResponse };
  Lookup: { request: LookupRequest; response: LookupResponse };
}

/** A transaction name. */
export type TransactionName = keyof MeshTransactionTypes;
/** The request body type of a transaction. */
export type RequestOf<T extends TransactionName> = MeshTransactionTypes[T]['request'];
/** The response body type of a transaction. */
export type ResponseOf<T extends TransactionName> = MeshTransactionTypes[T]['response'];

/** Body limit for messages (protocol.md §4 MeshRequestSize; issue text: 32 KiB). */
export const MESSAGE_LIMIT = 32 * 1024;
/** Default upload limit (Transact, Post); a service configures its own. */
export const DEFAULT_UPLOAD_LIMIT = 16 * 1024 * 1024;

/** Body limits of a service. */
export interface BodyLimits {
  readonly message: number;
  readonly upload: number;
}

/** The transaction a request path names under `basePath`, or undefined. */
export function transactionOfPath(pathname: string, transactions: Readonly<Record<string, TransactionSpec>>, basePath = MESH_WELL_KNOWN_PATH): string | undefined {
  if (!pathname.startsWith(basePath)) return undefined;
  const name = pathname.slice(basePath.length);
  return Object.hasOwn(transactions, name) ? name : undefined;
}
