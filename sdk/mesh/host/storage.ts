import type { Durability, SequenceStore } from '../../dare/sequence/store.js';
import { MeshError } from '../errors.js';

/**
 * The home-storage contract (mesh-model.md §4, §8, §9 — the device state of one Mesh host): what
 * a device keeps about the accounts it holds, as two kinds of named items under one home:
 *
 * - **records**: small documents (device and account state, sealed secrets), each read and
 *   replaced whole. A replacement is atomic: a reader sees the old bytes or the new, never a mix,
 *   and a crash during a write leaves the old record intact.
 * - **sequences**: one DARE sequence per catalog or spool, opened as a {@link SequenceStore} (the
 *   sequence layer's own contract: append-only, writer lock, durability).
 *
 * Names are `/`-separated paths of safe segments ({@link checkHomeName}); a name is a record or a
 * sequence, never both. Everything stored is private to the device's owner: file adapters create
 * folders 0700 and files 0600 (secrets are additionally sealed by the host when a passphrase is
 * set, vault.ts). The SDK defines this contract; adapters implement it (`mathmesh/adapters/node`:
 * a folder; `mathmesh/adapters/memory`; `mathmesh/adapters/browser`: OPFS or IndexedDB), and the
 * SDK never imports an adapter. Failures are `MeshError`s with code `MESH_HOME` (sequence stores
 * keep their `DARE_*` codes).
 */
export interface HomeStorage {
  /** Where the home is, for messages (a path, `memory:`, `opfs:/…`, `indexeddb:…`). Never secret. */
  readonly location: string;
  /** A record's bytes, or `undefined` when there is none. */
  readRecord(name: string): Promise<Uint8Array | undefined>;
  /** Creates or atomically replaces a record (owner-only). */
  writeRecord(name: string, bytes: Uint8Array): Promise<void>;
  /**
   * Creates a record only if it does not exist; resolves `false` (writing nothing) when it does.
   * The compare-and-set of two hosts initialising one home at once.
   */
  createRecord(name: string, bytes: Uint8Array): Promise<boolean>;
  /** Removes a record (no error when absent). */
  deleteRecord(name: string): Promise<void>;
  /** The names (last segment) of the records and folders directly in `folder` (`''` = the home), sorted. */
  list(folder: string): Promise<string[]>;
  /** Opens a sequence: read-only (an absent one reads as empty) or for appending (created when absent, writer lock held). */
  openSequence(name: string, options?: { write?: boolean; durability?: Durability }): Promise<SequenceStore>;
  /** Removes a sequence (no error when absent). */
  deleteSequence(name: string): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$/;

/**
 * Checks a home name: `/`-separated segments of letters, digits and `._@+-`, each starting with a
 * letter or digit (so no `.`/`..`, no hidden or temporary files, nothing an adapter must escape).
 * `folder` allows the empty name (the home itself).
 */
export function checkHomeName(name: string, what: 'record' | 'sequence' | 'folder' = 'record'): string[] {
  if (typeof name !== 'string') throw new MeshError('MESH_BAD_ARGUMENT', `a ${what} name must be a string`);
  if (name === '' && what === 'folder') return [];
  const parts = name.split('/');
  if (parts.length > 8 || !parts.every((p) => SEGMENT.test(p))) throw new MeshError('MESH_BAD_ARGUMENT', `not a home ${what} name: '${name.slice(0, 80)}'`);
  return parts;
}

/** A storage failure of an adapter (`MESH_HOME`), naming the item and the cause, never its contents. */
export function homeError(message: string, cause?: unknown): MeshError {
  return new MeshError('MESH_HOME', message, cause === undefined ? {} : { cause });
}
