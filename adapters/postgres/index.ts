/**
 * `mathmesh/adapters/postgres`: the service-store contract on PostgreSQL (`PostgresServiceStore`),
 * for a Mesh service that runs as several hosts in front of one database — shared accounts,
 * frames, records and nonce claims, changes pushed across hosts with LISTEN/NOTIFY. Node only
 * (the `pg` client).
 *
 * @example
 * ```ts
 * import { PostgresServiceStore } from 'mathmesh/adapters/postgres';
 *
 * const store = await PostgresServiceStore.open('postgres://mesh:secret@127.0.0.1:5432/mesh');
 * for await (const change of store.watch()) console.log(change); // every host's commits
 * ```
 *
 * @module mathmesh/adapters/postgres
 */
export { PostgresServiceStore, type PostgresStoreOptions } from '../service-store/postgres.js';
export type { ServiceStore } from '../../sdk/service/store.js';
