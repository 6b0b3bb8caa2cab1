import type { Failure, RunOptions, TargetStats } from './engine.js';

/** What the runner (runner.ts) gives a fuzz worker (worker-main.ts). */
export interface WorkerData extends Omit<RunOptions, 'onInput' | 'onFailure'> {
  readonly target: string;
  /** Int32 [iteration, input length, tick, unused], then the bytes of the input being run. */
  readonly heartbeat: SharedArrayBuffer;
}

/** Bytes before the recorded input in the heartbeat buffer. */
export const HEARTBEAT_HEADER = 16;

/** Messages from a worker: each finding as it is made, then the statistics. */
export type WorkerMessage = { readonly failure: Failure } | { readonly stats: TargetStats };
