/**
 * Entry of the portable suites on Deno:
 * `deno run --allow-read=<vectors>,<tmp> --allow-write=<tmp> --allow-net=<push host> deno.js <vectors> <tmp> <push URL>`.
 * Push: the service at the URL given, over Deno's own WebSocket.
 * Sequence stores: memory, and adapters/store/deno.ts in `<tmp>` (a directory the caller made).
 */
import { DenoFileStore } from '../../adapters/store/deno.js';
import type { WebSocketConstructor } from '../../sdk/client/index.js';
import type { StoreFactory } from '../portable/index.js';
import { RESULT_MARKER, runPortable } from './run.js';

declare const Deno: {
  args: string[];
  readTextFile(path: string): Promise<string>;
  truncate(path: string, len: number): Promise<void>;
  writeTextFile(path: string, data: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  exit(code: number): never;
};

const dir = Deno.args[0];
const files = Deno.args[1];
const pushUrl = Deno.args[2];
const connectUrl = Deno.args[3];
if (!dir || !files) throw new Error('usage: deno run --allow-read --allow-write --allow-net=<push host> deno.js <vectors dir> <scratch dir> <push service URL>');
const denoFs: StoreFactory = {
  label: 'deno-fs',
  open: (name, o) => (o.writable ? DenoFileStore.openWrite(`${files}/${name}`, { durability: o.durability ?? 'fsync', groupBytes: o.groupBytes }) : DenoFileStore.openRead(`${files}/${name}`)),
  cut: (name, size) => Deno.truncate(`${files}/${name}`, size),
  // What a Deno writer that died leaves: the newest generation of the writer lock
  // (adapters/store/file-lock.ts) naming it, with no flock on it.
  abandonWriter: async (name) => {
    await Deno.mkdir(`${files}/${name}.lock`, { recursive: true });
    await Deno.writeTextFile(`${files}/${name}.lock/g00000000000f0000`, 'pid 0x3b9ac9ff deno\n');
  },
};
const summary = await runPortable(
  // Deno's node:crypto (process.getBuiltinModule) backs the native provider, Ed448/X448 included
  // but without Ed448 contexts (its sign() refuses the context option).
  {
    runtime: 'deno', backend: 'wasm', native: true, nativeCurves: true, nativeContexts: false,
    ...(pushUrl ? { push: { url: pushUrl, WebSocket: globalThis.WebSocket as unknown as WebSocketConstructor } } : {}),
    ...(connectUrl ? { connect: connectUrl } : {}),
  },
  (f) => Deno.readTextFile(`${dir}/${f}`),
  undefined,
  [denoFs],
);
console.log(RESULT_MARKER + JSON.stringify(summary));
Deno.exit(summary.failed === 0 && summary.passed > 0 ? 0 : 1);
