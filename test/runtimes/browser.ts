/**
 * Entry of the portable suites in a browser page (served by scripts/test-runtimes.mjs on
 * 127.0.0.1): vectors over HTTP, and the page's CSP decides whether WASM may compile — the
 * page sets `data-backend` to what the server's CSP allows, and the suite checks init() agrees.
 */
import type { RunSummary } from '../portable/harness.js';
import { runPortable } from './run.js';

declare global {
  // eslint-disable-next-line no-var
  var __meshResult: RunSummary | { error: string } | undefined;
}

const expected = document.documentElement.dataset['backend'] === 'pure' ? 'pure' : 'wasm';
const out = document.getElementById('log')!;
try {
  globalThis.__meshResult = await runPortable(
    { runtime: 'browser', backend: expected, native: false, nativeCurves: false, nativeContexts: false },
    async (f) => {
      const r = await fetch(`/vectors/${f}`);
      if (!r.ok) throw new Error(`GET /vectors/${f}: ${r.status}`);
      return r.text();
    },
    (line) => void (out.textContent += line + '\n'),
  );
} catch (e) {
  globalThis.__meshResult = { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
}
