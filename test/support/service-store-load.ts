import { decodeFrame, encodeFrame } from '../../sdk/dare/sequence/frame.js';
import { utf8Decode, utf8Encode } from '../../sdk/encoding/utf8.js';
import { ServiceConflictError, ServiceStoreError } from '../../sdk/service/store-errors.js';
import type { ServiceStore } from '../../sdk/service/store.js';

/**
 * Load for the crash tests (in process on the memory disk, and in a child process killed with
 * SIGKILL): writers that commit transactions over several stores (sometimes of two accounts),
 * each frame naming its transaction and how many frames the transaction has, so that a check
 * after the crash can tell an acknowledged transaction that went missing, and a transaction that
 * is only partly there.
 */

/** An acknowledged transaction: where each of its frames went. */
export interface Ack {
  readonly tx: string;
  readonly parts: readonly { readonly account: string; readonly store: string; readonly index: number }[];
}

export interface LoadOptions {
  readonly writers: number;
  readonly accounts: readonly string[];
  readonly stores: readonly string[];
  readonly seed: number;
  /** Transaction ids start with this (unique per run). */
  readonly prefix: string;
  readonly onAck: (ack: Ack) => void;
  /** Checked before each transaction. */
  readonly stop: () => boolean;
  /** Payload bytes per frame (default 0-300, random). */
  readonly payload?: number;
}

/** A seeded generator (LCG): runs are repeatable from their seed. */
export function seeded(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
}

function frame(tx: string, part: number, of: number, payload: number): Uint8Array {
  return encodeFrame({ header: utf8Encode(JSON.stringify({ tx, part, of })), payload: new Uint8Array(payload).fill(0x61 + (part % 26)) });
}

/** The transaction id, part and part count a load frame carries. */
export function loadFrameInfo(f: Uint8Array): { tx: string; part: number; of: number } {
  return JSON.parse(utf8Decode(decodeFrame(f).header)) as { tx: string; part: number; of: number };
}

/**
 * Runs the writers until `stop()` or until the store fails (an error that is not a conflict:
 * the store died under them). Resolves when every writer has stopped.
 */
export async function runLoad(store: ServiceStore, o: LoadOptions): Promise<void> {
  const rnd = seeded(o.seed);
  let n = 0;
  await Promise.all(Array.from({ length: o.writers }, async () => {
    while (!o.stop()) {
      const tx = `${o.prefix}-${n++}`;
      const account = o.accounts[Math.floor(rnd() * o.accounts.length)]!;
      const other = o.accounts[Math.floor(rnd() * o.accounts.length)]!;
      const count = 1 + Math.floor(rnd() * 3);
      const targets: { account: string; store: string }[] = [];
      while (targets.length < count) {
        const t = { account: targets.length === 2 ? other : account, store: o.stores[Math.floor(rnd() * o.stores.length)]! };
        if (!targets.some((x) => x.account === t.account && x.store === t.store)) targets.push(t);
      }
      const framesPer = targets.map(() => 1 + Math.floor(rnd() * 2));
      const total = framesPer.reduce((a, b) => a + b, 0);
      try {
        const heads = await Promise.all(targets.map((t) => store.head(t.account, t.store)));
        let part = 0;
        const updates = targets.map((t, i) => ({
          account: t.account, store: t.store, expectedNextIndex: heads[i]!.nextIndex,
          frames: Array.from({ length: framesPer[i]! }, () => frame(tx, part++, total, o.payload ?? Math.floor(rnd() * 300))),
        }));
        await store.transact(updates);
        const parts = updates.flatMap((u) => u.frames.map((_, k) => ({ account: u.account, store: u.store, index: u.expectedNextIndex + k })));
        o.onAck({ tx, parts });
      } catch (e) {
        if (e instanceof ServiceConflictError) continue;
        if (e instanceof ServiceStoreError) return; // the store died (or was closed) under the writer
        throw e;
      }
    }
  }));
}

/** What a check of a store against the acknowledgements found. */
export interface LoadCheck {
  /** Transactions found, complete. */
  readonly complete: number;
  /** Acknowledged transactions missing or not where acknowledged (must be empty). */
  readonly lost: string[];
  /** Transactions with some of their frames missing (must be empty). */
  readonly partial: string[];
}

/** Reads every store and checks: every acknowledged frame where it was acknowledged, every transaction whole. */
export async function checkLoad(store: ServiceStore, accounts: readonly string[], stores: readonly string[], acks: readonly Ack[]): Promise<LoadCheck> {
  const seen = new Map<string, { of: number; parts: Set<number> }>();
  const at = new Map<string, string>();
  for (const account of accounts) {
    for (const name of stores) {
      let index = 0;
      for (let partial = true; partial;) {
        const r = await store.read(account, name, index, { maxEntries: 500 });
        for (const f of r.frames) {
          const info = loadFrameInfo(f);
          const s = seen.get(info.tx) ?? { of: info.of, parts: new Set<number>() };
          s.parts.add(info.part);
          seen.set(info.tx, s);
          at.set(`${account}/${name}/${index}`, info.tx);
          index++;
        }
        partial = r.partial;
      }
    }
  }
  const lost = acks.filter((a) => a.parts.some((p) => at.get(`${p.account}/${p.store}/${p.index}`) !== a.tx)).map((a) => a.tx);
  const partial = [...seen.entries()].filter(([, s]) => s.parts.size !== s.of).map(([tx]) => tx);
  return { complete: seen.size - partial.length, lost, partial };
}
