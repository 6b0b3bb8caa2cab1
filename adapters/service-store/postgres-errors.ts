import { ServiceStoreError, serviceError } from '../../sdk/service/store-errors.js';

/**
 * How the PostgreSQL store reads a failure of the `pg` client: an error the server reported
 * (it carries a SQLSTATE, PostgreSQL manual appendix A) or a lost connection (a socket error,
 * "Connection terminated…": no SQLSTATE). What follows from each:
 * - a server-reported serialization failure or deadlock (40001, 40P01), or a backend terminated
 *   by a shutdown (57P01-57P03): the transaction was rolled back, running it again is safe;
 * - a connection lost while a statement or COMMIT was in flight: the outcome is unknown.
 */

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Rolled back by the server, with nothing applied: safe to run again. */
const ROLLED_BACK = new Set(['40001', '40P01', '57P01', '57P02', '57P03']);

/** The SQLSTATE of an error the server reported, else undefined. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}

/** The error's constraint name (unique violations), else undefined. */
export function constraintOf(e: unknown): string | undefined {
  const c = (e as { constraint?: unknown } | null)?.constraint;
  return typeof c === 'string' ? c : undefined;
}

/** The server rolled the statement's transaction back: running it again is safe. */
export function rolledBack(e: unknown): boolean {
  const state = sqlState(e);
  return state !== undefined && ROLLED_BACK.has(state);
}

/** The connection failed (no server-reported error, or class 08: connection exception). */
export function connectionLost(e: unknown): boolean {
  if (e instanceof ServiceStoreError) return false;
  const state = sqlState(e);
  return state === undefined || state.startsWith('08');
}

/**
 * A `SERVICE_IO` error for a failed database call. The message has the server's SQLSTATE and
 * message, or the client's (neither holds parameter values: frames, records and passwords stay
 * out; the server's `detail`, which may quote a key, is left out too).
 */
export function ioError(what: string, e: unknown, where: { account?: string; store?: string } = {}): ServiceStoreError {
  if (e instanceof ServiceStoreError) return e;
  const state = sqlState(e);
  const message = e instanceof Error ? e.message : String(e);
  return serviceError('SERVICE_IO', `PostgreSQL: ${what} failed: ${state ? `${state} ` : ''}${message}`, { ...where, cause: e });
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
