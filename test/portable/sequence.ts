/**
 * DARE sequences (issue 6) through each runtime's `SequenceStore` adapters (issue 7): every
 * runtime passes the store factories it has — memory everywhere, node-fs on Node, the Deno
 * adapter on Deno, the Node adapter under Bun, OPFS and IndexedDB in Chromium — and each factory
 * runs the same tests. Test names end in ` (<store>)`, which scripts/test-runtimes.mjs strips
 * when it compares a runtime's test set with Node's.
 */
import { MemoryStore } from '../../adapters/store/memory.js';
import type { Durability, SequenceStore } from '../../sdk/dare/sequence/store.js';
import { darePrivateKey, publicPart } from '../../sdk/dare/index.js';
import {
  SequenceError, SequenceReader, SequenceWriter, ed448HeadSigner, proveInclusion, verifyInclusion, verifySequence,
  type ContainerType, type CreateOptions,
} from '../../sdk/dare/sequence/index.js';
import { base64urlEncode } from '../../sdk/encoding/index.js';
import type { Suite } from './harness.js';
import { utf8 } from './util.js';

/** How a runtime opens stores of one adapter. `name`s are unique per factory instance. */
export interface StoreFactory {
  /** Shown in test names: `memory`, `node-fs`, `deno-fs`, `bun (node-fs)`, `opfs`, `indexeddb`. */
  readonly label: string;
  open(name: string, options: { writable: boolean; durability?: Durability; groupBytes?: number }): Promise<SequenceStore>;
  /**
   * Cuts the stored bytes of `name` to `size` with the platform's own API, bypassing the adapter
   * (what a crash in the middle of an append leaves). Absent where the adapter is the only way to
   * the bytes (memory, IndexedDB): the suite then cuts through a writable handle's `truncate`.
   */
  cut?(name: string, size: number): Promise<void>;
  /**
   * Leaves the writer lock of `name` as a writer that died would (a lock file naming a dead
   * process; a worker holding the Web Lock and the OPFS handle, terminated). Absent where no
   * writer can die apart from the test's own realm (memory; the page's main thread).
   */
  abandonWriter?(name: string): Promise<void>;
}

/** The memory adapter as a factory: named stores shared by reopened handles. */
export function memoryFactory(): StoreFactory {
  const stores = new Map<string, MemoryStore>();
  return {
    label: 'memory',
    async open(name, { writable }) {
      const s = stores.get(name);
      if (!s) {
        if (!writable) throw new SequenceError('DARE_IO', `no memory store ${name}`);
        const created = MemoryStore.create();
        stores.set(name, created);
        return created;
      }
      return s.reopen(writable);
    },
  };
}

const x448 = darePrivateKey('X448', Uint8Array.from({ length: 56 }, (_, i) => (i * 7 + 3) & 0xff));
const signer = ed448HeadSigner(Uint8Array.from({ length: 57 }, (_, i) => (i * 13 + 1) & 0xff));
const entry = (i: number): Uint8Array => utf8(`entry ${i}: ${'x'.repeat((i * 37) % 300)}`);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
let unique = 0;
const runId = Date.now().toString(36) + Math.floor(Math.random() * 1e9).toString(36);
const fresh = (what: string): string => `seq-${runId}-${unique++}-${what}.dare`;

async function codeOfAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (e instanceof SequenceError) return e.code;
    throw e;
  }
  return 'no-throw';
}

