import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerUpdate } from '../sdk/mesh/index.js';
import { MeshHttpClient } from '../sdk/protocol/client.js';
import { frameEnvelope, frameOfEnvelope } from '../sdk/protocol/frames.js';
import { bytesEqual } from '../sdk/encoding/bytes.js';
import { transpileForChild } from './support/child-modules.js';
import { boundAccount, secondDevice, type TestDevice } from './support/mesh-service.js';
import { seeded } from './support/service-store-load.js';

/**
 * `mesh service start` (what `npm start` runs) killed with SIGKILL at random moments while four
 * devices of two accounts write to it, restarted on the same data directory, again and again
 * (protocol.md T8: a Transact is atomic, also across `kill -9`). Every transaction updates two
 * stores of its device at once. After each restart, read back through the service (T6 Status,
 * T7 Download): the service UDF is the first start's; both stores of every device moved by the
 * same number of transactions (none partly visible) and hold exactly the frames sent, in order;
 * every transaction the service acknowledged (Accept) before the kill is there. A transaction
 * whose answer the kill swallowed may be there or not — wholly.
 */

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'mathmesh-svckill-'));
// The child's modules inside the repository, so that its package imports (commander, ws…) resolve.
const js = mkdtempSync(join(root, 'node_modules', '.mathmesh-svckill-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(js, { recursive: true, force: true });
});

const RUNS = 20;
const PER_DEVICE = 500;
const UPLOAD_LIMIT = 1 << 20;

interface Writer {
  readonly device: TestDevice;
  /** The two catalogs it writes together, their frames (transaction k = frame k of each), and the index before frame 0. */
  readonly stores: readonly { readonly label: string; readonly frames: readonly Uint8Array[]; readonly base: number }[];
  /** Transactions committed as far as the service says (the next to send). */
  next: number;
  /** Transactions the service acknowledged. */
  acked: number;
}

interface Started {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly udf: string;
  readonly exited: Promise<NodeJS.Signals | null>;
  stderr: string;
}

