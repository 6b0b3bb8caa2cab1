import { PostgresServiceStore } from '../../adapters/service-store/postgres.js';
import { ServiceStoreError } from '../../sdk/service/store-errors.js';
import { runLoad } from './service-store-load.js';

/**
 * Child process of test/service-store-postgres-kill.test.ts: one host of a service on
 * PostgreSQL, committing transactions from many writers until it is killed, printing
 * `ack <json>` for each one after its commit resolved (stdout is a pipe, written synchronously
 * on Linux: a line printed before the kill reaches the parent).
 *
 * argv: URL SCHEMA SEED PREFIX
 */
const [url, schema, seed, prefix] = process.argv.slice(2) as [string, string, string, string];
const accounts = ['alice@example.com', 'bob@example.com', 'carol@example.com'];
const stores = ['MMM_Contact', 'MMM_Device', 'MMM_Inbound', 'MMM_Local', 'MMM_Outbound'];

const store = await PostgresServiceStore.open(url, { schema, poolSize: 8 });
for (const a of accounts) {
  await store.createAccount({ address: a, profileUdf: `MA${a.slice(0, 3).toUpperCase()}`, profile: new Uint8Array([1]) }).catch((e: unknown) => {
    if (!(e instanceof ServiceStoreError && e.code === 'SERVICE_ALREADY_EXISTS')) throw e;
  });
}
process.stdout.write('ready\n');
await runLoad(store, {
  writers: 16, accounts, stores, seed: Number(seed), prefix,
  onAck: (ack) => process.stdout.write(`ack ${JSON.stringify(ack)}\n`),
  stop: () => false,
});
