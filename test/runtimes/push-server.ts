/**
 * The Mesh service the portable push suite talks to from Deno, Bun, Chromium and Node
 * (scripts/test-runtimes.mjs): `node --import ./test/support/ts-hooks.mjs test/runtimes/push-server.ts`.
 * Prints one JSON line `{"url": …}` once listening on loopback, and serves until its standard
 * input closes (so it never outlives the script that started it).
 */
import { startConnectTestServer } from '../support/connect-server.js';
import { startPushTestServer } from '../support/push-server.js';

const server = await startPushTestServer();
// The connect suite's service, administrator and PIN helper (test/support/connect-server.ts).
const connect = await startConnectTestServer();
console.log(JSON.stringify({ url: server.url, connect: connect.url, connectService: connect.endpoint }));
let closing = false;
const stop = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  await server.close();
  await connect.close();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.on('SIGTERM', () => void stop());
process.stdin.resume();
