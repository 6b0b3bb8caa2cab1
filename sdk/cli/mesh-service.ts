import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { attachPush, type AttachedPush } from '../../adapters/http/node-push.js';
import { listenHttp, type RunningHttpServer } from '../../adapters/http/node-server.js';
import { init } from '../crypto/index.js';
import { nodeSrvLookup } from '../../adapters/http/node-srv.js';
import type { IngressLogEntry } from '../service/mesh/ingress.js';
import { base64urlDecode, base64urlEncode } from '../encoding/base64url.js';
import { MESH_WELL_KNOWN_PATH, MESSAGE_LIMIT } from '../protocol/transactions.js';
import { MeshServiceError } from '../service/mesh/errors.js';
import { MIN_SECRET_BYTES } from '../service/mesh/identity.js';
import { DEFAULT_SERVICE_LIMITS, MeshService, type MeshServiceOptions } from '../service/mesh/service.js';
import type { ServiceStore } from '../service/store.js';
import { defaultRandom, type RandomSource } from '../udf/random.js';
import { escapeText } from './escape.js';
import type { CliIo } from './io.js';
import { output } from './mesh-home.js';
import { parseInteger } from './options.js';
import { addServiceCopyCommands } from './service-copy.js';
import { missingSharedSecret } from './service-secret.js';
import { describeLocation, isSharedLocation, openServiceStore, storeLocation } from './service-store.js';

/**
 * `mesh service start` (protocol.md §1, §2, §5): the Mesh service on Node — the store from one
 * factory (service-store.ts: the embedded store in `DATA/store` by default), the identity sealed
 * under the service secret (`DATA/service.secret`, made on first start, 0600; or
 * `MESH_SERVICE_SECRET`; on a store several hosts share, PostgreSQL, never made here: every host
 * must hold the same one, service-secret.ts), the RFC 9421 binding on node:http and the push socket on the same
 * port. Prints the endpoint and the ProfileService UDF, serves until SIGINT or SIGTERM, then
 * closes the sockets, the server and the store in that order.
 */

/** Default port: the reference's (`http://<host>:15099/.well-known/mmm/`, protocol.md §1). */
export const DEFAULT_SERVICE_PORT = 15099;

/** Options of {@link startService}. */
export interface StartServiceOptions {
  /** Data directory (default `./mesh-data`): the embedded store (`store/`) and the secret file. */
  readonly data?: string;
  readonly port?: number;
  /** Address to listen on (default `127.0.0.1`: plain HTTP belongs on loopback, TLS in front otherwise). */
  readonly host?: string;
  /** The domain(s) this service holds accounts of (comma-separated); default any. */
  readonly serviceName?: string;
  /** `--store` (else `MESH_STORE`, else the embedded store). */
  readonly store?: string;
  /** `--secret-file` (else `MESH_SERVICE_SECRET`, else `DATA/service.secret`). */
  readonly secretFile?: string;
  /** PostgreSQL: most pooled connections of this host (default 4). */
  readonly poolSize?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly random?: RandomSource;
  /** A store decorator (benchmarks and fault tests observe commits through it). */
  readonly wrapStore?: (store: ServiceStore) => ServiceStore;
  readonly onError?: (error: unknown) => void;
  /** Told of what the service refused from other accounts (ingress control): one line each, never content. */
  readonly onLog?: (line: string) => void;
  /** Further service options (limits, routing for messages to other services). */
  readonly service?: Partial<Omit<MeshServiceOptions, 'store' | 'identity'>>;
}

/** A running service. */
export interface RunningService {
  /** The transaction endpoint, `http://HOST:PORT/.well-known/mmm/`. */
  readonly endpoint: string;
  /** The ProfileService UDF. */
  readonly udf: string;
  readonly port: number;
  readonly service: MeshService;
  readonly store: ServiceStore;
  readonly server: RunningHttpServer;
  /** Where the store is (passwords redacted). */
  readonly location: string;
  /** Stops: push sockets, then the server, then the store. */
  close(): Promise<void>;
}

/**
 * The service secret: `MESH_SERVICE_SECRET` (base64url), else the secret file, made (0600,
 * exclusively: two starts agree) with 32 random bytes when absent — unless `create` is false
 * (a store shared by several hosts: every host must hold the same secret, so none may invent
 * one; see service-secret.ts), where a missing file is `SERVICE_BAD_CONFIG` saying how to make one.
 */
