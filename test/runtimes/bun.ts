/**
 * Entry of the portable suites on Bun: `bun run bun.js <vectors>`. Sequence stores: memory, and
 * adapters/store/bun.ts — the Node file adapter unchanged — in a fresh temporary directory. Push: the
 * service at the URL given, over Bun's own WebSocket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BunFileStore } from '../../adapters/store/bun.js';
import type { WebSocketConstructor } from '../../sdk/client/index.js';
import { nodeFsFactory } from './node-stores.js';
import { RESULT_MARKER, runPortable } from './run.js';

declare const Bun: {
  argv: string[];
  file(path: string): { text(): Promise<string> };
};

const dir = Bun.argv[2];
const pushUrl = Bun.argv[3];
const connectUrl = Bun.argv[4];
if (!dir) throw new Error('usage: bun run bun.js <vectors dir> <push service URL>');
const files = mkdtempSync(join(tmpdir(), 'mathmesh-bun-seq-'));
const bunFs = nodeFsFactory(files, 'node-fs under Bun', BunFileStore);
let summary;
try {
  summary = await runPortable(
    // Bun's node:crypto is BoringSSL: hashes, HMAC, HKDF and AES are native; no Curve448.
    {
      runtime: 'bun', backend: 'wasm', native: true, nativeCurves: false, nativeContexts: false,
      ...(pushUrl ? { push: { url: pushUrl, WebSocket: globalThis.WebSocket as unknown as WebSocketConstructor } } : {}),
      ...(connectUrl ? { connect: connectUrl } : {}),
    },
    (f) => Bun.file(`${dir}/${f}`).text(),
    undefined,
    [bunFs],
  );
} finally {
  rmSync(files, { recursive: true, force: true });
}
console.log(RESULT_MARKER + JSON.stringify(summary));
process.exit(summary.failed === 0 && summary.passed > 0 ? 0 : 1);
