import type { Command } from 'commander';
import { NodeWebSocket } from '../../adapters/http/node-push.js';
import { nodeSrvLookup } from '../../adapters/http/node-srv.js';
import { MeshClient, type SyncReport } from '../client/mesh-client.js';
import type { MeshAccount, MeshHost } from '../mesh/index.js';
import { MeshHttpClient } from '../protocol/client.js';
import { discoverService } from '../protocol/discovery.js';
import { escapeText } from './escape.js';
import { CliExit, type CliIo } from './io.js';
import { hostCommand, openAccount, openHost, output, type HostOptions } from './mesh-home.js';
import { autoProcess } from './mesh-message.js';
import { parseInteger } from './options.js';
import { announceRequests, autoAccept } from './mesh-device.js';
import { warn } from './output.js';

/**
 * The service verbs of `mesh account` (protocol.md F1, F5, F11; features.md §B): `bind`,
 * `hello`, `sync`, `status`, `watch`, `delete` — thin over `mathmesh/client`'s MeshClient. The
 * service of an address is `--service URL`, else `MESH_RESOLVE` (`domain=url,…`), else DNS SRV
 * `_mmm._tcp.<domain>`, else `https://<domain>/.well-known/mmm/` (protocol.md §2); a bound
 * account uses the URL it was bound at.
 */

/** Options of the commands that may name a service. */
interface ServiceOptions extends HostOptions {
  service?: string;
}

/** The service endpoint of an address (see the module notes). */
export async function serviceOf(io: CliIo, address: string, service: string | undefined): Promise<string> {
  const env = io.env ?? {};
  const found = await discoverService(address, {
    ...(service !== undefined ? { service } : {}), ...(env['MESH_RESOLVE'] ? { resolve: env['MESH_RESOLVE'] } : {}), srv: nodeSrvLookup, random: io.random,
  });
  return found.url;
}

/** A client of a bound account (or of `endpoint` when given). */
function clientOf(account: MeshAccount, endpoint?: string): MeshClient {
  return new MeshClient(account, { ...(endpoint ? { endpoint } : {}), WebSocket: NodeWebSocket });
}

/** The conflict rule's warnings as `mesh: warning:` lines (what a user may not expect). */
function warnConflicts(io: CliIo, report: SyncReport): void {
  for (const s of report.stores) for (const w of s.warnings) warn(io, `${s.store}: ${escapeText(w.message)}`);
}

function syncLines(report: SyncReport): string[] {
  return [
    ...report.stores.map((s) => `${s.store}: ${s.downloaded} downloaded, ${s.uploaded} uploaded${s.rebuilt ? `, ${s.rebuilt} rebuilt after a conflict` : ''}`),
    `Synchronised: ${report.downloaded} frames downloaded, ${report.uploaded} uploaded${report.conflicts ? `, ${report.conflicts} conflicts resolved` : ''}`,
  ];
}

/**
 * Binds an account (protocol.md F1): discovery, Hello, BindAccount, first upload. Prints the
 * account, its UDF and the service.
 */
export async function bindAccount(io: CliIo, o: ServiceOptions & { json?: boolean }, account: MeshAccount): Promise<void> {
  const endpoint = await serviceOf(io, account.address, o.service);
  const report = await clientOf(account, endpoint).bind();
  output(io, o, { account: account.address, udf: account.udf, device: account.deviceUdf, roles: account.roles, service: report.endpoint, serviceUdf: report.serviceUdf }, [
    `Account=${account.address}`, `UDF=${account.udf}`, `Service=${report.endpoint}`, `ServiceUDF=${report.serviceUdf}`,
  ]);
}

