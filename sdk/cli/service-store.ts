import { join } from 'node:path';
import { MemoryServiceStore } from '../../adapters/service-store/memory.js';
import { NodeServiceFiles } from '../../adapters/service-store/node-files.js';
import { EmbeddedServiceStore } from '../service/embedded/embedded-store.js';
import { MeshServiceError } from '../service/mesh/errors.js';
import type { ServiceStore } from '../service/store.js';

/**
 * The one place `mesh service start` gets its store from (the service never touches files or
 * tables itself): `--store VALUE`, else `MESH_STORE`, else the embedded store in `DATA/store`.
 *
 * - `memory:` — nothing persists (tests);
 * - `file:DIR` or a plain path — the embedded store (WAL + group commit) in that directory;
 * - `postgres://USER:PASS@HOST:PORT/DB` — **hook for the PostgreSQL store**: recognised here and
 *   refused until `mathmesh/adapters/postgres` is part of the build; opening it belongs in
 *   {@link openServiceStore} (`case 'postgres'`), and parsing can then move to the service's
 *   `parseStoreLocation` (same shape as {@link StoreLocation}).
 */

/** Where the service keeps its store (the shape of the service's store-location parser). */
export type StoreLocation =
  | { readonly kind: 'embedded'; readonly dir: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'postgres'; readonly url: string; readonly display: string };

/** Parses `--store` / `MESH_STORE` (see the module notes). Never echoes a password. */
export function storeLocation(options: { store?: string; env?: Readonly<Record<string, string | undefined>>; data: string }): StoreLocation {
  const given = options.store ?? options.env?.['MESH_STORE'];
  if (given === undefined || given === '') return { kind: 'embedded', dir: join(options.data, 'store') };
  if (given === 'memory:') return { kind: 'memory' };
  if (given.startsWith('file:')) {
    const dir = given.slice('file:'.length);
    if (dir === '') throw new MeshServiceError('SERVICE_BAD_CONFIG', '--store file: names no directory');
    return { kind: 'embedded', dir };
  }
  if (/^postgres(ql)?:\/\//i.test(given)) {
    let display = 'postgres://…';
    try {
      const u = new URL(given);
      if (u.password !== '') u.password = '***';
      display = u.toString();
    } catch {
      // not a URL: keep the placeholder, never the text (it may hold a password)
    }
    return { kind: 'postgres', url: given, display };
  }
  return { kind: 'embedded', dir: given };
}

/** A readable name of a location (passwords redacted). */
export function describeLocation(location: StoreLocation): string {
  return location.kind === 'embedded' ? location.dir : location.kind === 'memory' ? 'memory:' : location.display;
}

/** Opens the store a location names. */
export async function openServiceStore(location: StoreLocation): Promise<ServiceStore> {
  switch (location.kind) {
    case 'memory':
      return new MemoryServiceStore();
    case 'embedded':
      return EmbeddedServiceStore.open(new NodeServiceFiles(location.dir));
    case 'postgres':
      // Hook: the PostgreSQL store (adapters/service-store/postgres.ts) plugs in here.
      throw new MeshServiceError('SERVICE_BAD_CONFIG', `${location.display}: this build has no PostgreSQL store yet; use the embedded store (--data DIR)`);
    default:
      throw new MeshServiceError('SERVICE_BAD_CONFIG', 'unknown store location');
  }
}
