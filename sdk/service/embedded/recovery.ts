import { bytesEqual, concatBytes } from '../../encoding/bytes.js';
import type { ServiceFiles } from '../files.js';
import { serviceError } from '../store-errors.js';
import type { FileCache } from './file-cache.js';
import { ServiceState, type StoreState } from './state.js';
import { readSegment } from './wal-codec.js';

/**
 * Opening the embedded store after a clean close or a crash at any moment (the log's design is
 * in embedded-store.ts):
 *
 * 1. The newest log segment that starts with a complete base record is the log. Newer segments
 *    without one are rotations a crash interrupted (nothing was written after an incomplete
 *    base); older ones were superseded by it.
 * 2. Its records are applied to the base's state until the first incomplete or garbled record —
 *    the torn tail of a group write no transaction of which was acknowledged (acknowledgement
 *    waits for the fsync). A torn tail larger than any one write can leave is damage in the
 *    middle of the log: `SERVICE_CORRUPT`, never a silent cut.
 * 3. Every store the records gave frames is reconciled with its file: the file must hold the
 *    base's bytes (synced before the base was written: less is `SERVICE_CORRUPT`); after them,
 *    the longest run of the logged frames found byte for byte is kept, anything else is cut
 *    off (a frame half-written, or frames of a transaction the log does not have), and the
 *    remaining logged frames are appended. So replay is idempotent: a store already past a
 *    record keeps its frames, a store in the middle of a record is cut back and completed.
 * 4. Directories of accounts the state no longer has (deleted, files not yet removed) go.
 *
 * The caller then writes a new base (a checkpoint) and removes every other segment.
 */

/** What open found and did. */
export interface RecoveryReport {
  /** Sequence number of the segment replayed (0 for a new store). */
  readonly segment: number;
  /** Records replayed after its base. */
  readonly records: number;
  /** Bytes of torn tail ignored at the end of the log. */
  readonly tornBytes: number;
  /** Store files that did not hold exactly the logged frames (cut back and/or completed). */
  readonly repairedStores: number;
  /** Leftover directories of deleted accounts removed. */
  readonly removedAccounts: number;
}

/** The log's file name for segment `seq`. */
export const segmentPath = (seq: number): string => `wal/${seq.toString(16).padStart(16, '0')}.log`;
const SEGMENT = /^([0-9a-f]{16})\.log$/;

export interface Recovered {
  readonly state: ServiceState;
  readonly seq: number;
  readonly report: RecoveryReport;
  /** Stores whose files were written during recovery (to fsync before the new base). */
  readonly written: StoreState[];
}

/** Steps 1–4 above. `maxTornBytes`: the largest tail one interrupted group write can leave. */
export async function recover(files: ServiceFiles, cache: FileCache, maxTornBytes: number): Promise<Recovered> {
  const seqs = (await files.list('wal')).map((n) => SEGMENT.exec(n)).filter((m) => m !== null).map((m) => parseInt(m[1]!, 16)).sort((a, b) => b - a);
  let state: ServiceState | undefined;
  let seq = 0;
  let records = 0;
  let tornBytes = 0;
  const touched = new Set<StoreState>();
  for (const s of seqs) {
    const file = await files.openFile(segmentPath(s), { create: false });
    if (!file) continue;
    let bytes: Uint8Array;
    try {
      bytes = await file.read(0, file.size);
    } finally {
      await file.close();
    }
    const read = readSegment(bytes);
    const first = read.records[0]?.record;
    if (first?.type !== 'base') continue;
    state = ServiceState.fromBase(first.state);
    seq = s;
    tornBytes = read.tornBytes;
    if (tornBytes > maxTornBytes) {
      throw serviceError('SERVICE_CORRUPT', `${segmentPath(s)} in ${files.label}: ${tornBytes} bytes after offset ${read.end} are not records — damage, not the tail of one interrupted write`);
    }
    for (const { record } of read.records.slice(1)) {
      const applied = state.apply(record);
      for (const st of applied.touched) touched.add(st);
      records++;
    }
    break;
  }
  if (state === undefined) {
    // No complete base: a store whose first open was interrupted (nothing was ever acknowledged),
    // unless account data exists — then the log is lost.
    if ((await files.list('accounts')).length > 0) throw serviceError('SERVICE_CORRUPT', `${files.label}: account files but no readable write-ahead log`);
    state = new ServiceState();
  }

  let repairedStores = 0;
  const written: StoreState[] = [];
  for (const st of touched) {
    if (st.account.deleted) continue;
    if (await reconcile(cache, st)) repairedStores++;
    written.push(st);
  }

  let removedAccounts = 0;
  for (const name of await files.list('accounts')) {
    const m = /^a([0-9]+)$/.exec(name);
    if (m && !state.byId.has(Number(m[1]))) {
      await files.removeDirectory(`accounts/${name}`);
      removedAccounts++;
    }
  }
  return { state, seq, written, report: { segment: seq, records, tornBytes, repairedStores, removedAccounts } };
}

/** Step 3 for one store; true when the file had to be changed. */
async function reconcile(cache: FileCache, st: StoreState): Promise<boolean> {
  return cache.use(st.path, { create: true, write: true }, async (file) => {
    const f = file!;
    if (f.size < st.appliedBytes) {
      throw serviceError('SERVICE_CORRUPT', `${st.path} holds ${f.size} bytes, fewer than the ${st.appliedBytes} it held at the last checkpoint`, { account: st.account.address, store: st.name });
    }
    const tail = await f.read(st.appliedBytes, f.size - st.appliedBytes);
    let kept = 0;
    let at = 0;
    while (kept < st.pending.length) {
      const frame = st.pending[kept]!;
      if (at + frame.length > tail.length || !bytesEqual(tail.subarray(at, at + frame.length), frame)) break;
      at += frame.length;
      kept++;
    }
    const changed = at !== tail.length || kept !== st.pending.length;
    if (at !== tail.length) await f.truncate(st.appliedBytes + at);
    st.applied += kept;
    st.appliedBytes += at;
    const rest = st.pending.slice(kept);
    if (rest.length > 0) {
      const joined = concatBytes(...rest);
      await f.append(joined);
      st.applied += rest.length;
      st.appliedBytes += joined.length;
    }
    st.pending = [];
    st.checked = true;
    return changed;
  });
}
