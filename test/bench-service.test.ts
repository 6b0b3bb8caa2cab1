import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * bench/service.ts must keep running (a benchmark no one can run measures nothing): a few bound
 * devices against a service host in a child process, a second, and its JSON line accounts for
 * every acknowledged transaction read back and for the push sockets. Figures are not asserted:
 * they mean nothing on a loaded test machine.
 */
describe('bench/service.ts', () => {
  it('drives a service process with bound devices, reads every acknowledged write back, times push', async () => {
    const root = resolve(import.meta.dirname, '..');
    const run = (...args: string[]): Promise<string> => new Promise<string>((ok, fail) => {
      execFile(process.execPath, ['--import', resolve(root, 'test/support/ts-hooks.mjs'), resolve(root, 'bench/service.ts'), ...args],
        { cwd: root, timeout: 120_000 }, (e, stdout, stderr) => (e ? fail(Object.assign(new Error(`${e.message}\n${stderr}`), { code: e.code, stderr })) : ok(stdout)));
    });
    // A short warm-up, or back to back the devices would spend their 20 frames before the measured window.
    const out = await run('--devices', '4', '--seconds', '1', '--transactions', '60', '--idle', '6', '--warmup', '0.3');
    const line = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ store: 'embedded', hosts: 1, devices: 4, lost: 0, errors: 0, conflicts: 0, connections: 4 + 6, idleSockets: { opened: 6, asked: 6 } });
    expect(line['acknowledged']).toBeGreaterThan(0);
    expect(line['pushSamples']).toBeGreaterThan(0);
    expect(line['warmupSeconds']).toBe(0.3);
    for (const k of ['transactionsPerSecond', 'p50Ms', 'p99Ms', 'pushP99Ms', 'warmupP99Ms', 'warmupPushP99Ms', 'rssMb']) expect(typeof line[k]).toBe('number');
    // One host only on the embedded store.
    const refused = await run('--hosts', '2').then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/--hosts > 1 needs a store several processes share/);
  }, 150_000);
});
