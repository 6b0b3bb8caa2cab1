import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';

/**
 * Hosts of one Mesh service in child processes (the real `mesh service start`, through
 * test/support/mesh-service-child.ts), and a TCP balancer in front of them that sends each new
 * connection to the first host that accepts it — what a load balancer does when a host dies,
 * so a client that reconnects lands on a surviving host.
 */

const root = resolve(import.meta.dirname, '..', '..');

/** A host process. */
export interface ChildHost {
  readonly endpoint: string;
  readonly udf: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the host wrote on stderr so far. */
  stderr(): string;
  /** Resolves when the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown of any kind. */
  kill(): Promise<void>;
  /** SIGTERM: the orderly stop (sockets, server, store). */
  stop(): Promise<void>;
}

/** Options of {@link spawnHost}. */
export interface SpawnHostOptions {
  /** `MESH_STORE` (credentials stay out of the command line). */
  readonly store: string;
  /** `MESH_SERVICE_SECRET`. */
  readonly secret: string;
  readonly data: string;
  readonly port?: number;
  /** More arguments of `mesh service start`. */
  readonly args?: readonly string[];
}

/** Starts `mesh service start` in a child process; resolves once it serves (its JSON line). */
export function spawnHost(options: SpawnHostOptions): Promise<ChildHost> {
  const child: ChildProcess = spawn(process.execPath, [
    '--import', resolve(root, 'test/support/ts-hooks.mjs'), resolve(root, 'test/support/mesh-service-child.ts'),
    'service', 'start', '--port', String(options.port ?? 0), '--data', options.data, '--json', ...(options.args ?? []),
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MESH_STORE: options.store, MESH_SERVICE_SECRET: options.secret } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
  return new Promise((ready, fail) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += String(d);
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      let line: { service: string; udf: string };
      try {
        line = JSON.parse(out.slice(0, nl)) as { service: string; udf: string };
      } catch {
        child.kill('SIGKILL');
        fail(new Error(`host printed ${JSON.stringify(out.slice(0, 200))}`));
        return;
      }
      const end = async (signal: NodeJS.Signals): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      };
      ready({
        endpoint: line.service, udf: line.udf, port: Number(new URL(line.service).port), pid: child.pid!,
        stderr: () => stderr, exited, kill: () => end('SIGKILL'), stop: () => end('SIGTERM'),
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((r) => fail(new Error(`host ended before serving (${r.code ?? r.signal}): ${stderr.trim().slice(-500)}`)));
  });
}

/** A balancer on loopback (see the module notes). */
export interface Balancer {
  readonly port: number;
  /** The service endpoint through the balancer. */
  readonly endpoint: string;
  /** Connections sent to each host port. */
  readonly sent: Map<number, number>;
  close(): Promise<void>;
}

/** A TCP balancer in front of `ports()` (tried in order for each new connection). */
export async function failoverBalancer(ports: () => readonly number[]): Promise<Balancer> {
  const sockets = new Set<Socket>();
  const sent = new Map<number, number>();
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const candidates = [...ports()];
    const attempt = (): void => {
      const port = candidates.shift();
      if (port === undefined) {
        client.destroy();
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port });
      sockets.add(upstream);
      let connected = false;
      upstream.on('connect', () => {
        connected = true;
        sent.set(port, (sent.get(port) ?? 0) + 1);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => {
        if (!connected) attempt();
      });
      upstream.on('close', () => {
        sockets.delete(upstream);
        if (connected) client.destroy();
      });
      client.on('close', () => upstream.destroy());
    };
    attempt();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port, endpoint: `http://127.0.0.1:${port}/.well-known/mmm/`, sent,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
