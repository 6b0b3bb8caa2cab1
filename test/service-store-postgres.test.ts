import { afterAll } from 'vitest';
import { PostgresServiceStore, type PostgresStoreOptions } from '../adapters/service-store/postgres.js';
import type { ServiceStore } from '../sdk/service/store.js';
import { describePostgres, dropSchemas, freshSchema } from './support/postgres.js';
import { describeServiceStore } from './support/service-store-contract.js';

/**
 * The service-store contract suite (test/support/service-store-contract.ts) on PostgreSQL: each
 * test's store in a schema of its own; `reopen` closes the store and opens the same schema again.
 */
describePostgres('PostgreSQL service store: the contract', (url) => {
  afterAll(() => dropSchemas(url));
  const opened = new Map<ServiceStore, PostgresStoreOptions>();
  describeServiceStore('postgres', {
    async open(options = {}) {
      const o: PostgresStoreOptions = { ...options, schema: freshSchema(), poolSize: 4 };
      const s = await PostgresServiceStore.open(url, o);
      opened.set(s, o);
      return s;
    },
    async reopen(store) {
      const o = opened.get(store)!;
      await store.close();
      const s = await PostgresServiceStore.open(url, o);
      opened.set(s, o);
      return s;
    },
  });
});
