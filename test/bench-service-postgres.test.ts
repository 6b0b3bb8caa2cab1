import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { describePostgres, sql } from './support/postgres.js';

/**
 * bench/service.ts on PostgreSQL with two hosts must keep running (`npm run bench:service --
 * --store postgres://… --hosts 2`, the multi-host figures): a few bound devices, the devices of
 * each account on different hosts so every push crosses hosts, every acknowledged transaction
 * read back, and the bench's own schema dropped afterwards. Figures are not asserted: they mean
 * nothing on a loaded test machine.
 */
describePostgres('bench/service.ts on PostgreSQL', (url) => {
  it('--store postgres://… --hosts 2: two hosts, pushes across them, lost 0, no schema left behind', async () => {
    const root = resolve(import.meta.dirname, '..');
    const schemas = async (): Promise<string[]> => (await sql<{ nspname: string }>(url, 'SELECT nspname FROM pg_namespace')).map((r) => r.nspname).sort();
    const before = await schemas();
    const out = await new Promise<string>((ok, fail) => {
      execFile(process.execPath, [
        '--import', resolve(root, 'test/support/ts-hooks.mjs'), resolve(root, 'bench/service.ts'),
        '--store', url, '--hosts', '2', '--devices', '4', '--seconds', '1', '--transactions', '60', '--warmup', '0.3',
      ], { cwd: root, timeout: 120_000 }, (e, stdout, stderr) => (e ? fail(new Error(`${e.message}\n${stderr}`)) : ok(stdout)));
    });
    const line = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ store: 'postgres', hosts: 2, devices: 4, lost: 0, errors: 0 });
    expect(line['acknowledged']).toBeGreaterThan(0);
    expect(line['pushSamples']).toBeGreaterThan(0);
    expect(out).not.toContain(new URL(url).password);
    expect(await schemas()).toEqual(before);
  }, 150_000);
});
