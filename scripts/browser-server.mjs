// The local HTTP server of the browser tests: 127.0.0.1 only, an ephemeral port. Serves the
// portable-suite bundle (build/runtimes/), the shared vectors (../shared/vectors) and two pages:
//   /       CSP `script-src 'self' 'wasm-unsafe-eval'`  → init() must bring in the WASM core
//   /csp    CSP `script-src 'self'` (no wasm-unsafe-eval) → WebAssembly compilation is refused,
//           init() must fall back to the pure path and the whole suite must still pass.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, normalize, resolve, sep } from 'node:path';

const TYPES = { '.js': 'text/javascript', '.json': 'application/json', '.html': 'text/html', '.map': 'application/json' };

export const PAGES = {
  '/': { backend: 'wasm', csp: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" },
  '/csp': { backend: 'pure', csp: "default-src 'self'; script-src 'self'" },
};

function page(backend, push, connect) {
  return `<!doctype html><html data-backend="${backend}"${push ? ` data-push="${push}"` : ''}${connect?.length ? ` data-connect="${connect[0]}"` : ''}><head><meta charset="utf-8"><title>mathmesh portable suite</title></head>` +
    `<body><pre id="log"></pre><script type="module" src="/build/browser.js"></script></body></html>`;
}

/**
 * /stream: the streaming-envelope page (test/runtimes/browser-stream.ts), a large Blob through
 * the streaming API with its hash Web Worker. The CSP of `/` (WASM allowed); workers from 'self'.
 */
export const STREAM_PAGE = {
  path: '/stream',
  csp: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'",
  html: '<!doctype html><html><head><meta charset="utf-8"><title>mathmesh streaming envelopes</title></head>'
    + '<body><pre id="log"></pre><script type="module" src="/build/browser-stream.js"></script></body></html>',
};

/** A file under `root` for a URL path, or undefined if the path leaves it. */
function under(root, rel) {
  const file = resolve(root, normalize(decodeURIComponent(rel)).replace(/^([/\\])+/, ''));
  return file.startsWith(root + sep) ? file : undefined;
}

/**
 * `push`: the URL of the push suite's Mesh service (another origin): the pages name it and their
 * CSP lets them connect to it (`connect-src`, http and ws), nowhere else. `connect`: the connect
 * suite's origins (its PIN helper first, then its Mesh service), also allowed.
 */
export async function startServer({ bundleDir, vectorsDir, push, connect: connectOrigins = [] }) {
  const connect = push ? `; connect-src 'self' ${push} ${push.replace(/^http/, 'ws')}${connectOrigins.map((o) => ` ${o}`).join('')}` : '';
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === STREAM_PAGE.path) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': STREAM_PAGE.csp, 'cache-control': 'no-store' });
      res.end(STREAM_PAGE.html);
      return;
    }
    const p = PAGES[path];
    if (p) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': p.csp + connect, 'cache-control': 'no-store' });
      res.end(page(p.backend, push, connectOrigins));
      return;
    }
    const file = path.startsWith('/build/') ? under(bundleDir, path.slice(7))
      : path.startsWith('/vectors/') ? under(vectorsDir, path.slice(9)) : undefined;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(ok)) };
}
