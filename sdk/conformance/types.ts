/**
 * Shapes of the conformance runner (issue 4): a vector is a JSON object with `id`, `kind`,
 * inputs, `expected`, `verified`; an evaluator checks one kind through the public API.
 */

/** One vector, as read from a file. */
export type Vector = Record<string, unknown> & { id?: unknown; kind?: unknown; verified?: unknown };

/** What an evaluator may look at besides its vector. */
export interface EvalContext {
  /** The file's `keys` table (dare.json style), `{}` when there is none. */
  readonly keys: Readonly<Record<string, unknown>>;
  /** The file name, for messages. */
  readonly file: string;
}

/**
 * Checks one vector; returns normally when every expected value matched, throws otherwise (a
 * {@link VectorMismatch} or any error, whose message becomes the FAIL reason).
 */
export type Evaluator = (vector: Vector, context: EvalContext) => void | Promise<void>;

/** A mismatch between a computed and an expected value. */
export class VectorMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VectorMismatch';
  }
}

/** Outcome of one vector. */
export interface VectorResult {
  readonly id: string;
  readonly kind: string;
  readonly status: 'pass' | 'fail' | 'skip';
  /** FAIL / SKIP reason. */
  readonly reason?: string;
  /** `verified: true` in the file: only these decide the exit status (plus unknown kinds). */
  readonly verified: boolean;
  /** The kind is in no registry and no spec table. */
  readonly unknownKind?: boolean;
  /** An entry of `known_bad` (reported, never run). */
  readonly knownBad?: boolean;
}

/** Thrown by an evaluator whose kind needs an operation not available yet: the vector is SKIPped. */
export class NotImplementedYet extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'NotImplementedYet';
  }
}
