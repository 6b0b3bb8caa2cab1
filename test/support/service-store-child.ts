import { NodeServiceFiles } from '../../adapters/service-store/node-files.js';
import { EmbeddedServiceStore } from '../../sdk/service/embedded/embedded-store.js';
import { ServiceStoreError } from '../../sdk/service/store-errors.js';
import { runLoad } from './service-store-load.js';

/**
 * Child process of test/service-store-fault.test.ts: opens the embedded store in DIR (recovering
 * from the previous child's SIGKILL), prints `ready <recovery report>`, then commits transactions
 * from many writers until it is killed, printing `ack <json>` for each one *after* its commit
 * resolved. stdout is a pipe, written synchronously on Linux: a line printed before the kill
 * reaches the parent.
 *
 * argv: DIR SEED PREFIX
 */
const [dir, seed, prefix] = process.argv.slice(2) as [string, string, string];
const accounts = ['alice@example.com', 'bob@example.com', 'carol@example.com'];
const stores = ['MMM_Contact', 'MMM_Device', 'MMM_Inbound', 'MMM_Local', 'MMM_Outbound'];

const store = await EmbeddedServiceStore.open(new NodeServiceFiles(dir), { segmentBytes: 256 << 10 });
for (const a of accounts) {
  await store.createAccount({ address: a, profileUdf: `MA${a.slice(0, 3).toUpperCase()}`, profile: new Uint8Array([1]) }).catch((e: unknown) => {
    if (!(e instanceof ServiceStoreError && e.code === 'SERVICE_ALREADY_EXISTS')) throw e;
  });
}
process.stdout.write(`ready ${JSON.stringify(store.recovery)}\n`);
await runLoad(store, {
  writers: 24, accounts, stores, seed: Number(seed), prefix,
  onAck: (ack) => process.stdout.write(`ack ${JSON.stringify(ack)}\n`),
  stop: () => false,
});
