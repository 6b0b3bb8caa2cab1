import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackFetch } from '../bench/loopback-fetch.js';
import { HeaderFields } from '../sdk/protocol/header-fields.js';

/**
 * The bench devices' fetch on undici's dispatcher (bench/loopback-fetch.ts) against node:http:
 * what it sends is a request node:http reads (fields, body), what it hands back is the answer
 * (status, fields as Headers reads them, the body byte for byte), keep-alive connections are
 * reused and a closed one is not, a field that would split the request is refused.
 */
describe('bench loopbackFetch', () => {
  let server: Server;
  let base: string;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url === '/chunked') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('part');
          res.end('rest');
          return;
        }
        if (req.url === '/hang') return; // never answers
        const echo = Buffer.from(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('base64') }));
        res.writeHead(req.url === '/close' ? 201 : 200, ['content-type', 'application/json', 'x-twice', 'a', 'X-Twice', ' b ', 'content-length', String(echo.length),
          ...(req.url === '/close' ? ['connection', 'close'] : [])]);
        res.end(echo);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const read = async (res: Response): Promise<Uint8Array> => {
    const reader = res.body!.getReader();
    const parts: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value!);
    return Buffer.concat(parts);
  };

  it('sends the fields and body, answers with status, fields and body, over one reused connection', async () => {
    const fetch = loopbackFetch({ maxSockets: 1 });
    const before = connections;
    const fields = new HeaderFields({ 'content-type': 'application/json', 'signature-input': 'mmm=("@method");created=1' });
    const body = new Uint8Array(100_000).map((_, i) => i % 251); // a body in several TCP segments
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/.well-known/mmm/Status?x=${i}`, { method: 'POST', headers: fields.record, body });
      expect(res.status).toBe(200);
      expect(res.headers.get('X-TWICE')).toBe('a, b');
      const echo = JSON.parse(Buffer.from(await read(res)).toString()) as { method: string; url: string; headers: Record<string, string>; body: string };
      expect(echo).toMatchObject({ method: 'POST', url: `/.well-known/mmm/Status?x=${i}` });
      expect(echo.headers).toMatchObject({ 'content-type': 'application/json', 'signature-input': 'mmm=("@method");created=1', 'content-length': '100000', host: base.slice(7) });
      expect(Buffer.from(echo.body, 'base64').equals(Buffer.from(body))).toBe(true);
    }
    expect(connections - before).toBe(1);
  });

  it('a "connection: close" answer is read, and its connection not reused', async () => {
    const fetch = loopbackFetch();
    const before = connections;
    const closed = await fetch(`${base}/close`, { method: 'POST', headers: {}, body: new Uint8Array(0) });
    expect(closed.status).toBe(201);
    await read(closed);
    expect((await fetch(`${base}/again`, { method: 'POST', headers: {}, body: new Uint8Array(1) })).status).toBe(200);
    expect(connections - before).toBe(2);
  });

  it('reads a chunked answer whole, refuses a field that would split the request, and stops at an abort', async () => {
    const fetch = loopbackFetch();
    expect(Buffer.from(await read(await fetch(`${base}/chunked`, { method: 'POST', headers: {}, body: new Uint8Array(0) }))).toString()).toBe('partrest');
    await expect(fetch(`${base}/x`, { method: 'POST', headers: { 'x-bad': 'a\r\nInjected: 1' }, body: new Uint8Array(0) })).rejects.toThrow(/header/i);
    const abort = new AbortController();
    const hung = fetch(`${base}/hang`, { method: 'POST', headers: {}, body: new Uint8Array(0), signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    await expect(hung).rejects.toMatchObject({ name: 'AbortError' });
    // The pool still serves after the failures.
    expect((await fetch(`${base}/ok`, { method: 'POST', headers: {}, body: new Uint8Array(0) })).status).toBe(200);
  });

  it('an idle connection is not reused in the last second of the server\'s keep-alive timeout (it may be closing it)', async () => {
    const short = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    short.keepAliveTimeout = 2000; // announced as Keep-Alive: timeout=2
    let opened = 0;
    short.on('connection', () => opened++);
    await new Promise<void>((r) => short.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(short.address() as AddressInfo).port}/`;
      const fetch = loopbackFetch({ maxSockets: 1 });
      const send = async (): Promise<void> => void (await read(await fetch(url, { method: 'POST', headers: {}, body: new Uint8Array(0) })));
      await send();
      await send(); // at once: reused
      expect(opened).toBe(1);
      await new Promise((r) => setTimeout(r, 1200)); // past timeout - 1 s, before the server closes it
      await send();
      expect(opened).toBe(2);
    } finally {
      short.closeAllConnections();
      await new Promise((r) => short.close(r));
    }
  });

  it('requests beyond maxSockets wait for a connection, and all are answered', async () => {
    const fetch = loopbackFetch({ maxSockets: 2 });
    const before = connections;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${base}/n${i}`, { method: 'POST', headers: {}, body: new Uint8Array([i]) })));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(connections - before).toBeLessThanOrEqual(2);
  });
});
