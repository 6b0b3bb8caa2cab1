import type { MeshResponse } from '../mesh/schema/types.js';
import { ProtocolError } from './errors.js';

/**
 * Protocol status (protocol.md §4; protocol-09 §10.2): every response carries `Status`,
 * optionally `StatusExtended` (MeshServerStatus) and `StatusDescription`, and that payload
 * status is authoritative over the HTTP code. We write the symbolic error name of §4 as
 * `StatusDescription` — `Name` or `Name: detail` — so that a client gets a name it can act on.
 */

/** Status codes (protocol.md §4). SuccessOK and SuccessCreated are both 201, as in the reference. */
export const MESH_STATUS = {
  SuccessOK: 201,
  SuccessCreated: 201,
  SuccessUpdated: 202,
  RedirectPermanent: 303,
  RedirectTemporary: 307,
  BadRequest: 400,
  ClientUnauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Timeout: 408,
  AlreadyExists: 409,
  TooManyRequests: 429,
  ServerInternal: 500,
  ServerOverload: 503,
} as const;

/** A status name of protocol.md §4. */
export type MeshStatusName = keyof typeof MESH_STATUS;

/** StatusExtended values (MeshServerStatus, protocol.md §4). */
export const MESH_STATUS_EXTENDED = {
  AccountRegistered: 1,
  NotAuthorized: 2,
  NotAdministrator: 3,
  DeviceRevoked: 4,
  Refused: 5,
  NotFound: 6,
  Moved: 7,
  TooLarge: 8,
  Timeout: 9,
} as const;

/** A StatusExtended name of protocol.md §4. */
export type MeshExtendedName = keyof typeof MESH_STATUS_EXTENDED;

/** The symbolic error names of protocol.md §4, carried in StatusDescription. */
export const MESH_ERROR_NAMES = [
  'MeshUnknownAccount', 'MeshAccountAlreadyRegistered', 'MeshRedirect', 'MeshRequestSize', 'MeshOperationFailed',
  'MeshResponseNotFound', 'MeshResponseRefused', 'MeshResponseExpired', 'MeshServiceBlockedSender', 'MeshServiceBlockedService',
  'MeshRecipientBlockedSender', 'MeshRecipientBlockedService', 'MeshMessageInsufficientPrivilege', 'MeshMessageInvalid',
  'MeshMessageUnsupported', 'NotAuthenticated', 'NotAuthorized', 'LockRequestTimeout',
  // Client-side PIN results (protocol.md §4); a service never sends them.
  'PinInvalid', 'PinUsed', 'PinExpired',
] as const;

/** A symbolic error name of protocol.md §4. */
export type MeshErrorName = (typeof MESH_ERROR_NAMES)[number];

const STATUS_NAMES: ReadonlyMap<number, MeshStatusName> = new Map(
  (Object.entries(MESH_STATUS) as [MeshStatusName, number][]).filter(([n]) => n !== 'SuccessCreated').map(([n, v]) => [v, n]),
);
const EXTENDED_NAMES: ReadonlyMap<number, MeshExtendedName> = new Map(
  (Object.entries(MESH_STATUS_EXTENDED) as [MeshExtendedName, number][]).map(([n, v]) => [v, n]),
);
const ERROR_NAMES: ReadonlySet<string> = new Set(MESH_ERROR_NAMES);

/** The name of a status code (`ClientUnauthorized` for 401), undefined for a code §4 does not list. */
export function statusName(status: number): MeshStatusName | undefined {
  return STATUS_NAMES.get(status);
}

/** The name of a StatusExtended value (`DeviceRevoked` for 4). */
export function extendedName(extended: number): MeshExtendedName | undefined {
  return EXTENDED_NAMES.get(extended);
}

/** Whether a payload status reports success (2xx: SuccessOK, SuccessUpdated). */
export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}

/** What makes a failure status: each part by name or number. */
export interface RefusalOptions {
  readonly extended?: MeshExtendedName | number;
  /** The symbolic error name written to StatusDescription. */
  readonly name?: MeshErrorName;
  /** Text after the name (`Name: detail`): never a secret; a client shows it as untrusted text. */
  readonly detail?: string;
}

/** Text a peer wrote, made safe to show: printable ASCII only, at most 200 characters. */
function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/**
 * A failure status of the Mesh protocol (protocol.md §4), as a typed error: `status`,
 * `extended`, their names, and `name` — the symbolic error name (`MeshUnknownAccount`,
 * `NotAuthenticated`…) when the service gave one, else the extended or status name (as
 * DOMException's `name` names the kind of failure). A service handler throws one to refuse a
 * request; the client throws one when the service refused, authentically.
 */
