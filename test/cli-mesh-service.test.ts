import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHome } from '../adapters/home/node.js';
import { MemoryHome } from '../adapters/home/memory.js';
import { NodeWebSocket } from '../adapters/http/node-push.js';
import { provisionDevice } from '../bench/mesh-devices.js';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';
import { main } from '../sdk/cli/main.js';
import { MeshClient } from '../sdk/client/index.js';
import { MeshHost } from '../sdk/mesh/index.js';
import { testService } from './support/mesh-service.js';

/**
 * The service verbs of the `mesh` CLI end to end against a service on loopback (protocol.md F1,
 * F5, F11; §2 push): `account create --service` (creates and binds), `account hello`, `account
 * status`, `account sync`, `account watch --json` (one JSON object per line, per change taken),
 * `account delete`. In-process, a home on disk; the second device of the account is made
 * through the SDK (the connection flows are not this suite's).
 */

let service: Awaited<ReturnType<typeof testService>>;
const root = mkdtempSync(join(tmpdir(), 'mesh-cli-service-'));
const home = join(root, 'home');
beforeAll(async () => {
  service = await testService({ service: { push: { keepaliveMs: 0 } } });
});
afterAll(async () => {
  await service?.stop();
  rmSync(root, { recursive: true, force: true });
});

interface Run {
  status: number;
  out: string;
  err: string;
}

async function mesh(...args: string[]): Promise<Run> {
  return meshWatching(() => undefined, ...args);
}

async function meshWatching(onOut: (out: string) => void, ...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const stdout = (t: string): void => {
    out += t;
    onOut(out);
  };
  const io: CliIo = { ...nodeIo, stdout, stderr: (t) => void (err += t), env: {}, kdfLogN: 10, promptSecret: async () => undefined };
  const status = await main(args, io);
  return { status, out, err };
}

async function json(...args: string[]): Promise<any> {
  const r = await mesh(...args, '--json');
  if (r.status !== 0) throw new Error(`mesh ${args.join(' ')} → ${r.status}: ${r.err}`);
  expect(r.err).toBe('');
  return JSON.parse(r.out);
}

describe('mesh account: the service verbs', () => {
  it('create --service binds; hello, status, sync; watch --json prints one JSON line per change; delete unbinds', async () => {
    const H = ['--home', home];
    const created = await json('account', 'create', 'ada@example.com', '--service', service.endpoint, ...H);
    expect(created).toMatchObject({ account: 'ada@example.com', serviceUdf: service.udf });

    expect(await json('account', 'hello', '--service', service.endpoint)).toMatchObject({ udf: service.udf, service: service.endpoint });
    expect(await json('account', 'hello', ...H)).toMatchObject({ udf: service.udf });

    const status = await json('account', 'status', ...H);
    expect(status.serviceUdf).toBe(service.udf);
    for (const s of status.stores as { index: number; local: number }[]) expect(s.index + 1).toBe(s.local);

    expect((await mesh('password', 'add', 'ftp.example.com', 'ada', 'pw1', ...H)).status).toBe(0);
    expect(await json('account', 'sync', ...H)).toMatchObject({ account: 'ada@example.com', uploaded: 1, downloaded: 0, conflicts: 0 });
    expect(await json('account', 'sync', ...H)).toMatchObject({ uploaded: 0, downloaded: 0 });

    // A second device of the account (made through the SDK from the administrator home).
    const adminHost = await MeshHost.open(NodeHome.open(home));
    const adminAccount = await adminHost.account('ada@example.com');
    const phone = await provisionDevice(adminAccount, new MemoryHome(), ['web']);
    await new MeshClient(adminAccount, { WebSocket: NodeWebSocket }).sync();
    const phoneClient = new MeshClient(phone.account, { WebSocket: NodeWebSocket });
    await phoneClient.sync();

    // The watch, then two changes made on the phone, the second once the first was printed (two
    // quick changes may come as one: notifications are merged per store): one line each, JSON.
    let printed = (): void => undefined;
    const firstLine = new Promise<void>((r) => (printed = r));
    const watching = meshWatching((out) => out.includes('\n') && printed(), 'account', 'watch', '--json', '--count', '2', ...H);
    for (const [site, pw] of [['a.example.com', 'x'], ['b.example.com', 'y']] as const) {
      if (site === 'b.example.com') await firstLine;
      const c = await phone.account.catalog('credential');
      await c.put({ $class: 'CatalogedCredential', Service: site, Username: 'ada', Password: pw });
      await c.close();
      await phoneClient.sync();
    }
    const watched = await watching;
    expect(watched.status, watched.err).toBe(0);
    const lines = watched.out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const changes = lines.map((l) => JSON.parse(l) as { store: string; index: number; downloaded: number });
    expect(changes.every((c) => c.store === 'MMM_Credential')).toBe(true);
    expect(changes.reduce((n, c) => n + c.downloaded, 0)).toBe(2);
    expect(changes[1]!.index).toBeGreaterThan(changes[0]!.index);
    const list = await mesh('password', 'list', ...H);
    expect(list.out).toContain('ada@b.example.com');

    // A bad service option is a one-line refusal, exit 2, before anything starts.
    const bad = await mesh('service', 'start', '--max-upload', '100', '--data', join(root, 'never'));
    expect([bad.status, bad.out]).toEqual([2, '']);
    expect(bad.err).toMatch(/^mesh: SERVICE_BAD_CONFIG: --max-upload is at least 32768 bytes/);

    // delete: the account is gone at the service, and from this home.
    expect(await json('account', 'delete', ...H)).toMatchObject({ account: 'ada@example.com', unbound: true });
    expect(await service.store.getAccount('ada@example.com')).toBeUndefined();
  });
});
