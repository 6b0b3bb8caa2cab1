import type { DarePublicKey } from '../../dare/keys.js';
import { policyRecipients, SequenceReplica } from '../../dare/sequence/replica.js';
import { EMPTY_REPLICA_STATE, type ReplicaState } from '../../dare/sequence/replica-state.js';
import type { AccountRecord, ServiceStore } from '../store.js';

/**
 * What the service knows of each store it holds, to check uploads as a device checks downloads
 * (protocol.md T8: "verify … the Merkle TreeDigest of each new frame"; dare.md §9): the store's
 * {@link ReplicaState} — frame count, byte length, Merkle compact range, the offsets a next
 * TreePosition may name, O(log n) — and the keys its frame 0 encrypts to. The service store
 * checks only that a frame is one well-formed frame; everything else is checked here: that each
 * frame's `SequenceInfo.Index` is the next index, its TreePosition the right offset, its
 * PayloadDigest the payload's, its TreeDigest the tree head with it appended, that it is
 * encrypted to the store's keys with PayloadMac, and that frame 0 is a Merkle header.
 *
 * The states are derived from the store itself, never kept beside it: a state is cached per
 * (account, store) and checked against the store's head on every use (or, for an update, by the
 * commit's own expected index: {@link StoreStates.expecting}); frames another writer
 * (another host) appended since are read and verified, and a store that shrank (an account
 * deleted and bound again) is read again from frame 0. So a crash or another host can never
 * leave a state that disagrees with the frames.
 */

/** A store's verification state. */
export interface StoreState {
  readonly state: ReplicaState;
  /** The keys frame 0's policy names (empty before frame 0, or for a plaintext store). */
  readonly recipients: readonly DarePublicKey[];
}

/** The state of an empty store. */
export const EMPTY_STORE_STATE: StoreState = Object.freeze({ state: EMPTY_REPLICA_STATE, recipients: [] });

interface Cached extends StoreState {
  /** The account's creation time: a store of an account bound again is another store. */
  readonly created: number;
}

/** Frames read per step when a state catches up with its store. */
const READ_PAGE = { maxEntries: 512, maxBytes: 8 << 20 };

/**
 * Verifies `frames` as the next frames of a store in state `from` (see the module notes) and
 * returns the state after them. Throws the frame's `SequenceError` (`DARE_BAD_INDEX`,
 * `DARE_BAD_POSITION`, `DARE_BAD_DIGEST`, `DARE_BAD_TREE`, `DARE_POLICY`, `DARE_NOT_ENCRYPTED`, …).
 */
export async function verifyFrames(from: StoreState, frames: readonly Uint8Array[]): Promise<StoreState> {
  const zero = from.state.frameCount === 0;
  const replica = SequenceReplica.detached(from.state, { recipients: from.recipients, ...(zero ? { adoptPolicy: true } : {}) });
  const { after } = await replica.verify(frames);
  return { state: after, recipients: zero && frames.length > 0 ? policyRecipients(frames[0]!) : from.recipients };
}

/** The cached states of the stores a service holds (see the module notes). */
export class StoreStates {
  readonly #cache = new Map<string, Cached>();

  constructor(private readonly store: ServiceStore, private readonly maxEntries = 100_000) {}

  /** The state of `label` of `account` as the store holds it now. */
  async current(account: AccountRecord, label: string): Promise<StoreState> {
    const key = `${account.address}\u0000${label}`;
    const head = await this.store.head(account.address, label);
    let cached = this.#cache.get(key);
    if (cached !== undefined && (cached.created !== account.created || cached.state.frameCount > head.nextIndex)) cached = undefined;
    if (cached !== undefined && cached.state.frameCount === head.nextIndex) return cached;
    let at: StoreState = cached ?? EMPTY_STORE_STATE;
    while (at.state.frameCount < head.nextIndex) {
      const page = await this.store.read(account.address, label, at.state.frameCount, READ_PAGE);
      if (page.frames.length === 0) break;
      at = await verifyFrames(at, page.frames);
    }
    this.set(account, label, at);
    return at;
  }

  /**
   * The state of `label` of `account` for an update that expects the store to hold `nextIndex`
   * frames and commits with that expected index: the cached state without asking the store when
   * it holds exactly that many frames of this account (frames never change once written, so the
   * state at a frame count is the state), else {@link current}. Sound only because the commit
   * re-checks the count (its conditional head update): if another writer moved the store
   * meanwhile, the commit is a conflict and writes nothing.
   */
  async expecting(account: AccountRecord, label: string, nextIndex: number): Promise<StoreState> {
    const cached = this.#cache.get(`${account.address}\u0000${label}`);
    if (cached !== undefined && cached.created === account.created && cached.state.frameCount === nextIndex) return cached;
    return this.current(account, label);
  }

  /** Records the state after a commit. */
  set(account: AccountRecord, label: string, state: StoreState): void {
    const key = `${account.address}\u0000${label}`;
    this.#cache.delete(key);
    if (this.#cache.size >= this.maxEntries) {
      // Drop the oldest entry: a state is read again from the store when next needed.
      const first = this.#cache.keys().next();
      if (!first.done) this.#cache.delete(first.value);
    }
    this.#cache.set(key, { ...state, created: account.created });
  }

  /** Forgets the states of an account (deleted or unbound). */
  forget(address: string): void {
    for (const key of [...this.#cache.keys()]) if (key.startsWith(`${address}\u0000`)) this.#cache.delete(key);
  }
}
