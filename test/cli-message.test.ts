import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeIo, type CliIo } from '../sdk/cli/io.js';
import { main } from '../sdk/cli/main.js';
import { testService } from './support/mesh-service.js';

/**
 * features.md rows 44–51 (row 45 with --read / --unread / --raw) through the `mesh` CLI, in-process, with two services on loopback
 * (alice@a.test, bob@b.test) found through MESH_RESOLVE — the transcript of protocol.md F6, F7.
 */

type Service = Awaited<ReturnType<typeof testService>>;
let a: Service;
let b: Service;
let env: Record<string, string> = {};
const serviceLog: string[] = [];
const root = mkdtempSync(join(tmpdir(), 'mesh-cli-message-'));
const HA = ['--home', join(root, 'alice')];
const HB = ['--home', join(root, 'bob')];

beforeAll(async () => {
  let resolve = '';
  const messaging = { resolve: () => resolve };
  a = await testService({ serviceName: 'a.test', service: { messaging }, onLog: (l) => serviceLog.push(l) });
  b = await testService({ serviceName: 'b.test', service: { messaging }, onLog: (l) => serviceLog.push(l) });
  resolve = `a.test=${a.endpoint},b.test=${b.endpoint}`;
  env = { MESH_RESOLVE: resolve };
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function mesh(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { ...nodeIo, stdout: (t) => void (out += t), stderr: (t) => void (err += t), env, kdfLogN: 10, promptSecret: async () => undefined };
  return { status: await main(args, io), out, err };
}

async function ok(...args: string[]): Promise<string> {
  const r = await mesh(...args);
  if (r.status !== 0) throw new Error(`mesh ${args.join(' ')} → ${r.status}: ${r.err}`);
  return r.out;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const idOf = (out: string, label: string): string => new RegExp(`^${label}: (\\S+)$`, 'm').exec(out)![1]!;

describe('mesh contact request|dynamic|exchange / message … across two services', () => {
  it('rows 44–48: request, pending, accept, sync --auto, contact list on both sides; confirm, accept, status Accept; block', async () => {
    await ok('account', 'create', 'alice@a.test', ...HA);
    await ok('account', 'create', 'bob@b.test', ...HB);

    const request = await ok('contact', 'request', 'bob@b.test', '--subject', 'hi Bob', ...HA);
    expect(request).toMatch(/^Envelope ID: \S+\nMessage ID: \S+\nResponse ID: \S+\n$/);
    const id = idOf(request, 'Message ID');
    const pending = await until(async () => {
      const p = JSON.parse(await ok('message', 'pending', '--json', ...HB)).pending as { messageId: string }[];
      return p.length > 0 ? p : undefined;
    }, 'the request at bob');
    expect(pending).toEqual([expect.objectContaining({ messageId: id, messageType: 'MessageContact', sender: 'alice@a.test', text: 'hi Bob' })]);
    // Listed once, it is read: --unread shows nothing more, --read shows it, --raw adds what alice signed.
    expect(await ok('message', 'pending', '--unread', ...HB)).toBe('');
    const read = (await ok('message', 'pending', '--read', '--raw', ...HB)).split('\n');
    expect(read[0]).toBe(`${id} MessageContact from alice@a.test (not a contact): hi Bob`);
    expect(JSON.parse(read[1]!)).toMatchObject({ MessageContact: { MessageId: id, Sender: 'alice@a.test', Subject: 'hi Bob' } });
    const both = await mesh('message', 'pending', '--read', '--unread', ...HB);
    expect(both.status).toBe(2);
    expect(both.err).toMatch(/^mesh: .*exclude each other\n$/);
    expect(await ok('message', 'accept', id, ...HB)).toContain('Accepted MessageContact from alice@a.test');
    expect(await ok('message', 'pending', ...HB)).toBe('');

    await until(async () => ((await ok('account', 'sync', '--auto', ...HA)).includes('Added contact bob@b.test') ? true : undefined), 'bob\'s answer');
    expect(await ok('contact', 'list', ...HA)).toContain('bob@b.test');
    expect(await ok('contact', 'list', ...HB)).toContain('alice@a.test');

    const confirm = await ok('message', 'confirm', 'alice@a.test', 'deploy now?', ...HB);
    const rid = idOf(confirm, 'Response ID');
    expect((await ok('message', 'status', rid, ...HB)).trim()).toBe('Pending');
    const cid = idOf(confirm, 'Message ID');
    await until(async () => ((await ok('message', 'pending', ...HA)).includes(`${cid} RequestConfirmation from bob@b.test: deploy now?`) ? true : undefined), 'the confirmation at alice');
    await ok('message', 'accept', cid, ...HA);
    expect(await until(async () => {
      const s = (await ok('message', 'status', rid, ...HB)).trim();
      return s === 'Pending' ? undefined : s;
    }, 'the answer')).toBe('Accept');

    // bob blocks alice through her request: her next message is refused by bob's service, and logged there.
    expect(await ok('message', 'block', id, ...HB)).toBe('Blocked alice@a.test\n');
    const again = idOf(await ok('message', 'confirm', 'bob@b.test', 'still friends?', ...HA), 'Message ID');
    await until(async () => (serviceLog.some((l) => l.includes(`refused MeshRecipientBlockedSender from alice@a.test to bob@b.test (${again})`)) ? true : undefined), 'the refusal');

    // Errors are one line, no stack.
    const bad = await mesh('message', 'accept', 'NAAA-AAAA-AAAA', ...HB);
    expect(bad.status).not.toBe(0);
    expect(bad.err).toMatch(/^mesh: .*no message NAAA-AAAA-AAAA/);
    expect(bad.err.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('row 51: contact dynamic + contact exchange URI — each side holds the other after sync --auto, no accept', async () => {
    const HC = ['--home', join(root, 'carol')];
    const HD = ['--home', join(root, 'dan')];
    await ok('account', 'create', 'carol@a.test', ...HC);
    await ok('account', 'create', 'dan@b.test', ...HD);
    const dynamic = await ok('contact', 'dynamic', '--expire', '10', ...HC);
    const uri = dynamic.split('\n')[0]!;
    expect(uri).toMatch(/^mcu:\/\/carol@a\.test\/A\S+$/);
    expect(await ok('contact', 'exchange', uri, ...HD)).toMatch(/^Envelope ID: /);
    await until(async () => ((await ok('account', 'sync', '--auto', ...HC)).includes('Added contact dan@b.test') ? true : undefined), 'dan at carol');
    await until(async () => ((await ok('account', 'sync', '--auto', ...HD)).includes('Added contact carol@a.test') ? true : undefined), 'carol at dan');
    expect(await ok('contact', 'list', ...HC)).toContain('dan@b.test');
    expect(await ok('contact', 'list', ...HD)).toContain('carol@a.test');
    const bad = await mesh('contact', 'exchange', 'mcu://carol@a.test/not-a-pin', ...HD);
    expect(bad.status).not.toBe(0);
    expect(bad.err).toMatch(/^mesh: /);
  });

  it('row 50: contact static prints a URI; contact fetch URI adds the contact while its owner runs nothing — through MESH_RESOLVE to the owner\'s service', async () => {
    const HE = ['--home', join(root, 'erin')];
    const HF = ['--home', join(root, 'fred')];
    await ok('account', 'create', 'erin@a.test', ...HE);
    await ok('account', 'create', 'fred@b.test', ...HF);
    const uri = (await ok('contact', 'static', ...HE)).trim();
    expect(uri).toMatch(/^mcu:\/\/erin@a\.test\/E[A-Z0-9-]+$/);
    const json = JSON.parse(await ok('contact', 'static', '--json', ...HE)) as { uri: string; publicationId: string };
    expect(json.uri).toMatch(/^mcu:\/\/erin@a\.test\/E/);
    expect(json.uri).not.toBe(uri);
    // Erin runs no command from here on (each CLI call ends with its process).
    const fetched = await ok('contact', 'fetch', uri, ...HF);
    expect(fetched).toMatch(/^Added contact erin@a\.test \(M\S+\)\n$/);
    expect(await ok('contact', 'list', ...HF)).toContain('erin@a.test');
    const again = JSON.parse(await ok('contact', 'fetch', json.uri, '--json', ...HF)) as { address: string };
    expect(again.address).toBe('erin@a.test');

    // A URI with a secret erin never published, and one re-addressed to fred: one line each, no stack.
    for (const wrong of ['mcu://erin@a.test/EBQF-ORQO-N4KH-XBRC-C7M5-SJWW-XSBH', `mcu://fred@b.test/${uri.slice(uri.lastIndexOf('/') + 1)}`]) {
      const bad = await mesh('contact', 'fetch', wrong, ...HF);
      expect(bad.status).not.toBe(0);
      expect(bad.err).toMatch(/^mesh: .*no contact is published at this URI/);
      expect(bad.err.split('\n').filter((l) => l !== '')).toHaveLength(1);
    }
    const pin = await mesh('contact', 'fetch', 'mcu://erin@a.test/not-a-secret', ...HF);
    expect(pin.status).not.toBe(0);
    expect(pin.err).toMatch(/^mesh: /);
  });
});
