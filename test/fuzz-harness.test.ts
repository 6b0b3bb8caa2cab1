import { describe, expect, it } from 'vitest';
import { runTarget } from './fuzz/runner.js';

/**
 * The fuzz harness reports what it promises (test/fuzz/targets/selftest.ts misbehaves on
 * purpose): an input that never returns is stopped by the watchdog and reported with its bytes,
 * and the run goes on after it; an untyped error is reported minimised to the byte that causes it;
 * a heap blow-up is reported as `memory`. Without this, a quiet fuzz run could mean a blind harness.
 */
describe('fuzz harness', () => {
  it('reports a hang, an untyped error and a heap blow-up, each with the input that caused it', async () => {
    const s = await runTarget({ target: 'selftest', seed: 7, seconds: 10, budgetMs: 300, graceMs: 500, rssMb: 256, maxFailures: 20, maxRestarts: 12 });
    const hang = s.failures.find((f) => f.kind === 'hang');
    const untyped = s.failures.find((f) => f.kind === 'untyped');
    const memory = s.failures.find((f) => f.kind === 'memory');
    expect(hang, JSON.stringify(s.outcomes)).toBeDefined();
    expect(hang!.input[0]).toBe(0xff);
    expect(hang!.iteration).toBeGreaterThanOrEqual(0);
    expect(untyped?.message).toMatch(/TypeError: boom/);
    expect([...untyped!.input]).toEqual([0x7f]); // minimised to the one byte that matters
    expect(memory?.input[0]).toBe(0x00);
    expect(s.inputs).toBeGreaterThan(hang!.iteration); // resumed after the hang
  }, 90_000);
});
