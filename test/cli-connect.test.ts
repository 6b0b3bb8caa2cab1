import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../sdk/cli/main.js';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';
import { testService } from './support/mesh-service.js';

// Connecting devices end to end through the `mesh` CLI (features.md §C; protocol.md F2, F3):
// several homes on disk, one service on loopback, in-process.

interface Run {
  status: number;
  out: string;
  err: string;
}

async function mesh(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIo = { ...nodeIo, stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, kdfLogN: 10, promptSecret: async () => undefined };
  const status = await main(args, io);
  return { status, out, err };
}

async function ok(...args: string[]): Promise<string> {
  const r = await mesh(...args);
  if (r.status !== 0) throw new Error(`mesh ${args.join(' ')} → ${r.status}: ${r.err}`);
  expect(r.err).toBe('');
  return r.out;
}
const json = async (...args: string[]): Promise<any> => JSON.parse(await ok(...args, '--json'));

const root = mkdtempSync(resolve(tmpdir(), 'mesh-connect-cli-'));
let service: Awaited<ReturnType<typeof testService>>;
beforeAll(async () => {
  service = await testService();
});
afterAll(async () => {
  await service?.stop();
  rmSync(root, { recursive: true, force: true });
});
const home = (name: string): string[] => ['--home', join(root, name)];

describe('mesh device: direct connection with witness (F2)', () => {
  it('request prints the witness; pending shows it; accept; complete joins and syncs; password get works on the new device', async () => {
    const A = home('alice-admin');
    const B = home('alice-phone');
    await ok('account', 'create', 'alice@example.com', '--service', service.endpoint, ...A);
    await ok('password', 'add', 'ftp.example.com', 'alice1', 's3cret', ...A);
    await ok('account', 'sync', ...A);

    const req = await json('device', 'request', 'alice@example.com', '--service', service.endpoint, ...B);
    expect(req.witness).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4})+/);
    const text = await mesh('device', 'complete', ...B);
    expect(text).toMatchObject({ status: 0 });
    expect(text.out).toMatch(/^Pending/);

    const pending = await json('device', 'pending', ...A);
    expect(pending.requests).toEqual([expect.objectContaining({ witness: req.witness, device: req.device, pin: false })]);
    expect(await ok('device', 'accept', req.witness, '--roles', 'web', ...A)).toBe(`Accepted ${req.device} with roles web\n`);
    const done = await json('device', 'complete', ...B);
    expect(done).toMatchObject({ state: 'accepted', account: 'alice@example.com', device: req.device, roles: ['web'] });
    expect(done.downloaded).toBeGreaterThan(0);
    expect(await ok('password', 'get', 'ftp.example.com', ...B)).toContain('s3cret');

    // Both devices are listed with their roles; the request is no longer pending.
    const list = await json('device', 'list', ...A);
    expect(list.devices).toEqual(expect.arrayContaining([
      expect.objectContaining({ deviceUdf: req.device, roles: ['web'], active: true, self: false, lastSync: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
      expect.objectContaining({ self: true, roles: ['super', 'admin', 'web'] }),
    ]));
    expect(await ok('device', 'list', ...A)).toMatch(new RegExp(`^${req.device} roles=web last-sync=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ`, 'm'));
    expect((await json('device', 'pending', ...A)).requests).toEqual([]);
  });

  it('reject: the device is told so (exit 1) and holds no account', async () => {
    const A = home('bob-admin');
    const B = home('bob-phone');
    await ok('account', 'create', 'bob@example.com', '--service', service.endpoint, ...A);
    const req = await json('device', 'request', 'bob@example.com', '--service', service.endpoint, ...B);
    await ok('device', 'reject', req.witness, ...A);
    const r = await mesh('device', 'complete', ...B);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/^Rejected/);
    expect((await json('account', 'list', ...B)).accounts ?? []).toEqual([]);
    // A witness nobody asked with is refused with a clear message.
    const bad = await mesh('device', 'accept', 'AAAA-BBBB-CCCC', ...A);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/^mesh: MESH_NOT_FOUND: no open connection request/);
  });
});

