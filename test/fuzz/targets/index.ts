import type { FuzzTarget } from '../engine.js';

/** The fuzz targets by name, loaded on demand (a JSON-B worker never loads the DARE layer). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TARGETS: Readonly<Record<string, () => Promise<FuzzTarget<any>>>> = {
  jsonb: async () => (await import('./jsonb.js')).jsonbTarget,
  json: async () => (await import('./json.js')).jsonTarget,
  envelope: async () => (await import('./envelope.js')).envelopeTarget,
  'envelope-stream': async () => (await import('./envelope-stream.js')).envelopeStreamTarget,
  sequence: async () => (await import('./sequence.js')).sequenceTarget,
  selftest: async () => (await import('./selftest.js')).selftestTarget,
};

/** The targets a run covers by default (`selftest` checks the harness and runs only when named). */
export const TARGET_NAMES: readonly string[] = Object.keys(TARGETS).filter((t) => t !== 'selftest');
