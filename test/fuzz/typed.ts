import { CryptoError } from '../../sdk/crypto/errors.js';
import { DareError } from '../../sdk/dare/errors.js';
import { SequenceError } from '../../sdk/dare/sequence/errors.js';
import { EncodingError } from '../../sdk/encoding/errors.js';
import { UdfError } from '../../sdk/udf/errors.js';

/**
 * What counts as a typed error (design.md, Errors): an instance of one of the SDK's error classes
 * whose `code` is a stable identifier and whose message says something. Anything else escaping an
 * SDK call on hostile input — TypeError, RangeError, a bare Error, a string — is a finding.
 */
export const TYPED_ERRORS = [DareError, SequenceError, EncodingError, UdfError, CryptoError] as const;

const CODE = /^[A-Z][A-Z0-9_]+$/;

/** `Class:CODE` for a typed error, undefined for anything else. */
export function typedLabel(e: unknown): string | undefined {
  for (const C of TYPED_ERRORS) {
    if (e instanceof C) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && CODE.test(code) && e.message.length > 0) return `${C.name}:${code}`;
      return undefined;
    }
  }
  return undefined;
}

/** An error that is not typed, escaping the SDK call named `where`. */
export class UntypedError extends Error {
  constructor(readonly where: string, readonly error: unknown) {
    super(`${where}: ${describeError(error)}`);
    this.name = 'UntypedError';
  }
}

/** A broken promise the oracle caught: a covered byte changed and was accepted, or another contract. */
export class OracleFailure extends Error {
  constructor(readonly kind: 'accepted-change' | 'contract', message: string) {
    super(message);
    this.name = 'OracleFailure';
  }
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `thrown ${typeof e}: ${String(e)}`;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; label: string; error: Error };

/** Messages (and causes) must not carry these strings (encodings of secrets and plaintext). */
function checkLeaks(where: string, e: Error, secrets: readonly string[]): void {
  for (let x: unknown = e; x instanceof Error; x = x.cause) {
    for (const s of secrets) {
      if (s.length >= 8 && (x.message.includes(s) || (x.stack ?? '').split('\n')[0]!.includes(s))) {
        throw new OracleFailure('contract', `${where}: an error message contains secret or plaintext material (${s.slice(0, 6)}…)`);
      }
    }
  }
}

/** Runs `f`: its value, or the label of the typed error it threw; an untyped error becomes {@link UntypedError}. */
export function attempt<T>(where: string, f: () => T, secrets: readonly string[] = []): Attempt<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return settle(where, e, secrets);
  }
}

/** {@link attempt} for async calls. */
export async function attemptAsync<T>(where: string, f: () => Promise<T>, secrets: readonly string[] = []): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return settle(where, e, secrets);
  }
}

function settle(where: string, e: unknown, secrets: readonly string[]): { ok: false; label: string; error: Error } {
  if (e instanceof OracleFailure || e instanceof UntypedError) throw e;
  const label = typedLabel(e);
  if (label === undefined) throw new UntypedError(where, e);
  checkLeaks(where, e as Error, secrets);
  return { ok: false, label, error: e as Error };
}
