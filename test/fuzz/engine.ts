import { BYTE_MUTATORS, drawMutation, type Mutation, type Mutator } from './mutation.js';
import { Rng } from './rng.js';
import { describeError, OracleFailure, UntypedError } from './typed.js';

/**
 * The fuzz loop. For input i of a run seeded S: a generator seeded from (S, i) picks a corpus
 * entry and stacks one to five mutations on it (format-blind byte mutations and the target's
 * structure-aware ones), then the target checks the result. Findings:
 * - `untyped`: an SDK call threw something that is not a typed error (typed.ts);
 * - `accepted-change`: the input still decoded as authentic, but a covered value (payload, signed
 *   or MACed metadata, a trusted head's frames) differs from every original — the target's oracle
 *   knows what is covered from how the corpus was written, not from the decoder's verdict alone;
 * - `contract`: another promise broken (a foreign signer accepted, a round trip that changes the
 *   value, output out of proportion to the input, secrets in an error message);
 * - `hang`: one input took longer than the per-input budget (the worker's watchdog, runner.ts,
 *   also catches inputs that never return).
 * Each finding is minimised — mutations dropped while the same finding persists, then bytes cut
 * for parser findings — and reported with the seed and iteration that rebuild it.
 */

/** One corpus entry: the bytes and what the target knows about how they were made. */
export interface Seed<C> {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly context: C;
}

/** A fuzz target: corpus, mutators, and the check with its oracle. */
export interface FuzzTarget<C = unknown> {
  readonly name: string;
  readonly summary: string;
  /** Builds the corpus (deterministic). */
  corpus(): Promise<Seed<C>[]>;
  /** Structure-aware mutators for inputs made from `seed` (the byte mutators are always added). */
  mutators(seed: Seed<C>): readonly (readonly [Mutator, number])[];
  /**
   * Runs the SDK on `input` (made from `seed`). Returns a short outcome label for the statistics
   * (`accepted`, or the code of the typed error); throws UntypedError or OracleFailure on a finding.
   */
  check(input: Uint8Array, seed: Seed<C>, corpus: readonly Seed<C>[]): string | Promise<string>;
}

export type FailureKind = 'untyped' | 'accepted-change' | 'contract' | 'hang' | 'memory' | 'crash';

export interface Failure {
  readonly kind: FailureKind;
  readonly target: string;
  readonly seed: number;
  readonly iteration: number;
  readonly corpusId: string;
  readonly mutations: readonly string[];
  /** The minimised input. */
  readonly input: Uint8Array;
  readonly message: string;
  readonly stack?: string;
}

export interface TargetStats {
  readonly target: string;
  readonly seed: number;
  readonly from: number;
  readonly inputs: number;
  readonly seconds: number;
  readonly inputsPerSecond: number;
  readonly corpusSize: number;
  /** Outcome label → count (`accepted`, `DareError:DARE_BAD_FORMAT`, ...). */
  readonly outcomes: Record<string, number>;
  readonly maxInputMs: number;
  /** The iteration that took `maxInputMs` (replay it with `from`, `inputs: 1`). */
  readonly slowestIteration: number;
  readonly failures: Failure[];
}

export interface RunOptions {
  readonly seed: number;
  /** Stop after this many seconds (default 3) ... */
  readonly seconds?: number;
  /** ... or this many inputs, whichever comes first. */
  readonly inputs?: number;
  /** First iteration (to replay one input: `from: i, inputs: 1`). */
  readonly from?: number;
  /** Per-input time budget: an input taking longer is a `hang`. */
  readonly budgetMs?: number;
  /** Stop after this many distinct findings (default 5). */
  readonly maxFailures?: number;
  /** Called with each finding as soon as it is minimised (a worker stopped later still reports it). */
  readonly onFailure?: (f: Failure) => void;
  /** Called before each input runs, minimisation runs included (the worker's heartbeat: it records the input for the watchdog). */
  readonly onInput?: (iteration: number, input: Uint8Array) => void;
}

interface Built {
  seedIndex: number;
  mutations: Mutation[];
  bytes: Uint8Array;
}

/** Rebuilds input `iteration` of the run seeded `seed`. */
export function buildInput<C>(target: FuzzTarget<C>, corpus: readonly Seed<C>[], seed: number, iteration: number): Built {
  const rng = Rng.forInput(seed, iteration);
  const seedIndex = rng.int(corpus.length);
  const base = corpus[seedIndex]!;
  const others = corpus.filter((_, i) => i !== seedIndex).map((s) => s.bytes);
  const mutators = [...BYTE_MUTATORS, ...target.mutators(base)];
  const count = rng.chance(0.55) ? 1 : rng.range(2, 5);
  const mutations: Mutation[] = [];
  let bytes = base.bytes;
  for (let k = 0; k < count; k++) {
    const m = drawMutation(bytes, { rng, others }, mutators);
    if (!m) continue;
    mutations.push(m);
    bytes = m.apply(bytes);
  }
  return { seedIndex, mutations, bytes };
}

const applyAll = (base: Uint8Array, ms: readonly Mutation[]): Uint8Array => ms.reduce((b, m) => m.apply(b), base);

interface Finding {
  kind: FailureKind;
  message: string;
  stack?: string;
  /** What must stay the same while minimising. */
  signature: string;
}

const normalise = (s: string): string => s.replace(/\d+/g, 'N').slice(0, 160);