describe('mesh device: PIN and QR (F3)', () => {
  it('account pin --qr --png; device request mcu://…; account sync --auto accepts; a reused PIN is PinUsed, a wrong one PinInvalid', async () => {
    const A = home('carol-admin');
    await ok('account', 'create', 'carol@example.com', '--service', service.endpoint, ...A);
    const png = join(root, 'pin.png');
    const out = await ok('account', 'pin', '--roles', 'message', '--qr', '--png', png, ...A);
    const uri = /^URI=(\S+)$/m.exec(out)![1]!;
    const pin = /^PIN=(\S+)$/m.exec(out)![1]!;
    expect(uri).toBe(`mcu://carol@example.com/${pin}`);
    expect(out).toMatch(/[█▀▄]/u);
    expect([...readFileSync(png).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const B = home('carol-tablet');
    const C = home('carol-reuse');
    const D = home('carol-wrong');
    const viaUri = await json('device', 'request', uri, '--service', service.endpoint, ...B);
    expect(viaUri.pin).toBe(true);
    await json('device', 'request', 'carol@example.com', '--pin', pin, '--service', service.endpoint, ...C);
    const other = /^PIN=(\S+)$/m.exec(await ok('account', 'pin', ...A))!;
    // A PIN of the right form that the account never issued.
    const wrongPin = other[1]!.slice(0, -2) + (other[1]!.endsWith('AA') ? 'BB' : 'AA');
    const wrong = await mesh('device', 'request', 'carol@example.com', '--pin', wrongPin, '--service', service.endpoint, ...D);
    expect(wrong.status).toBe(0);

    const auto = await json('account', 'sync', '--auto', ...A);
    const reasons = auto.connections.map((c: any) => [c.result, c.reason ?? null]).sort();
    expect(reasons).toEqual([['Accept', null], ['Reject', 'MESH_PIN_INVALID'], ['Reject', 'MESH_PIN_USED']].sort());
    const states = await Promise.all([B, C, D].map(async (h) => (await mesh('device', 'complete', '--json', ...h)).out));
    const parsed = states.map((s) => JSON.parse(s).state).sort();
    expect(parsed).toEqual(['accepted', 'rejected', 'rejected']);
    // The device told "rejected" learns nothing about why.
    for (const s of states) expect(s).not.toMatch(/Pin(Used|Invalid|Expired)|MESH_PIN/);
  });

  it('an expired PIN is PinExpired', async () => {
    const A = home('dan-admin');
    await ok('account', 'create', 'dan@example.com', '--service', service.endpoint, ...A);
    const out = await ok('account', 'pin', '--expire', '1s', ...A);
    const uri = /^URI=(\S+)$/m.exec(out)![1]!;
    await ok('device', 'request', uri, '--service', service.endpoint, ...home('dan-late'));
    await new Promise((r) => setTimeout(r, 2100));
    const auto = await ok('account', 'sync', '--auto', ...A);
    expect(auto).toMatch(/^Rejected \S+: PinExpired$/m);
  });
});

describe('mesh device: list, auth, delete (features.md §C; protocol.md F10)', () => {
  it('auth changes the roles at the next sync; delete revokes: the phone\'s sync is refused, the laptop goes on with re-keyed stores', async () => {
    const A = home('erik-admin');
    const P = home('erik-phone');
    const L = home('erik-laptop');
    await ok('account', 'create', 'erik@example.com', '--service', service.endpoint, ...A);
    await ok('password', 'add', 'ftp.example.com', 'erik', 'one', ...A);
    await ok('account', 'sync', ...A);
    const join = async (H: string[], roles: string): Promise<string> => {
      const req = await json('device', 'request', 'erik@example.com', '--service', service.endpoint, ...H);
      await ok('device', 'accept', req.witness, '--roles', roles, ...A);
      await ok('device', 'complete', ...H);
      return req.device as string;
    };
    const phone = await join(P, 'message');
    const laptop = await join(L, 'web');
    const denied = await mesh('password', 'get', 'ftp.example.com', ...P);
    expect(denied.status).toBe(2);
    expect(denied.err).toMatch(/MESH_NOT_AUTHORIZED/);
    expect(await ok('device', 'auth', phone, '--roles', 'web', ...A)).toBe(`${phone} roles=web\n`);
    await ok('account', 'sync', ...P);
    expect(await ok('password', 'get', 'ftp.example.com', ...P)).toContain('one');

    const deleted = await json('device', 'delete', phone, ...A);
    expect(deleted.rekeyed).toMatchObject({ MMM_Credential: 1 });
    expect(deleted.reissued).toContain(laptop);
    const refused = await mesh('account', 'sync', ...P);
    expect(refused.status).toBe(2);
    expect(refused.err).toMatch(/^mesh: PROTOCOL_REFUSED: .*403 .*DeviceRevoked/);
    await ok('password', 'add', 'new.example.com', 'erik', 'two', ...A);
    await ok('account', 'sync', ...A);
    await ok('account', 'sync', ...L);
    expect(await ok('password', 'get', 'new.example.com', ...L)).toContain('two');
    const list = await json('device', 'list', ...A);
    expect(list.devices.map((d: any) => d.deviceUdf)).not.toContain(phone);
    expect(list.devices).toEqual(expect.arrayContaining([expect.objectContaining({ deviceUdf: laptop, active: true })]));
  });
});


describe('mesh device: preconfigured (F4)', () => {
  it('device preconfig (maker) → device install → account connect URI → device complete prints the account', async () => {
    const M = home('maker');
    const A = home('lena-admin');
    const D = home('lena-thermostat');
    await ok('account', 'create', 'maker@example.com', '--service', service.endpoint, ...M);
    await ok('account', 'create', 'lena@example.com', '--service', service.endpoint, ...A);
    const lena = (await json('account', 'info', ...A));
    const file = join(root, 'thermostat.medk');
    const made = await json('device', 'preconfig', '--out', file, '--description', 'thermostat', ...M);
    expect(made.uri).toMatch(/^mcu:\/\/maker@example\.com\/E/);
    const installed = await json('device', 'install', file, '--service', service.endpoint, ...D);
    expect(installed.device).toBe(made.device);
    expect((await json('device', 'complete', '--service', service.endpoint, ...D)).state).toBe('pending');
    expect(await ok('account', 'connect', made.uri, '--roles', 'web', '--service', service.endpoint, ...A)).toBe(`Connected ${made.device} with roles web\n`);
    const done = await json('device', 'complete', '--service', service.endpoint, ...D);
    expect(done).toMatchObject({ state: 'accepted', account: 'lena@example.com', udf: lena.udf, device: made.device });
  });
});

describe('mesh account watch (push, protocol.md §2)', () => {
  it('an administrator watching is told of a connection request as it comes, with its witness', async () => {
    const A = home('mona-admin');
    await ok('account', 'create', 'mona@example.com', '--service', service.endpoint, ...A);
    const watching = mesh('account', 'watch', '--count', '1', ...A);
    await new Promise((r) => setTimeout(r, 500));
    const req = await json('device', 'request', 'mona@example.com', '--service', service.endpoint, ...home('mona-phone'));
    const w = await watching;
    expect(w.status).toBe(0);
    expect(w.out).toMatch(/^MMM_Inbound: index \d+, 1 downloaded$/m);
    expect(w.out).toContain(`Connection request: Device=${req.device} Witness=${req.witness}`);
  });
});
