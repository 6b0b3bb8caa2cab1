import type { FuzzTarget } from '../engine.js';

/**
 * A target that misbehaves on purpose, for test/fuzz-harness.test.ts: it proves that the harness
 * reports what it promises to (a hang stopped by the watchdog, an untyped error minimised, a heap
 * blow-up), so a quiet fuzz run means quiet targets and not a blind harness. Never run by default.
 * A byte 0x7F anywhere: throws a TypeError; an input starting with 0xFF never returns, one starting
 * with 0x00 allocates without bound (rarer, so that the untyped error is met first).
 */
export const selftestTarget: FuzzTarget<null> = {
  name: 'selftest',
  summary: 'the harness itself (hang, untyped error, memory)',
  async corpus() {
    return [{ id: 'text', bytes: new TextEncoder().encode('a harmless input of some length'), context: null }];
  },
  mutators: () => [],
  check(input) {
    if (input[0] === 0xff) for (;;);
    if (input.includes(0x7f)) throw new TypeError('boom');
    if (input[0] === 0x00) {
      const hog: Uint8Array[] = [];
      for (;;) hog.push(new Uint8Array(1 << 20).fill(1)); // ArrayBuffers: outside the heap limit, caught by the memory bound
    }
    return 'accepted';
  },
};