/** The sequence suite over the given factories (memory alone when none is given). */
export function sequenceSuite(factories: readonly StoreFactory[]): Suite {
  return ({ describe, it, expect }) => {
    describe('sequence stores', () => {
      for (const f of factories) {
        const at = ` (${f.label})`;

        for (const type of ['List', 'Digest', 'Chain', 'Merkle'] as ContainerType[]) {
          for (const encrypted of [false, true]) {
            it(`${type} ${encrypted ? 'encrypted' : 'plain'}: written in 3 sessions, read back, head as one session, verified${at}`, async () => {
              const name = fresh(`${type}-${encrypted}`);
              const options: CreateOptions = { type, ...(encrypted ? { encrypt: { recipients: [publicPart(x448)] } } : {}) };
              const keys = encrypted ? { keys: [x448] } : {};
              // The reference: one session in memory.
              const one = await SequenceWriter.create(MemoryStore.create(), options);
              for (let i = 1; i <= 12; i++) one.append(entry(i));
              await one.close();

              let w = await SequenceWriter.create(await f.open(name, { writable: true }), options);
              let next = 1;
              for (const session of [3, 1, 8]) {
                for (let k = 0; k < session; k++, next++) await w.append(entry(next)).durable;
                const closedHead = w.head;
                await w.close();
                w = await SequenceWriter.open(await f.open(name, { writable: true }));
                expect(w.frameCount, `frames after reopening, session of ${session}`).toBe(next);
                // `head` is defined for Chain and Merkle (a reopened Digest writer reports the tree
                // value the writer does not write; reported to the lead, not asserted here).
                if (type === 'Chain' || type === 'Merkle') expect(w.head, 'head rebuilt on reopen').toEqual(closedHead);
              }
              await w.close();
              const r = await SequenceReader.open(await f.open(name, { writable: false }), keys);
              expect(r.frameCount).toBe(13);
              expect(r.tornTail).toBe(undefined);
              for (let i = 1; i <= 12; i++) expect(text(await r.plaintext(i)), `frame ${i}`).toBe(text(entry(i)));
              const back: number[] = [];
              for await (const fr of r.reverse()) back.push(fr.index);
              expect(back).toEqual(Array.from({ length: 13 }, (_, i) => 12 - i));
              const report = await verifySequence(r);
              expect(report.errors).toEqual([]);
              expect(report.intact).toBe(true);
              expect(report.valid).toBe(false); // unsigned: intact, never authentic
              expect(report.encrypted).toBe(encrypted);
              if (type === 'Chain' || type === 'Merkle') {
                expect(report.head).toBe(base64urlEncode(w.head!));
                // Encrypted frames digest fresh ciphertext, so only plain heads can match a separate run.
                if (!encrypted) expect(w.head).toEqual(one.head);
              }
              if (encrypted) {
                const nokey = await SequenceReader.open(await f.open(name, { writable: false }));
                expect(await codeOfAsync(() => nokey.plaintext(1))).toBe('DARE_NO_KEY');
                await nokey.store.close();
              }
              await r.store.close();
            });
          }
        }

        it(`Merkle: standalone inclusion proofs verify against a trusted signed head; wrong record, index or key fails${at}`, async () => {
          const name = fresh('proof');
          const w = await SequenceWriter.create(await f.open(name, { writable: true }), { type: 'Merkle', signer, signEvery: 5 });
          for (let i = 1; i <= 20; i++) w.append(entry(i));
          await w.close();
          const r = await SequenceReader.open(await f.open(name, { writable: false }));
          const report = await verifySequence(r, { trust: [signer.publicKey] });
          expect(report.valid).toBe(true);
          expect(report.signedHeads.map((h) => h.frame)).toEqual([5, 10, 15, 20]);
          expect(report.signedHeads.every((h) => h.trusted)).toBe(true);
          const trust = [signer.publicKey];
          for (const k of [1, 7, 20]) {
            const p = await proveInclusion(r, k);
            expect(p.signedHead.head).toBe(report.head);
            expect(verifyInclusion(p, { record: entry(k), trust }), `frame ${k}`).toBe(true);
            expect(verifyInclusion(p, { record: entry(k + 1), trust }), `frame ${k}, another record`).toBe(false);
            expect(verifyInclusion({ ...p, index: k - 1 }, { record: entry(k), trust }), `frame ${k} as another index`).toBe(false);
          }
          const p5 = await proveInclusion(r, 3, { treeSize: 6 });
          expect(p5.treeSize).toBe(6);
          expect(verifyInclusion(p5, { record: entry(3), trust })).toBe(true);
          const stranger = ed448HeadSigner(new Uint8Array(57).fill(5));
          expect(verifyInclusion(p5, { record: entry(3), trust: [stranger.publicKey] })).toBe(false);
          await r.store.close();
        });

        it(`torn tail: cut at several offsets of the last frame, earlier frames kept, next append repairs${at}`, async () => {
          for (const type of ['List', 'Merkle'] as ContainerType[]) {
            const name = fresh(`torn-${type}`);
            const w = await SequenceWriter.create(await f.open(name, { writable: true }), { type });
            for (let i = 1; i <= 5; i++) w.append(entry(i));
            await w.close();
            const head = w.head;
            const r0 = await SequenceReader.open(await f.open(name, { writable: false }));
            const lastStart = r0.starts[5]!;
            const end = r0.store.size;
            await r0.store.close();
            for (const cut of [lastStart + 1, lastStart + 2, lastStart + 5, (lastStart + end) >> 1, end - 2, end - 1]) {
              if (f.cut) await f.cut(name, cut);
              else {
                const s = await f.open(name, { writable: true });
                await s.truncate(cut);
                await s.close();
              }
              const r = await SequenceReader.open(await f.open(name, { writable: false }));
              expect(r.frameCount, `${type} cut at ${cut - lastStart}`).toBe(5);
              expect(r.tornTail?.offset, `${type} cut at ${cut - lastStart}`).toBe(lastStart);
              expect(r.tornTail?.length).toBe(cut - lastStart);
              for (let i = 1; i < 5; i++) expect(text(await r.plaintext(i))).toBe(text(entry(i)));
              await r.store.close();
              const w2 = await SequenceWriter.open(await f.open(name, { writable: true }));
              await w2.append(entry(5)).durable;
              await w2.close();
              const r2 = await SequenceReader.open(await f.open(name, { writable: false }));
              expect(r2.tornTail).toBe(undefined);
              expect(r2.store.size).toBe(end);
              expect(r2.frameCount).toBe(6);
              expect((await verifySequence(r2)).intact).toBe(true);
              if (type === 'Merkle') expect(w2.head).toEqual(head);
              await r2.store.close();
            }
          }
        });

        it(`a second writer gets DARE_LOCKED until the first closes; a closed store says DARE_CLOSED${at}`, async () => {
          const name = fresh('lock');
          const first = await f.open(name, { writable: true });
          expect(first.writable).toBe(true);
          expect(await codeOfAsync(() => f.open(name, { writable: true }))).toBe('DARE_LOCKED');
          const w = await SequenceWriter.create(first, { type: 'Merkle' });
          await w.append(entry(1)).durable; // another handle sees acknowledged appends only
          expect(await codeOfAsync(() => f.open(name, { writable: true }))).toBe('DARE_LOCKED');
          const reader = await SequenceReader.open(await f.open(name, { writable: false }));
          expect(reader.frameCount).toBe(2);
          await reader.store.close();
          await w.close();
          expect(await codeOfAsync(() => first.append(entry(2)))).toBe('DARE_CLOSED');
          expect(await codeOfAsync(() => first.read(0, 1))).toBe('DARE_CLOSED');
          const second = await f.open(name, { writable: true });
          expect(second.writable).toBe(true);
          await second.close();
        });

        if (f.abandonWriter) {
          const abandon = f.abandonWriter.bind(f);
          it(`the lock of a writer that died is taken over; nothing written is lost${at}`, async () => {
            const name = fresh('stale');
            const w = await SequenceWriter.create(await f.open(name, { writable: true }), { type: 'Merkle' });
            await w.append(entry(1)).durable;
            await w.close();
            await abandon(name);
            // The platform may release a dead context's locks asynchronously: retry for a while.
            let store: SequenceStore | undefined;
            for (let tries = 0; !store; tries++) {
              try {
                store = await f.open(name, { writable: true });
              } catch (e) {
                if (!(e instanceof SequenceError && e.code === 'DARE_LOCKED') || tries >= 60) throw e;
                await new Promise((r) => setTimeout(r, 50));
              }
            }
            const w2 = await SequenceWriter.open(store);
            expect(w2.head).toEqual(w.head);
            await w2.append(entry(2)).durable;
            await w2.close();
            const r = await SequenceReader.open(await f.open(name, { writable: false }));
            expect(r.frameCount).toBe(3);
            expect((await verifySequence(r)).intact).toBe(true);
            await r.store.close();
          });
        }

        for (const durability of ['group', 'none'] as Durability[]) {
          it(`durability '${durability}': appends not awaited one by one, then flush, all there after reopen${at}`, async () => {
            const name = fresh(`dur-${durability}`);
            // A small group limit, so a run of appends spans several batches (order across them).
            const store = await f.open(name, { writable: true, durability, groupBytes: 2000 });
            const w = await SequenceWriter.create(store, { type: 'Merkle' });
            const acks = [];
            for (let i = 1; i <= 60; i++) acks.push(w.append(entry(i)).durable);
            // Visible at once, before any write settled (the SequenceStore contract).
            const mid = await SequenceReader.open(store);
            expect(mid.frameCount).toBe(61);
            await Promise.all(acks);
            await w.close();
            const r = await SequenceReader.open(await f.open(name, { writable: false }));
            expect(r.frameCount).toBe(61);
            expect(text(await r.plaintext(60))).toBe(text(entry(60)));
            const report = await verifySequence(r);
            expect(report.intact).toBe(true);
            expect(report.head).toBe(base64urlEncode(w.head!));
            await r.store.close();
          });
        }
      }
    });
  };
}
