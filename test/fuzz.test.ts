import { describe, expect, it } from 'vitest';
import type { Failure, TargetStats } from './fuzz/engine.js';
import { formatFailure, formatFigures, formatOutcomes, runTarget } from './fuzz/runner.js';

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
const PLAN: [string, number][] = [['jsonb', 2], ['json', 2], ['envelope', 5], ['envelope-stream', 2], ['sequence', 5]];

/**
 * Findings in code this suite's author does not own, reported to its owner and not failed on
 * here: matched by target and message, printed on every run that meets them. Delete an entry
 * with the fix (a run that meets a fixed finding again fails as usual).
 */
const REPORTED: { target: string; message: RegExp; note: string }[] = [];

const reported = (f: Failure): string | undefined => REPORTED.find((r) => r.target === f.target && r.message.test(f.message))?.note;

const figures: TargetStats[] = [];

describe('fuzz (bounded)', () => {
  for (const [target, seconds] of PLAN) {
    it(`${target}: no untyped error, hang or accepted change of a covered value`, async () => {
      const s = await runTarget({ target, seed, seconds: seconds * scale });
      figures.push(s);
      console.log(`fuzz ${target}: ${s.inputs} inputs, ${s.inputsPerSecond.toFixed(0)}/s\n${formatOutcomes(s)}`);
      if (figures.length === PLAN.length) console.log(`\n${formatFigures(figures)}`);
      for (const f of s.failures.filter(reported)) console.warn(`REPORTED, not fixed here (${reported(f)}):\n${formatFailure(f)}`);
      expect(s.inputs, 'the target ran (a few hundred inputs even on a loaded machine)').toBeGreaterThan(20);
      expect(Object.keys(s.outcomes).some((k) => /^(accepted|valid|intact|trusted)/.test(k)), 'some inputs got through').toBe(true);
      expect(s.failures.filter((f) => !reported(f)).map(formatFailure).join('\n\n')).toBe('');
    }, 120_000);
  }
});
