/**
 * Typed errors of the Mesh client (`mathmesh/client`): what this side found wrong in the
 * exchange with a service, beyond the wire binding's own errors (`ProtocolError`, and
 * `MeshProtocolError` for the service's authentic refusals, which pass through unchanged).
 */
export type MeshClientErrorCode =
  | 'CLIENT_NOT_BOUND' // the account has no service yet (bind it first), or no endpoint is known
  | 'CLIENT_BAD_RESPONSE' // an authentic answer that does not hold together (an assignment not signed by the service, frames that do not travel as frames)
  | 'CLIENT_DIVERGED' // the service's copy of a store contradicts what it acknowledged to this device
  | 'CLIENT_CONFLICT' // the service kept taking other devices' frames: the sync gave up after its rounds (run it again)
  | 'CLIENT_LOCKED' // another process holds this account's store on this device
  | 'CLIENT_NOT_AUTHORIZED' // this device lacks a key the operation needs (its roles do not grant it)
  | 'CLIENT_NOT_FOUND' // no such message, or it was handled already
  | 'CLIENT_BAD_ARGUMENT'; // the operation does not apply to what was named

/** An error of the Mesh client (see {@link MeshClientErrorCode}). */
export class MeshClientError extends Error {
  readonly code: MeshClientErrorCode;
  /** The store concerned, when there is one. */
  readonly store: string | undefined;
  constructor(code: MeshClientErrorCode, message: string, options: { store?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshClientError';
    this.code = code;
    this.store = options.store;
  }
}