function classify(e: unknown): Finding {
  if (e instanceof OracleFailure) return { kind: e.kind, message: e.message, signature: `${e.kind}:${normalise(e.message.split(':')[0]!)}` };
  if (e instanceof UntypedError) {
    const inner = e.error;
    const name = inner instanceof Error ? inner.name : typeof inner;
    const stack = inner instanceof Error ? inner.stack : undefined;
    return { kind: 'untyped', message: e.message, stack, signature: `untyped:${normalise(e.where)}:${name}:${normalise(inner instanceof Error ? inner.message : String(inner))}` };
  }
  // The check itself threw something other than a finding: a harness bug or an untyped error outside `attempt`.
  return { kind: 'untyped', message: `outside any SDK call: ${describeError(e)}`, stack: e instanceof Error ? e.stack : undefined, signature: `crash:${describeError(e)}` };
}

type Beat = (input: Uint8Array) => void;

async function runOne<C>(target: FuzzTarget<C>, input: Uint8Array, seed: Seed<C>, corpus: readonly Seed<C>[], beat?: Beat): Promise<{ outcome?: string; finding?: Finding; ms: number }> {
  beat?.(input);
  const t0 = performance.now();
  try {
    const outcome = await target.check(input, seed, corpus);
    return { outcome, ms: performance.now() - t0 };
  } catch (e) {
    return { finding: classify(e), ms: performance.now() - t0 };
  }
}

/** Minimises a finding: fewer mutations, then (parser findings) fewer bytes, keeping the same signature. */
async function minimise<C>(target: FuzzTarget<C>, corpus: readonly Seed<C>[], built: Built, f: Finding, beat?: Beat): Promise<{ mutations: Mutation[]; input: Uint8Array }> {
  const seed = corpus[built.seedIndex]!;
  const same = async (input: Uint8Array): Promise<boolean> => (await runOne(target, input, seed, corpus, beat)).finding?.signature === f.signature;
  let ms = [...built.mutations];
  for (let i = 0; i < ms.length && ms.length > 1;) {
    const fewer = ms.filter((_, j) => j !== i);
    if (await same(applyAll(seed.bytes, fewer))) ms = fewer;
    else i++;
  }
  let input = applyAll(seed.bytes, ms);
  if (f.kind === 'untyped' || f.kind === 'contract') {
    let budget = 400;
    for (let chunk = Math.max(1, input.length >> 1); chunk >= 1 && budget > 0; chunk >>= 1) {
      for (let at = 0; at < input.length && budget > 0;) {
        const cut = new Uint8Array(input.length - Math.min(chunk, input.length - at));
        cut.set(input.subarray(0, at));
        cut.set(input.subarray(at + chunk), at);
        budget--;
        if (cut.length < input.length && (await same(cut))) input = cut;
        else at += chunk;
      }
    }
  }
  return { mutations: ms, input };
}

/** Checks the unmutated corpus: every entry must pass (a failing original is a harness or SDK bug, not a finding of mutation). */
export async function checkCorpus<C>(target: FuzzTarget<C>, corpus: readonly Seed<C>[], beat?: Beat): Promise<Failure[]> {
  const out: Failure[] = [];
  for (const s of corpus) {
    const r = await runOne(target, s.bytes, s, corpus, beat);
    if (r.finding) {
      out.push({ kind: r.finding.kind, target: target.name, seed: 0, iteration: -1, corpusId: s.id, mutations: ['(unmutated corpus entry)'],
        input: s.bytes, message: r.finding.message, stack: r.finding.stack });
    }
  }
  return out;
}

/** Fuzzes one target for the time or input count given. */
export async function fuzz<C>(target: FuzzTarget<C>, options: RunOptions): Promise<TargetStats> {
  const corpus = await target.corpus();
  const seconds = options.seconds ?? 3;
  const budgetMs = options.budgetMs ?? 3000;
  const maxFailures = options.maxFailures ?? 5;
  const from = options.from ?? 0;
  const failures: Failure[] = from === 0 ? await checkCorpus(target, corpus, (b) => options.onInput?.(-1, b)) : [];
  for (const f of failures) options.onFailure?.(f);
  const seen = new Set<string>();
  const outcomes: Record<string, number> = {};
  let maxInputMs = 0;
  let slowestIteration = -1;
  let inputs = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  for (let i = from; ; i++) {
    if (options.inputs !== undefined && inputs >= options.inputs) break;
    if (performance.now() >= deadline || failures.length >= maxFailures) break;
    const built = buildInput(target, corpus, options.seed, i);
    const seed = corpus[built.seedIndex]!;
    const beat: Beat = (b) => options.onInput?.(i, b);
    const r = await runOne(target, built.bytes, seed, corpus, beat);
    inputs++;
    if (r.ms > maxInputMs) {
      maxInputMs = r.ms;
      slowestIteration = i;
    }
    let finding = r.finding;
    if (!finding && r.ms > budgetMs) {
      finding = { kind: 'hang', message: `one input took ${r.ms.toFixed(0)} ms (budget ${budgetMs} ms)`, signature: `hang:${i}` };
    }
    if (r.outcome !== undefined) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (!finding) continue;
    outcomes[`FINDING:${finding.kind}`] = (outcomes[`FINDING:${finding.kind}`] ?? 0) + 1;
    if (seen.has(finding.signature)) continue;
    seen.add(finding.signature);
    const small = finding.kind === 'hang' ? { mutations: built.mutations, input: built.bytes } : await minimise(target, corpus, built, finding, beat);
    const failure: Failure = {
      kind: finding.kind, target: target.name, seed: options.seed, iteration: i, corpusId: seed.id,
      mutations: small.mutations.map((m) => m.name), input: small.input, message: finding.message, stack: finding.stack,
    };
    failures.push(failure);
    options.onFailure?.(failure);
  }
  const elapsed = (performance.now() - t0) / 1000;
  return {
    target: target.name, seed: options.seed, from, inputs, seconds: elapsed, inputsPerSecond: inputs / Math.max(elapsed, 1e-9),
    corpusSize: corpus.length, outcomes, maxInputMs, slowestIteration, failures,
  };
}
