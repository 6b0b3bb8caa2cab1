import { describe, expect, it } from 'vitest';
import type { TargetStats } from './fuzz/engine.js';
import { findingCounts, formatFailure, formatFigures, formatOutcomes, runTarget } from './fuzz/runner.js';

/**
 * The fuzz suite, bounded for `npm test` (test/fuzz/engine.ts says what it looks for): each target
 * runs a few seconds in a worker under a watchdog, from a fixed seed so that a red run reproduces
 * exactly (`npm run fuzz` explores with random seeds and for as long as asked). Any finding fails
 * the test with the seed, the minimised input and the command that replays it.
 *
 * FUZZ_SECONDS scales the per-target time; FUZZ_SEED picks another seed.
 */

const scale = Number(process.env['FUZZ_SECONDS'] ?? '1');
const seed = Number(process.env['FUZZ_SEED'] ?? '20240611');
const PLAN: [string, number][] = [['jsonb', 2], ['json', 2], ['envelope', 5], ['sequence', 4]];

const figures: TargetStats[] = [];

describe('fuzz (bounded)', () => {
  for (const [target, seconds] of PLAN) {
    it(`${target}: no untyped error, hang or accepted change of a covered value`, async () => {
      const s = await runTarget({ target, seed, seconds: seconds * scale });
      figures.push(s);
      console.log(`fuzz ${target}: ${s.inputs} inputs, ${s.inputsPerSecond.toFixed(0)}/s\n${formatOutcomes(s)}`);
      if (figures.length === PLAN.length) console.log(`\n${formatFigures(figures)}`);
      expect(s.inputs, 'the target ran').toBeGreaterThan(100);
      expect(s.outcomes['accepted'] ?? Object.keys(s.outcomes).some((k) => k.startsWith('accepted') || k.startsWith('valid')), 'some inputs got through').toBeTruthy();
      const found = findingCounts(s);
      expect(s.failures.map(formatFailure).join('\n\n'), JSON.stringify(found)).toBe('');
    }, 120_000);
  }
});