/** Adds the service verbs to `mesh account`. */
export function addClientCommands(account: Command, io: CliIo): void {
  hostCommand(account.command('bind'))
    .description('bind an account made offline to its service (Hello, BindAccount, first upload)')
    .option('--service <url>', 'the service (default: MESH_RESOLVE, DNS SRV, https://DOMAIN/.well-known/mmm/)')
    .action(async (o: ServiceOptions) => {
      const { account: a } = await openAccount(io, o);
      await bindAccount(io, o, a);
    });

  hostCommand(account.command('hello'), true)
    .description('ask a service who it is (the account\'s, or the one of ADDRESS / --service)')
    .argument('[address]', 'an address whose service to ask (default: the account\'s service)')
    .option('--service <url>', 'the service to ask')
    .action(async (address: string | undefined, o: ServiceOptions) => {
      let endpoint: string;
      let account: MeshAccount | undefined;
      if (address !== undefined || o.service !== undefined) {
        endpoint = await serviceOf(io, address ?? 'service.invalid', o.service);
      } else {
        account = (await openAccount(io, o)).account;
        const url = account.service?.url;
        if (url === undefined) throw new CliExit(2, `${escapeText(account.address)} is not bound to a service: give ADDRESS or --service`);
        endpoint = url;
      }
      const http = new MeshHttpClient({ endpoint, ...(account?.service ? { expectedServiceUdf: account.service.serviceUdf } : {}) });
      const hello = await http.hello();
      const v = hello.response.Version;
      const limits = hello.response.ConstraintsUpdate;
      output(io, o, {
        service: http.endpoint, udf: hello.service.udf, version: v ? `${v.Major}.${v.Minor}` : null,
        encodings: (v?.Encodings ?? []).flatMap((e) => e.ID ?? []), uploadBytes: limits?.BytesMax ?? null, description: hello.profile.profile.Description ?? null,
      }, [
        `Service=${http.endpoint}`, `UDF=${hello.service.udf}`, `Version=${v ? `${v.Major}.${v.Minor}` : '?'}`,
        `Encodings=${(v?.Encodings ?? []).flatMap((e) => e.ID ?? []).join(',')}`,
        ...(hello.profile.profile.Description ? [`Name=${hello.profile.profile.Description}`] : []),
      ]);
    });

  hostCommand(account.command('sync'))
    .description('synchronise the account\'s catalogs and spools with its service (download, conflict rule, upload)')
    .option('--auto', 'then act on what needs no question: accept every device request whose PIN validates (account pin), with the PIN\'s roles, and file the contacts that answered your contact requests')
    .action(async (o: HostOptions & { auto?: boolean }) => {
      const { account: a } = await openAccount(io, o);
      const report = await clientOf(a).sync();
      warnConflicts(io, report);
      const accepted = o.auto ? await autoAccept(io, o, a) : undefined;
      const auto = o.auto ? await autoProcess(a) : undefined;
      output(io, o, {
        account: a.address, ...report, ...(accepted ? { connections: accepted } : {}), ...(auto ? { contactsAdded: auto.contacts } : {}),
      }, [...syncLines(report), ...(auto?.lines ?? [])]);
    });

  hostCommand(account.command('status'))
    .description('each store at the service and on this device')
    .action(async (o: HostOptions) => {
      const { account: a } = await openAccount(io, o);
      const s = await clientOf(a).status();
      output(io, o, { account: s.account, serviceUdf: s.serviceUdf, stores: s.stores }, [
        `Account=${s.account}`, `ServiceUDF=${s.serviceUdf}`,
        ...s.stores.map((x) => `${x.store}: service ${x.index + 1} frames, this device ${x.local} (${x.acknowledged} acknowledged)`),
      ]);
    });

  hostCommand(account.command('watch'))
    .description('follow the account: take each change as the service announces it (one line per change; --json: one JSON object per line)')
    .option('--count <n>', 'stop after N changes', parseInteger)
    .action(async (o: HostOptions & { count?: number }) => {
      const { account: a } = await openAccount(io, o);
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const client = clientOf(a);
      const watch = client.watch({ signal: abort.signal });
      const announced = new Set<string>();
      let seen = 0;
      try {
        for await (const change of watch) {
          for (const w of change.warnings) warn(io, `${change.store}: ${escapeText(w.message)}`);
          output(io, o, { store: change.store, index: change.index, downloaded: change.downloaded, acknowledged: change.acknowledged, rebuilt: change.rebuilt }, [
            `${change.store}: index ${change.index}, ${change.downloaded} downloaded`,
          ]);
          // An administrator device is told of connection requests as they come (protocol.md F2 step 4).
          if (change.store === 'MMM_Inbound' && change.downloaded > 0 && a.isAdministrator) await announceRequests(io, o, client, announced);
          if (o.count !== undefined && ++seen >= o.count) break;
        }
      } finally {
        watch.close();
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });

  hostCommand(account.command('delete'))
    .description('delete the account at its service (UnbindAccount) and remove it from this device')
    .option('--local', 'only remove it from this device (the service keeps it)')
    .action(async (o: HostOptions & { local?: boolean }) => {
      const host: MeshHost = await openHost(io, o);
      const a = await host.account(o.account);
      if (!o.local && a.service !== undefined) await clientOf(a).unbind();
      const removed = await host.removeAccount(a.udf);
      output(io, o, { account: removed.address, udf: removed.udf, unbound: !o.local && removed.bound }, [
        `Deleted ${removed.address}${!o.local && removed.bound ? ' at its service and' : ''} from this device`,
      ]);
    });
}
