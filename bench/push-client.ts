/**
 * The client side of bench/push.ts, in its own process (so that the service's RSS is the
 * service's): opens the WebSockets it is sent (`ws`, no compression), counts one as open when
 * its heads snapshot arrives, and times each `change` on a watching socket against the commit's
 * start time that the bench wrote into the head's digest (8 bytes, ms on the machine's clock).
 */
import WebSocket from 'ws';
import { base64urlDecode } from '../sdk/encoding/base64url.js';

interface OpenRequest {
  type: 'open';
  sockets: { url: string; watch: boolean }[];
}

const held: WebSocket[] = [];
const latencies: number[] = [];

function open({ url, watch }: { url: string; watch: boolean }): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let snapshot = false;
    ws.on('message', (data: Buffer) => {
      const now = performance.timeOrigin + performance.now();
      for (const line of data.toString().split('\n')) {
        if (!snapshot) {
          snapshot = line.startsWith('{"type":"heads"');
          if (snapshot) resolve(true);
          continue;
        }
        if (!watch || !line.startsWith('{"type":"change"')) continue;
        const digest = (JSON.parse(line) as { digest?: string }).digest;
        if (digest === undefined) continue;
        const bytes = base64urlDecode(digest);
        if (bytes.length === 8) latencies.push(now - new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0));
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (!snapshot) resolve(false);
    });
    held.push(ws);
  });
}

process.on('message', async (m: OpenRequest | { type: 'report' }) => {
  if (m.type === 'open') {
    const results = await Promise.all(m.sockets.map(open));
    const opened = results.filter(Boolean).length;
    process.send!({ type: 'opened', opened, failed: results.length - opened });
  } else {
    process.send!({ type: 'latencies', latencies, rssMb: process.memoryUsage().rss / 2 ** 20 });
  }
});