function start(script: string, data: string, port: number): Promise<Started> {
  return new Promise((done, fail) => {
    const env = { ...process.env };
    delete env['MESH_STORE'];
    delete env['MESH_SERVICE_SECRET'];
    const child = spawn(process.execPath, [script, 'service', 'start', '--port', String(port), '--data', data, '--max-upload', String(UPLOAD_LIMIT), '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    const started: { stderr: string } = { stderr: '' };
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    child.stderr!.on('data', (d) => (started.stderr += String(d)));
    child.stdout!.on('data', (d) => {
      out += String(d);
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const line = JSON.parse(out.slice(0, nl)) as { service: string; udf: string };
      done(Object.assign(started, { child, endpoint: line.service, udf: line.udf, exited }));
    });
    void exited.then(() => fail(new Error(`the service exited before it was ready: ${started.stderr}`)));
  });
}

/** A device's catalog frames for `count` entries, built now and sent later (one per transaction). */
async function frames(d: TestDevice, catalog: 'credential' | 'bookmark' | 'task' | 'network', tag: string): Promise<{ label: string; frames: Uint8Array[]; base: number }> {
  const entry = (k: number): never => ({
    credential: { $class: 'CatalogedCredential', Service: `${tag}${k}.example.com`, Username: 'u', Password: `p${k}` },
    bookmark: { $class: 'CatalogedBookmark', Uid: `${tag}${k}`, Uri: `https://example.com/${k}` },
    task: { $class: 'CatalogedTask', Key: `${tag}${k}`, Title: `t${k}` },
    network: { $class: 'CatalogedNetwork', Service: `${tag}${k}`, Password: `p${k}` },
  }[catalog] as never);
  const c = await d.account.catalog(catalog);
  try {
    for (let k = 0; k < PER_DEVICE; k++) await c.put(entry(k));
    const out = await c.outgoing();
    return { label: out.container, frames: [...out.frames], base: out.index };
  } finally {
    await c.close();
  }
}

/** Sends the writer's transactions until the service stops answering. */
async function drive(w: Writer, onAck: () => void): Promise<void> {
  const credential = w.device.client.deviceCredential();
  while (w.next < PER_DEVICE) {
    const k = w.next;
    const updates: ContainerUpdate[] = w.stores.map((s) => ({ $class: 'ContainerUpdate', Container: s.label, Index: s.base + k, Envelopes: [frameEnvelope(s.frames[k]!)] }));
    let answer;
    try {
      answer = await w.device.client.http.request('Transact', { $class: 'TransactRequest', Account: w.device.account.address, Updates: updates }, credential);
    } catch (e) {
      if ((e as { code?: string }).code === 'PROTOCOL_UNREACHABLE') return; // killed: the outcome of k is unknown
      throw e;
    }
    expect(answer.Entries?.map((e) => e.Result)).toEqual(['Accept', 'Accept']);
    w.next = k + 1;
    w.acked = k + 1;
    onAck();
  }
}

/** Reads the writer's stores back through the service and checks them (see the module notes). */
async function check(w: Writer): Promise<void> {
  const { client, account } = w.device;
  const credential = client.deviceCredential();
  const status = await client.http.request('Status', { $class: 'StatusRequest', Account: account.address }, credential);
  const committed = w.stores.map((s) => (status.ContainerStatus ?? []).find((c) => c.Container === s.label)!.Index! - s.base);
  expect(committed[0], `${account.address}: ${w.stores[0]!.label} and ${w.stores[1]!.label} moved apart (a partial transaction)`).toBe(committed[1]);
  const n = committed[0]!;
  expect(n, `${account.address}: acknowledged transactions lost`).toBeGreaterThanOrEqual(w.acked);
  expect(n).toBeLessThanOrEqual(w.next + 1);
  for (const s of w.stores) {
    const got: Uint8Array[] = [];
    while (got.length < n) {
      const r = await client.http.request('Download', {
        $class: 'DownloadRequest', Account: account.address, Select: [{ Container: s.label, IndexMin: s.base + 1 + got.length }], ConstraintsPost: { MaxEntries: 256 },
      }, credential);
      const page = (r.Updates?.[0]?.Envelopes ?? []).map((e, i) => frameOfEnvelope(e, `${s.label}[${i}]`));
      expect(page.length).toBeGreaterThan(0);
      got.push(...page);
    }
    expect(got.length).toBe(n);
    for (let k = 0; k < n; k++) expect(bytesEqual(got[k]!, s.frames[k]!), `${s.label} frame ${k}`).toBe(true);
  }
  w.next = n;
}

describe('mesh service start: kill -9 under load', () => {
  it(`${RUNS} kills at random moments: every acknowledged transaction present, none partly visible, same service UDF and accounts`, async () => {
    transpileForChild(root, ['test/support/mesh-service-process.ts'], js);
    writeFileSync(join(js, 'package.json'), '{"type":"module"}');
    const script = join(js, 'test', 'support', 'mesh-service-process.js');
    const data = join(work, 'data');
    let service = await start(script, data, 0);
    const port = Number(new URL(service.endpoint).port);
    const udf = service.udf;

    // --max-upload reached the service (Hello advertises it).
    expect((await new MeshHttpClient({ endpoint: service.endpoint }).hello()).response.ConstraintsUpdate?.BytesMax).toBe(UPLOAD_LIMIT);

    // Two accounts, two devices each; each device writes two catalogs of its own in every transaction.
    const writers: Writer[] = [];
    for (const name of ['kim', 'lou']) {
      const admin = await boundAccount(service.endpoint, `${name}@example.com`, { timeoutMs: 10_000 });
      const laptop = await secondDevice(admin, ['web'], { timeoutMs: 10_000 });
      await laptop.client.sync();
      writers.push({ device: admin, stores: [await frames(admin, 'credential', 'c'), await frames(admin, 'bookmark', 'b')], next: 0, acked: 0 });
      writers.push({ device: laptop, stores: [await frames(laptop, 'task', 't'), await frames(laptop, 'network', 'n')], next: 0, acked: 0 });
    }

    const rnd = seeded(1414);
    let acks = 0;
    let inDoubtCommitted = 0;
    try {
      for (let run = 0; run < RUNS; run++) {
        let armed = false;
        const killAfter = Math.floor(rnd() * 200);
        const onAck = (): void => {
          acks++;
          if (armed) return;
          armed = true;
          setTimeout(() => service.child.kill('SIGKILL'), killAfter);
        };
        await Promise.all(writers.map((w) => drive(w, onAck)));
        if (!armed) service.child.kill('SIGKILL'); // every frame spent (a very fast machine): the last runs kill an idle service
        expect(await service.exited).toBe('SIGKILL');
        const before = writers.map((w) => w.acked);
        service = await start(script, data, port);
        expect(service.udf).toBe(udf);
        for (const w of writers) await check(w);
        inDoubtCommitted += writers.reduce((n, w, i) => n + (w.next - before[i]!), 0);
      }
    } finally {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    expect(acks).toBeGreaterThanOrEqual(RUNS);
    console.log(`mesh service kill -9 runs: ${RUNS}, acknowledged transactions: ${acks}, committed but unanswered (the kill took the answer): ${inDoubtCommitted}`);
  }, 150_000);
});
