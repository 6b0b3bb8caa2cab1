import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * bench/push.ts must keep running (a benchmark no one can run measures nothing): a few dozen
 * sockets from a child process, a few commits, and its JSON line accounts for every socket and
 * every notification. Figures are not asserted: they mean nothing on a loaded test machine.
 */
describe('bench/push.ts', () => {
  it('opens its sockets from another process and times every notification', async () => {
    const root = resolve(import.meta.dirname, '..');
    const out = await new Promise<string>((ok, fail) => {
      execFile(process.execPath, ['--expose-gc', '--import', resolve(root, 'test/support/ts-hooks.mjs'), resolve(root, 'bench/push.ts'),
        '--sockets', '40', '--devices-per-account', '4', '--commits', '12', '--interval-ms', '5', '--clients', '2', '--batch', '10'],
      { cwd: root, timeout: 120_000 }, (e, stdout, stderr) => (e ? fail(new Error(`${e.message}\n${stderr}`)) : ok(stdout)));
    });
    const line = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | null>;
    expect(line).toMatchObject({ sockets: 40, opened: 40, failed: 0, connections: 40, commits: 12 });
    expect(line['notifications']).toBe(line['expectedNotifications']);
    expect(line['expectedNotifications']).toBe(12 * 4); // each commit reaches the 4 devices of its account
    for (const k of ['rssMb', 'pushP50Ms', 'pushP99Ms']) expect(typeof line[k]).toBe('number');
  });
});
