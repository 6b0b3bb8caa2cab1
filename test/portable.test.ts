/**
 * The portable suites (test/portable/) on Node, under vitest: the same files Deno, Bun and
 * Chromium run through the portable runner (npm run test:runtimes). Also checks that runner:
 * its matchers must fail where vitest's fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeWebSocket } from '../adapters/node/index.js';
import { init } from '../sdk/crypto/index.js';
import { createRunner, expect as portableExpect, type TestApi } from './portable/harness.js';
import { registerAll } from './portable/index.js';
import { memoryFactory } from './portable/sequence.js';
import { nodeFsFactory } from './runtimes/node-stores.js';
import { NodeHome } from '../adapters/home/node.js';
import { memoryHomeFactory } from './portable/host.js';
import { loadVectors } from './portable/vectors.js';
import { vectorsDir } from './support/paths.js';
import { startPushTestServer } from './support/push-server.js';
import { startConnectTestServer } from './support/connect-server.js';
import type { WebSocketConstructor } from '../sdk/client/index.js';

// Homes of the host suite, removed when the suites are done.
const homesDir = mkdtempSync(join(tmpdir(), 'mathmesh-homes-'));
afterAll(() => rmSync(homesDir, { recursive: true, force: true }));

const vectors = await loadVectors((f) => readFile(resolve(vectorsDir, f), 'utf8'));
const backend = await init();
// The push suite's service, in this process; the runtime's WebSocket where it has one (Node ≥ 22), else ws.
const pushServer = await startPushTestServer();
afterAll(() => pushServer.close());
// The connect suite's service and administrator (test/support/connect-server.ts), in this process.
const connectServer = await startConnectTestServer();
afterAll(() => connectServer.close());
const pushWebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? NodeWebSocket;

registerAll({ describe, it, expect } as unknown as TestApi, {
  runtime: 'node', backend: 'wasm', native: true, nativeCurves: true,
  // Node 22 added Ed448 contexts to node:crypto; the native provider refuses them before that.
  nativeContexts: Number(process.versions.node.split('.')[0]) >= 22, vectors,
  push: { url: pushServer.url, WebSocket: pushWebSocket }, connect: connectServer.url,
}, [memoryFactory(), nodeFsFactory(mkdtempSync(join(tmpdir(), 'mathmesh-portable-')))], [
  memoryHomeFactory(), { label: 'node folder', make: async () => NodeHome.open(mkdtempSync(join(homesDir, 'home-'))) },
]);

describe('portable runner (the harness of Deno, Bun and browsers)', () => {
  it('init() on Node chose wasm', () => expect(backend).toBe('wasm'));

  it('matchers pass and fail as vitest does', () => {
    const fails = (f: () => void): boolean => {
      try {
        f();
        return false;
      } catch {
        return true;
      }
    };
    const e = portableExpect;
    expect(fails(() => e(Uint8Array.of(1, 2)).toEqual(Uint8Array.of(1, 2)))).toBe(false);
    expect(fails(() => e(Uint8Array.of(1, 2)).toEqual(Uint8Array.of(1, 3)))).toBe(true);
    expect(fails(() => e(Uint8Array.of(1)).toEqual(Uint16Array.of(1)))).toBe(true);
    expect(fails(() => e({ a: 1, b: undefined }).toEqual({ a: 1 }))).toBe(false);
    expect(fails(() => e({ a: [1, { c: 2n }] }).toEqual({ a: [1, { c: 3n }] }))).toBe(true);
    expect(fails(() => e(new Date(1)).toEqual(new Date(2)))).toBe(true);
    expect(fails(() => e(1).toBe(1))).toBe(false);
    expect(fails(() => e(1).not.toBe(1))).toBe(true);
    expect(fails(() => e('abc').toMatch(/b/))).toBe(false);
    expect(fails(() => e('abc').toMatch(/d/))).toBe(true);
    expect(fails(() => e([1, 2]).toContain(3))).toBe(true);
    expect(fails(() => e(2).toBeGreaterThan(2))).toBe(true);
    expect(fails(() => e(new RangeError('x')).toBeInstanceOf(TypeError))).toBe(true);
    expect(fails(() => e(() => undefined).toThrow())).toBe(true);
    expect(fails(() => e(() => { throw new RangeError('bad thing'); }).toThrow(/thing/))).toBe(false);
    expect(fails(() => e(() => { throw new RangeError('bad thing'); }).toThrow(TypeError))).toBe(true);
    expect(fails(() => e(() => { throw new RangeError('x'); }).not.toThrow())).toBe(true);
  });

  it('reports failing and throwing tests, and runs async ones', async () => {
    const r = createRunner();
    r.api.describe('outer', () => {
      r.api.it('passes', () => r.api.expect(1).toBe(1));
      r.api.it('fails', () => r.api.expect(1, 'one').toBe(2));
      r.api.it('throws', () => {
        throw new TypeError('boom');
      });
      r.api.it('async fails', async () => {
        await Promise.resolve();
        r.api.expect('a').toBe('b');
      });
    });
    const results = await r.run();
    expect(results.map((x) => [x.name, x.ok])).toEqual([
      ['outer > passes', true], ['outer > fails', false], ['outer > throws', false], ['outer > async fails', false],
    ]);
    expect(results[1]!.error).toMatch(/one: expected 1 to be 2/);
    expect(results[2]!.error).toMatch(/TypeError: boom/);
  });
});