export async function serviceSecret(file: string, env: Readonly<Record<string, string | undefined>>, random: RandomSource = defaultRandom, create = true): Promise<Uint8Array> {
  const decode = (text: string, where: string): Uint8Array => {
    let bytes: Uint8Array;
    try {
      bytes = base64urlDecode(text.trim());
    } catch {
      throw new MeshServiceError('SERVICE_BAD_CONFIG', `${where} is not base64url`);
    }
    if (bytes.length < MIN_SECRET_BYTES) throw new MeshServiceError('SERVICE_BAD_CONFIG', `${where} holds fewer than ${MIN_SECRET_BYTES} bytes`);
    return bytes;
  };
  const fromEnv = env['MESH_SERVICE_SECRET'];
  if (fromEnv !== undefined && fromEnv !== '') return decode(fromEnv, 'MESH_SERVICE_SECRET');
  try {
    return decode(await readFile(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof MeshServiceError) throw e;
      throw new MeshServiceError('SERVICE_BAD_CONFIG', `cannot read the service secret ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (!create) throw new MeshServiceError('SERVICE_BAD_CONFIG', missingSharedSecret(file));
  try {
    await writeFile(file, base64urlEncode(random(32)) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new MeshServiceError('SERVICE_BAD_CONFIG', `cannot write the service secret ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return decode(await readFile(file, 'utf8'), file);
}

/** Starts the service (see the module notes). */
export async function startService(options: StartServiceOptions = {}): Promise<RunningService> {
  // The WASM core: Ed448 and X448 about nine times faster than the pure twins, and the service
  // spends most of its time in them (request keys, Access checks, upload verification).
  await init();
  const env = options.env ?? {};
  const data = options.data ?? './mesh-data';
  const location = storeLocation({ ...(options.store !== undefined ? { store: options.store } : {}), env, data });
  await mkdir(data, { recursive: true, mode: 0o700 });
  const secret = await serviceSecret(options.secretFile ?? join(data, 'service.secret'), env, options.random, !isSharedLocation(location));
  const opened = await openServiceStore(location, options.poolSize !== undefined ? { poolSize: options.poolSize } : {});
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  let service: MeshService | undefined;
  let server: RunningHttpServer | undefined;
  let attached: AttachedPush | undefined;
  try {
    const domains = options.serviceName?.split(',').map((d) => d.trim()).filter((d) => d !== '');
    // Other services are found as clients find them (MESH_RESOLVE, SRV, .well-known); ingress refusals are logged.
    const messaging = {
      ...(env['MESH_RESOLVE'] ? { resolve: env['MESH_RESOLVE'] } : {}), srv: nodeSrvLookup,
      ...(options.onLog ? { log: (e: IngressLogEntry) => options.onLog!(`ingress: refused ${e.refused} from ${e.sender} to ${e.recipient}${e.messageId ? ` (${e.messageId})` : ''}: ${e.detail}`) } : {}),
      ...options.service?.messaging,
    };
    service = await MeshService.open(store, {
      secret, ...(domains && domains.length > 0 ? { name: domains[0]!, domains } : {}), ...(options.random ? { random: options.random } : {}),
      ...options.service, messaging, ...(options.onError ? { onError: options.onError } : {}),
    });
    const port = options.port ?? DEFAULT_SERVICE_PORT;
    const host = options.host ?? '127.0.0.1';
    try {
      server = await listenHttp(service.http, { port, host, ...(options.onError ? { onError: options.onError } : {}) });
    } catch (e) {
      throw new MeshServiceError('SERVICE_BAD_CONFIG', `cannot listen on ${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    if (service.push) attached = attachPush(server.server, service.push, options.onError ? { onError: options.onError } : {});
  } catch (e) {
    await service?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  } finally {
    secret.fill(0);
  }
  const s = service;
  const srv = server;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `${srv.url}${MESH_WELL_KNOWN_PATH}`, udf: s.udf, port: srv.port, service: s, store, server: srv, location: describeLocation(location),
    close: () => (closing ??= (async () => {
      attached?.detach();
      await s.close();
      srv.server.closeAllConnections();
      await srv.close();
      await store.close();
    })()),
  };
}

/** Adds `mesh service …`. */
export function addServiceCommands(program: Command, io: CliIo): void {
  const service = program.command('service').description('run a Mesh service: accounts, their catalogs and spools, and push notifications');
  service.command('start')
    .description('start the service on an embedded store (or --store) and serve until interrupted (prints its URL and service UDF)')
    .option('--port <port>', `TCP port (default ${DEFAULT_SERVICE_PORT})`, parseInteger)
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--data <dir>', 'data directory: embedded store and service secret (default ./mesh-data)')
    .option('--service-name <domain>', 'domain(s) whose accounts this service holds, comma-separated (default: any)')
    .option('--store <location>', 'the store: a directory, file:DIR, memory:, or postgres://USER:PASS@HOST:PORT/DB shared by every host (default $MESH_STORE, else DATA/store)')
    .option('--secret-file <file>', 'the service secret sealing its keys (default $MESH_SERVICE_SECRET, else DATA/service.secret)')
    .option('--max-upload <bytes>', `largest upload body (Transact), refused unread above it (default ${DEFAULT_SERVICE_LIMITS.uploadBytes})`, parseInteger)
    .option('--pool <connections>', 'PostgreSQL: most pooled connections of this host (default 4)', parseInteger)
    .option('--json', 'print JSON')
    .action(async (o: { port?: number; host?: string; data?: string; serviceName?: string; store?: string; secretFile?: string; maxUpload?: number; pool?: number; json?: boolean }) => {
      if (o.maxUpload !== undefined && o.maxUpload < MESSAGE_LIMIT) throw new MeshServiceError('SERVICE_BAD_CONFIG', `--max-upload is at least ${MESSAGE_LIMIT} bytes (a message must fit)`);
      const running = await startService({
        ...(o.maxUpload !== undefined ? { service: { limits: { uploadBytes: o.maxUpload } } } : {}),
        ...(o.pool !== undefined ? { poolSize: o.pool } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}), ...(o.host ? { host: o.host } : {}), ...(o.data ? { data: o.data } : {}),
        ...(o.serviceName ? { serviceName: o.serviceName } : {}), ...(o.store ? { store: o.store } : {}), ...(o.secretFile ? { secretFile: o.secretFile } : {}),
        env: io.env ?? {}, random: io.random,
        onError: (e) => io.stderr(`mesh: service: ${escapeText(e instanceof Error ? `${e.name}: ${e.message}` : 'failure')}\n`),
        onLog: (line) => io.stderr(`mesh: service: ${escapeText(line)}\n`),
      });
      output(io, o, { service: running.endpoint, udf: running.udf, store: running.location }, [
        `Service=${running.endpoint}`, `UDF=${running.udf}`, `Store=${running.location}`,
      ]);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
    });
  addServiceCopyCommands(service, io);
}
