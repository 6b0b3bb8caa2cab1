import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { copyServiceStore, type CopyReport } from '../service/copy.js';
import { MeshServiceError } from '../service/mesh/errors.js';
import { IDENTITY_RECORD } from '../service/mesh/identity.js';
import { parseStoreLocation, type StoreLocation } from '../service/store-location.js';
import type { ServiceStore } from '../service/store.js';
import type { CliIo } from './io.js';
import { output } from './mesh-home.js';
import { writeServiceSecret } from './service-secret.js';
import { describeLocation, openServiceStore, storeLocation } from './service-store.js';

/**
 * `mesh service export` / `import` / `secret` (protocol.md §5: the stores are the same DARE frames
 * whichever store holds them): a whole service moved between the embedded store and PostgreSQL
 * by `copyServiceStore`, byte for byte — accounts, every store's frames at the same indexes
 * (the heads compared after each store), and the records, the sealed identity among them, so the
 * service keeps its ProfileService UDF wherever it runs, provided its hosts hold the same
 * service secret (service-secret.ts). The secret itself is never copied into a store.
 *
 * Stop the service first: the embedded store refuses a second opener (its directory lock); on
 * PostgreSQL nothing can tell, and a store that grows during the copy is copied up to the head
 * read when its copy began. The target must be empty (`SERVICE_ALREADY_EXISTS` otherwise: a copy
 * never merges into a live service). Start the target no sooner than a minute after the source
 * stopped (request nonces are not copied; protocol.md §3, the signature window is 60 s).
 */

/** What {@link copyService} did, for the command's output. */
export interface CopyServiceResult extends CopyReport {
  readonly from: string;
  readonly to: string;
}

/**
 * Copies the service at `from` into the empty store at `to` (see the module notes). A copy that
 * fails part-way leaves the target partly filled: the error says so (empty it, then try again).
 */
export async function copyService(from: StoreLocation, to: StoreLocation): Promise<CopyServiceResult> {
  for (const l of [from, to]) {
    if (l.kind === 'memory') throw new MeshServiceError('SERVICE_BAD_CONFIG', 'memory: holds no service to copy from or to');
  }
  const fromName = describeLocation(from);
  const toName = describeLocation(to);
  if (sameLocation(from, to)) throw new MeshServiceError('SERVICE_BAD_CONFIG', `the source and the target are the same store (${toName})`);
  // Opening a directory that is not there would make an empty store in it: a mistyped source.
  if (from.kind === 'embedded' && !existsSync(from.dir)) throw new MeshServiceError('SERVICE_BAD_CONFIG', `${fromName} does not exist: no service to copy`);
  const source = await openServiceStore(from, { listen: false, poolSize: 4 });
  let target: ServiceStore | undefined;
  try {
    // A mistyped source (another schema, an empty directory) holds nothing: say so, never "copied 0".
    if ((await source.getRecord(IDENTITY_RECORD)) === undefined && (await source.listAccounts({ limit: 1 })).length === 0) {
      throw new MeshServiceError('SERVICE_BAD_CONFIG', `${fromName} holds no Mesh service (no identity, no account): nothing to copy`);
    }
    target = await openServiceStore(to, { listen: false, poolSize: 4 });
    let report: CopyReport;
    let started = false;
    try {
      report = await copyServiceStore(source, target, { onProgress: () => void (started = true) });
    } catch (e) {
      if (!started && (e as { code?: string }).code === 'SERVICE_ALREADY_EXISTS') throw e;
      const why = e instanceof Error ? e.message : 'failure';
      throw new MeshServiceError('SERVICE_BAD_CONFIG', `the copy to ${toName} failed (${why}); the target may be partly filled: empty it before trying again`, { cause: e });
    }
    return { ...report, from: fromName, to: toName };
  } finally {
    await target?.close().catch(() => undefined);
    await source.close().catch(() => undefined);
  }
}

function sameLocation(a: StoreLocation, b: StoreLocation): boolean {
  if (a.kind === 'embedded' && b.kind === 'embedded') return a.dir.replace(/\/+$/, '') === b.dir.replace(/\/+$/, '');
  if (a.kind === 'postgres' && b.kind === 'postgres') return a.url === b.url && (a.schema ?? '') === (b.schema ?? '');
  return false;
}

interface CopyFlags {
  store?: string;
  data?: string;
  json?: boolean;
}

function report(io: CliIo, o: { json?: boolean }, r: CopyServiceResult): void {
  output(io, o, { ...r }, [
    `From=${r.from}`, `To=${r.to}`, `Accounts=${r.accounts}`, `Stores=${r.stores}`, `Frames=${r.frames}`, `Bytes=${r.bytes}`, `Records=${r.records}`,
  ]);
}

/** Adds `mesh service export`, `import` and `secret` to the `service` command. */
export function addServiceCopyCommands(service: Command, io: CliIo): void {
  const here = (o: CopyFlags): StoreLocation => storeLocation({ ...(o.store ? { store: o.store } : {}), env: io.env ?? {}, data: o.data ?? './mesh-data' });
  service.command('export')
    .description('copy the whole service (accounts, stores, sealed identity) byte for byte into an empty store; stop the service first')
    .requiredOption('--to <location>', 'the target store: a directory, file:DIR, or postgres://USER:PASS@HOST:PORT/DB')
    .option('--store <location>', 'the service\'s store (default $MESH_STORE, else DATA/store)')
    .option('--data <dir>', 'data directory (default ./mesh-data)')
    .option('--json', 'print JSON')
    .action(async (o: CopyFlags & { to: string }) => report(io, o, await copyService(here(o), parseStoreLocation(o.to))));
  service.command('import')
    .description('fill the service\'s empty store with a copy of another (what export wrote, or a running service\'s store once stopped)')
    .requiredOption('--from <location>', 'the source store: a directory, file:DIR, or postgres://USER:PASS@HOST:PORT/DB')
    .option('--store <location>', 'the service\'s store, to be filled (default $MESH_STORE, else DATA/store)')
    .option('--data <dir>', 'data directory (default ./mesh-data)')
    .option('--json', 'print JSON')
    .action(async (o: CopyFlags & { from: string }) => report(io, o, await copyService(parseStoreLocation(o.from), here(o))));
  service.command('secret')
    .description('make a new service secret file (0600) to give every host of a service on a shared store (--secret-file or MESH_SERVICE_SECRET)')
    .requiredOption('--to <file>', 'the file to create (never replaced)')
    .option('--json', 'print JSON')
    .action(async (o: { to: string; json?: boolean }) => {
      await writeServiceSecret(o.to, io.random);
      output(io, o, { secretFile: o.to }, [`SecretFile=${o.to}`]);
    });
}
