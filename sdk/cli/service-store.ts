import { join } from 'node:path';
import { MemoryServiceStore } from '../../adapters/service-store/memory.js';
import { NodeServiceFiles } from '../../adapters/service-store/node-files.js';
import { EmbeddedServiceStore } from '../service/embedded/embedded-store.js';
import { MeshServiceError } from '../service/mesh/errors.js';
import { resolveStoreLocation, type StoreLocation } from '../service/store-location.js';
import type { ServiceStore } from '../service/store.js';

/**
 * The one place the `mesh service` commands get a store from (the service never touches files
 * or tables itself): `--store VALUE`, else `MESH_STORE`, else the embedded store in `DATA/store`
 * (parsing: the service's {@link resolveStoreLocation}).
 *
 * - `memory:` — nothing persists (tests);
 * - `file:DIR` or a plain path — the embedded store (WAL + group commit) in that directory;
 * - `postgres://USER:PASS@HOST:PORT/DB[?schema=NAME]` — `PostgresServiceStore`
 *   (`mathmesh/adapters/postgres`), loaded only when named, so the embedded service never loads
 *   the PostgreSQL client. Every host of one service names the same database and schema.
 */

export type { StoreLocation };

/** Parses `--store` / `MESH_STORE` (see the module notes). Never echoes a password. */
export function storeLocation(options: { store?: string; env?: Readonly<Record<string, string | undefined>>; data: string }): StoreLocation {
  return resolveStoreLocation({
    ...(options.store !== undefined ? { store: options.store } : {}), ...(options.env ? { env: options.env } : {}), defaultDir: join(options.data, 'store'),
  });
}

/** A readable name of a location (passwords redacted). */
export function describeLocation(location: StoreLocation): string {
  if (location.kind === 'postgres') return location.schema === undefined ? location.display : `${location.display} (schema ${location.schema})`;
  return location.kind === 'embedded' ? location.dir : 'memory:';
}

/** Whether several hosts may serve one store at this location (a database shared over the network). */
export function isSharedLocation(location: StoreLocation): boolean {
  return location.kind === 'postgres';
}

/** Options of {@link openServiceStore}. */
export interface OpenStoreOptions {
  /** PostgreSQL: most pooled connections per host (default: the store's, 4). */
  readonly poolSize?: number;
  /** PostgreSQL: listen for other hosts' commits (default true; a one-off copy need not). */
  readonly listen?: boolean;
}

/** Opens the store a location names. */
export async function openServiceStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<ServiceStore> {
  switch (location.kind) {
    case 'memory':
      return new MemoryServiceStore();
    case 'embedded':
      return EmbeddedServiceStore.open(new NodeServiceFiles(location.dir));
    case 'postgres': {
      const { PostgresServiceStore } = await import('../../adapters/service-store/postgres.js');
      return PostgresServiceStore.open(location.url, {
        ...(location.schema !== undefined ? { schema: location.schema } : {}),
        ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
        ...(options.listen !== undefined ? { listen: options.listen } : {}),
      });
    }
    default:
      throw new MeshServiceError('SERVICE_BAD_CONFIG', 'unknown store location');
  }
}