export class MeshProtocolError extends ProtocolError {
  /** Protocol status code (401). */
  readonly status: number;
  /** Its name (`ClientUnauthorized`), undefined for a code protocol.md does not list. */
  readonly statusName: MeshStatusName | undefined;
  /** StatusExtended, when present. */
  readonly extended: number | undefined;
  /** Its name (`DeviceRevoked`). */
  readonly extendedName: MeshExtendedName | undefined;
  /** The symbolic error name from StatusDescription, when it is one of protocol.md §4. */
  readonly errorName: MeshErrorName | undefined;
  /** The text after the name in StatusDescription (written by the service: untrusted, made printable). */
  readonly detail: string | undefined;
  override readonly name: string;

  constructor(status: number, options: { extended?: number; errorName?: MeshErrorName; detail?: string; cause?: unknown } = {}) {
    const sName = statusName(status);
    const xName = options.extended === undefined ? undefined : extendedName(options.extended);
    const detail = options.detail === undefined ? undefined : printable(options.detail);
    const what = [options.errorName, xName, sName].filter((x) => x !== undefined).join(' / ') || 'unknown status';
    super('PROTOCOL_REFUSED', `the service refused the request: ${status} ${what}${detail ? `: ${detail}` : ''}`,
      options.cause === undefined ? {} : { cause: options.cause });
    this.status = status;
    this.statusName = sName;
    this.extended = options.extended;
    this.extendedName = xName;
    this.errorName = options.errorName;
    this.detail = detail;
    this.name = options.errorName ?? xName ?? sName ?? 'MeshProtocolError';
  }

  /** StatusDescription as written on the wire: `Name` or `Name: detail`. */
  get description(): string | undefined {
    if (this.errorName === undefined) return this.detail;
    return this.detail === undefined ? this.errorName : `${this.errorName}: ${this.detail}`;
  }
}

/**
 * The error a handler throws to refuse a request, e.g.
 * `refuse('NotFound', { extended: 'NotFound', name: 'MeshUnknownAccount' })`.
 */
export function refuse(status: MeshStatusName | number, options: RefusalOptions = {}): MeshProtocolError {
  const code = typeof status === 'number' ? status : MESH_STATUS[status];
  const extended = typeof options.extended === 'string' ? MESH_STATUS_EXTENDED[options.extended] : options.extended;
  if (code === undefined || !Number.isInteger(code) || code < 100 || code > 599) throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `not a status: ${String(status)}`);
  return new MeshProtocolError(code, {
    ...(extended === undefined ? {} : { extended }),
    ...(options.name === undefined ? {} : { errorName: options.name }),
    ...(options.detail === undefined ? {} : { detail: options.detail }),
  });
}

/** The failure response object of a refusal: a `MeshResponse` carrying only the status members. */
export function failureResponse(error: MeshProtocolError): MeshResponse {
  const description = error.description;
  return {
    $class: 'MeshResponse',
    Status: error.status,
    ...(error.extended === undefined ? {} : { StatusExtended: error.extended }),
    ...(description === undefined ? {} : { StatusDescription: description }),
  };
}

/** The status members every response carries. */
export interface ResponseStatus {
  readonly Status?: number;
  readonly StatusExtended?: number;
  readonly StatusDescription?: string;
}

/**
 * The error a failure response stands for (undefined for success). A StatusDescription that
 * starts with a symbolic name of §4 gives `errorName`; any other text is kept as `detail`.
 * A response without `Status` is malformed: every response carries it (protocol.md §3).
 */
export function errorOfResponse(response: ResponseStatus): MeshProtocolError | undefined {
  const status = response.Status;
  if (status === undefined) throw new ProtocolError('PROTOCOL_BAD_RESPONSE', 'the response has no Status');
  if (isSuccessStatus(status)) return undefined;
  const text = response.StatusDescription;
  let errorName: MeshErrorName | undefined;
  let detail: string | undefined = text;
  if (text !== undefined) {
    const m = /^([A-Za-z]+)(?:: ([\s\S]*))?$/.exec(text);
    if (m && ERROR_NAMES.has(m[1]!)) {
      errorName = m[1] as MeshErrorName;
      detail = m[2];
    }
  }
  return new MeshProtocolError(status, {
    ...(response.StatusExtended === undefined ? {} : { extended: response.StatusExtended }),
    ...(errorName === undefined ? {} : { errorName }),
    ...(detail === undefined ? {} : { detail }),
  });
}
