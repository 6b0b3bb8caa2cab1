/**
 * Entry of the portable suites on plain Node (no vitest): the reference run of the very bundle
 * Deno, Bun and the browser run, so the test names each of them must also run are known.
 * Sequence stores: memory and the Node file adapter in a fresh temporary directory. Push: the
 * service at the URL given (scripts/test-runtimes.mjs starts it), over `ws`'s client on Node 20.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocketConstructor } from '../../sdk/client/index.js';
import { nodeFsFactory } from './node-stores.js';
import { NodeHome } from '../../adapters/home/node.js';
import { RESULT_MARKER, runPortable } from './run.js';

const dir = process.argv[2];
const pushUrl = process.argv[3];
const connectUrl = process.argv[4];
if (!dir) throw new Error('usage: node node.js <vectors dir> <push service URL>');
// Node 20 has no global WebSocket: ws's client (left external by the bundler) stands in, as
// NodeWebSocket in mathmesh/adapters/node does.
const { WebSocket: WsClient } = await import('ws');
const WebSocket = ((globalThis as { WebSocket?: unknown }).WebSocket ?? WsClient) as unknown as WebSocketConstructor;
const files = mkdtempSync(join(tmpdir(), 'mathmesh-node-seq-'));
const nodeFs = nodeFsFactory(files);
try {
  const summary = await runPortable(
    {
      runtime: 'node', backend: 'wasm', native: true, nativeCurves: true,
      nativeContexts: Number(process.versions.node.split('.')[0]) >= 22,
      ...(pushUrl ? { push: { url: pushUrl, WebSocket } } : {}), ...(connectUrl ? { connect: connectUrl } : {}),
    },
    (f) => readFile(`${dir}/${f}`, 'utf8'),
    undefined,
    [nodeFs],
    [{ label: 'node folder', make: async () => NodeHome.open(mkdtempSync(join(files, 'home-'))) }],
  );
  console.log(RESULT_MARKER + JSON.stringify(summary));
  process.exitCode = summary.failed === 0 && summary.passed > 0 ? 0 : 1;
} finally {
  rmSync(files, { recursive: true, force: true });
}
