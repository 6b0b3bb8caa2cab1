import { SequenceError } from '../../dare/sequence/errors.js';
import { MeshError } from '../../mesh/errors.js';
import { ProtocolError } from '../../protocol/errors.js';
import { MeshProtocolError, refuse } from '../../protocol/status.js';
import { ServiceStoreError } from '../store-errors.js';

/**
 * Errors of the Mesh service (protocol.md §4): {@link MeshServiceError} for what stops the
 * service itself (its configuration, its sealed identity), and {@link refusalOf}, which turns
 * what a handler met — a store error, a frame that does not verify, an object that does not
 * parse — into the protocol status a client reads. Nothing a handler refuses changes state:
 * every refusal happens before the store's transaction, or is the transaction's own refusal.
 */

/** Stable codes of {@link MeshServiceError}. */
export type MeshServiceErrorCode =
  | 'SERVICE_BAD_SECRET' // the service secret does not open the sealed identity (another service's data, or a wrong secret)
  | 'SERVICE_BAD_CONFIG' // an option the service cannot run with (a store URL, a port, a name)
  | 'SERVICE_IDENTITY'; // the stored identity records contradict each other

/** What stops a Mesh service from starting or running (never a client's mistake). */
export class MeshServiceError extends Error {
  readonly code: MeshServiceErrorCode;
  constructor(code: MeshServiceErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshServiceError';
    this.code = code;
  }
}

/** A refusal for input that is not what the transaction takes (400, MeshMessageInvalid). */
export function invalid(detail: string): MeshProtocolError {
  return refuse('BadRequest', { name: 'MeshMessageInvalid', detail });
}

/** A refusal for a device or key that may not do this (403, NotAuthorized). */
export function forbidden(detail: string): MeshProtocolError {
  return refuse('Forbidden', { extended: 'NotAuthorized', name: 'NotAuthorized', detail });
}

/** A refusal for an account this service does not hold (404, MeshUnknownAccount). */
export function unknownAccount(detail: string): MeshProtocolError {
  return refuse('NotFound', { extended: 'NotFound', name: 'MeshUnknownAccount', detail });
}

/**
 * The protocol status of an error a handler met (protocol.md §4), or the error itself when it
 * is none of the kinds below (an internal failure: the binding answers 500 and reports it).
 * Store errors keep their meaning: a missing account is 404, a taken address 409
 * AccountRegistered, malformed input 400, a size over a limit 400 TooLarge, a replay 401, a
 * store that failed 503 (retry later). Frames that do not verify, objects that do not parse and
 * frames that do not travel as frames are 400 MeshMessageInvalid, naming what was wrong.
 */
export function refusalOf(e: unknown): unknown {
  if (e instanceof MeshProtocolError) return e;
  if (e instanceof ServiceStoreError) {
    switch (e.code) {
      case 'SERVICE_NOT_FOUND':
        return unknownAccount(e.message);
      case 'SERVICE_ALREADY_EXISTS':
        return refuse('AlreadyExists', { extended: 'AccountRegistered', name: 'MeshAccountAlreadyRegistered', detail: e.message });
      case 'SERVICE_BAD_ARGUMENT':
      case 'SERVICE_OUT_OF_RANGE':
        return invalid(e.message);
      case 'SERVICE_TOO_LARGE':
        return refuse('BadRequest', { extended: 'TooLarge', name: 'MeshRequestSize', detail: e.message });
      case 'SERVICE_REPLAY':
        return refuse('ClientUnauthorized', { extended: 'Refused', name: 'NotAuthenticated', detail: 'replayed request' });
      case 'SERVICE_STALE':
        return refuse('ServerOverload', { name: 'MeshOperationFailed', detail: 'the account or its access changed while the request was served: try again' });
      case 'SERVICE_CONFLICT':
        return refuse('AlreadyExists', { extended: 'Refused', name: 'MeshOperationFailed', detail: e.message });
      default:
        // IO, FAILED, CLOSED, CORRUPT, LOCKED: the store cannot serve now; nothing was applied.
        return refuse('ServerOverload', { name: 'MeshOperationFailed', detail: 'the service store is not available: try again later' });
    }
  }
  if (e instanceof SequenceError) return invalid(`${e.code}: ${e.message}`);
  if (e instanceof MeshError) return invalid(`${e.code}: ${e.message}`);
  if (e instanceof ProtocolError) return invalid(e.message);
  return e;
}
