import type { Command } from 'commander';
import { PNG } from 'pngjs';
import encodeQR from 'qr';
import { NodeWebSocket } from '../../adapters/http/node-push.js';
import { completeConnection, requestConnection } from '../client/connect.js';
import {
  acceptByPin, answerRequest, authorizeDevice, issueDevicePin, listDevices, pendingRequests, revokeDevice, type PinOutcome,
} from '../client/devices.js';
import { MeshClient } from '../client/mesh-client.js';
import { claimDevice, completePreconfigured, installPreconfigured, preconfigure } from '../client/preconfig.js';
import { pendingConnections } from '../mesh/host/pending.js';
import { readInstallation } from '../mesh/connect/preconfig.js';
import { parseConnectUri } from '../mesh/connect/uri.js';
import type { MeshAccount } from '../mesh/index.js';
import { escapeText } from './escape.js';
import { inputFile, outputTarget, readInput } from './files.js';
import { CliExit, type CliIo } from './io.js';
import { serviceOf } from './mesh-client.js';
import { hostCommand, openAccount, openHost, output, writeOutputFile, type HostOptions } from './mesh-home.js';
import { parseInteger } from './options.js';

/**
 * `mesh device …` and the connection verbs of `mesh account` (protocol.md F2, F3; features.md §C):
 *
 * - on the new device: `device request ADDRESS|mcu://ADDRESS/PIN [--pin PIN]` (prints the device
 *   UDF and the witness), `device complete` (pending, rejected, or the account installed and
 *   synchronised);
 * - on an administrator device: `device pending` (after a sync: each open request with its
 *   witness), `device accept WITNESS [--roles …]`, `device reject WITNESS`, `device list`,
 *   `account pin [--length --expire --roles --qr --png FILE]`, `account sync --auto`.
 *
 * Thin over `mathmesh/client` (connect.ts, devices.ts). A PIN and its URI are secrets: printed
 * only by `account pin`, the command whose purpose they are.
 */

/** The client of an account, for these commands. */
function clientOf(account: MeshAccount): MeshClient {
  return new MeshClient(account, { WebSocket: NodeWebSocket });
}

/** `--roles a,b` (also `a b`). */
function parseRoles(value: string): string[] {
  const roles = value.split(/[\s,]+/).filter((r) => r !== '');
  if (roles.length === 0) throw new CliExit(2, '--roles names at least one role (super, admin, web, message, device)');
  return roles;
}

/** `--expire 30m|12h|2d|ISO-8601 date`. */
function parseExpiry(value: string): Date {
  const m = /^(\d{1,6})([smhd])$/.exec(value.trim());
  if (m) return new Date(Date.now() + Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd']);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CliExit(2, `--expire takes a duration (30m, 12h, 2d) or a date, not ${escapeText(value.slice(0, 40))}`);
  return d;
}

/** A QR code of `text` for a terminal (Unicode half blocks, quiet zone included). */
export function terminalQr(text: string): string {
  return encodeQR(text, 'ascii', { ecc: 'medium', border: 2 });
}

/** A PNG of the QR code of `text` (black on white, 8 pixels a module, quiet zone of 4). */
export function pngQr(text: string): Uint8Array {
  const modules = encodeQR(text, 'raw', { ecc: 'medium', border: 4 });
  const scale = 8;
  const size = modules.length * scale;
  const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const data = Buffer.alloc(size * size, 0xff);
  for (let y = 0; y < modules.length; y++) {
    for (let x = 0; x < modules.length; x++) {
      if (!modules[y]![x]) continue;
      for (let dy = 0; dy < scale; dy++) data.fill(0, (y * scale + dy) * size + x * scale, (y * scale + dy) * size + (x + 1) * scale);
    }
  }
  png.data = data;
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false }));
}

function outcomeLine(o: PinOutcome): string {
  return o.result === 'Accept'
    ? `Accepted ${o.deviceUdf} (PIN) with roles ${o.roles.join(',')}`
    : `Rejected ${o.deviceUdf}: ${o.reason === 'MESH_PIN_USED' ? 'PinUsed' : o.reason === 'MESH_PIN_EXPIRED' ? 'PinExpired' : 'PinInvalid'}`;
}

/** `account sync --auto`: accept every request whose PIN validates (after the sync). */
export async function autoAccept(io: CliIo, o: { json?: boolean }, account: MeshAccount): Promise<PinOutcome[]> {
  const client = clientOf(account);
  const outcomes = await acceptByPin(client);
  if (!o.json) for (const x of outcomes) io.stdout(`${escapeText(outcomeLine(x))}\n`);
  return outcomes;
}

/**
 * `account watch` on an administrator device: one line (or JSON object) per connection request
 * not announced yet — what `device pending` would list, with the witness to compare.
 */
export async function announceRequests(io: CliIo, o: { json?: boolean }, client: MeshClient, announced: Set<string>): Promise<void> {
  for (const r of (await pendingRequests(client)).requests) {
    if (announced.has(r.witness)) continue;
    announced.add(r.witness);
    output(io, o, { request: { witness: r.witness, device: r.deviceUdf, pin: r.pinId !== undefined } }, [
      `Connection request: Device=${r.deviceUdf} Witness=${r.witness}${r.pinId ? ' (PIN: account sync --auto)' : ''}`,
    ]);
  }
}

/** Adds `account pin` to `mesh account`. */
export function addAccountDeviceCommands(account: Command, io: CliIo): void {
  hostCommand(account.command('pin'))
    .description('issue a one-time PIN that pre-authorises a device (device request ADDRESS --pin PIN, or its mcu:// URI / QR code)')
    .option('--length <bits>', 'random bits of the PIN (80 to 256, a multiple of 8; default 120)', parseInteger)
    .option('--expire <when>', 'expiry: a duration (30m, 12h, 2d) or a date (default 1 day)', parseExpiry)
    .option('--roles <roles>', 'roles of a device that connects with it (default web)', parseRoles)
    .option('--qr', 'also print the mcu:// URI as a QR code for a terminal')
    .option('--png <file>', 'write the QR code as a PNG image')
    .option('--force', 'replace the PNG file if it exists')
    .action(async (o: HostOptions & { length?: number; expire?: Date; roles?: string[]; qr?: boolean; png?: string; force?: boolean }) => {
      const target = o.png !== undefined ? await outputTarget(o.png, o.force === true) : undefined;
      const { account: a } = await openAccount(io, o);
      const pin = await issueDevicePin(clientOf(a), {
        ...(o.roles ? { roles: o.roles } : {}), ...(o.expire ? { expires: o.expire } : {}), ...(o.length !== undefined ? { bits: o.length } : {}),
      });
      if (target !== undefined) await writeOutputFile(target, pngQr(pin.uri));
      output(io, o, { pin: pin.pin, pinId: pin.pinId, uri: pin.uri, expires: pin.expires.toISOString(), roles: pin.roles, ...(o.png ? { png: o.png } : {}) }, [
        `PIN=${pin.pin}`, `URI=${pin.uri}`, `Expires=${pin.expires.toISOString()}`, `Roles=${pin.roles.join(',')}`,
      ]);
      if (o.qr && !o.json) io.stdout(terminalQr(pin.uri) + '\n');
    });
}

/** Reads a whole (small) input file. */
async function readAll(io: CliIo, path: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of readInput(await inputFile(path), io)) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Adds `account connect` (a preconfigured device's connect URI) to `mesh account`. */
export function addAccountConnectCommand(account: Command, io: CliIo): void {
  hostCommand(account.command('connect'))
    .description('claim a preconfigured device by the connect URI on its label (mcu://maker@…/E…) and connect it with the roles given')
    .argument('<uri>', 'the connect URI')
    .option('--roles <roles>', 'roles of the device (default web)', parseRoles)
    .option('--service <url>', 'the maker\'s service (default: MESH_RESOLVE, DNS SRV, https://DOMAIN/.well-known/mmm/)')
    .action(async (uri: string, o: HostOptions & { roles?: string[]; service?: string }) => {
      const parsed = parseConnectUri(uri);
      const { account: a } = await openAccount(io, o);
      const makerEndpoint = await serviceOf(io, parsed.account, o.service);
      const r = await claimDevice(clientOf(a), parsed.uri, { makerEndpoint, ...(o.roles ? { roles: o.roles } : {}) });
      output(io, o, { device: r.deviceUdf, roles: r.roles }, [`Connected ${r.deviceUdf} with roles ${r.roles.join(',')}`]);
    });
}

/** Adds `mesh device …`. */
export function addDeviceCommands(program: Command, io: CliIo): void {
  const device = program.command('device').description('connect this device to an account (request, complete) and manage an account\'s devices (pending, accept, reject, list, auth, delete, preconfig, install)');

  hostCommand(device.command('request'), false)
    .description('ask to join an account: prints this device\'s UDF and the witness to compare with the administrator\'s screen')
    .argument('<address>', 'the account (alice@example.com), or a connect URI mcu://alice@example.com/PIN')
    .option('--pin <pin>', 'a PIN the account issued (account pin): accepted without a prompt')
    .option('--service <url>', 'the account\'s service (default: MESH_RESOLVE, DNS SRV, https://DOMAIN/.well-known/mmm/)')
    .option('--description <text>', 'a name for this device')
    .action(async (target: string, o: HostOptions & { pin?: string; service?: string; description?: string }) => {
      let address = target;
      let pin = o.pin;
      if (target.toLowerCase().startsWith('mcu://')) {
        const uri = parseConnectUri(target);
        if (uri.kind !== 'pin') throw new CliExit(2, 'this connect URI is a publication (a contact or a preconfigured device), not a PIN: use account connect');
        if (pin !== undefined) throw new CliExit(2, 'the connect URI carries the PIN: give no --pin');
        address = uri.account;
        pin = uri.pin;
      }
      const host = await openHost(io, o);
      const endpoint = await serviceOf(io, address, o.service);
      const r = await requestConnection(host, {
        address, endpoint, ...(pin !== undefined ? { pin } : {}), ...(o.description ? { description: o.description } : {}), random: io.random,
      });
      output(io, o, { account: r.pending.address, accountUdf: r.accountUdf, device: r.deviceUdf, witness: r.witness, pin: pin !== undefined }, [
        `Account=${r.pending.address}`, `Device UDF=${r.deviceUdf}`, `Witness value=${r.witness}`,
        pin !== undefined ? 'Waiting for the administrator\'s sync; then run device complete' : 'Compare the witness with the administrator\'s device pending; then run device complete',
      ]);
    });

  hostCommand(device.command('complete'), false)
    .description('collect the administrator\'s answer to this device\'s request: join the account (and sync it) when accepted')
    .option('--device <udf>', 'the request (device UDF) when several are pending')
    .option('--service <url>', 'a preconfigured device: the claimant\'s service (default: discovery)')
    .option('--no-sync', 'do not download the account\'s stores after joining')
    .action(async (o: HostOptions & { device?: string; sync?: boolean; service?: string }) => {
      const host = await openHost(io, o);
      const all = await pendingConnections(host);
      const preconfigured = (o.device === undefined ? all.length === 1 ? all[0] : undefined : all.find((p) => p.deviceUdf === o.device!.toUpperCase()))?.kind === 'preconfigured';
      const selector = o.device !== undefined ? { deviceUdf: o.device } : {};
      const r = preconfigured
        ? await completePreconfigured(host, { ...selector, endpointOf: (address) => serviceOf(io, address, o.service) })
        : await completeConnection(host, selector);
      if (r.state === 'pending') {
        output(io, o, { state: 'pending', account: r.pending.address || null, device: r.pending.deviceUdf }, [
          r.pending.kind === 'preconfigured' ? 'Pending: no account has claimed this device yet' : `Pending: ${r.pending.address} has not answered yet`,
        ]);
        return;
      }
      if (r.state === 'rejected' || r.state === 'expired') {
        output(io, o, { state: r.state, account: r.pending.address, device: r.pending.deviceUdf }, [
          r.state === 'rejected' ? `Rejected: the administrator of ${r.pending.address} refused this device` : `Expired: request again`,
        ]);
        throw new CliExit(1, '');
      }
      const a = r.account;
      const synced = o.sync === false ? undefined : await clientOf(a).sync();
      output(io, o, { state: 'accepted', account: a.address, udf: a.udf, device: a.deviceUdf, roles: a.roles, downloaded: synced?.downloaded ?? 0 }, [
        `Account=${a.address}`, `UDF=${a.udf}`, `Device UDF=${a.deviceUdf}`, `Roles=${a.roles.join(',')}`,
        ...(synced ? [`Synchronised: ${synced.downloaded} frames downloaded`] : []),
      ]);
    });

  hostCommand(device.command('pending'))
    .description('the connection requests waiting for an answer (synchronises first), each with its witness')
    .action(async (o: HostOptions) => {
      const { account: a } = await openAccount(io, o);
      const client = clientOf(a);
      await client.sync();
      const { requests, invalid } = await pendingRequests(client);
      output(io, o, {
        account: a.address,
        requests: requests.map((r) => ({ witness: r.witness, device: r.deviceUdf, description: r.description ?? null, pin: r.pinId !== undefined, created: r.created ?? null })),
        invalid,
      }, [
        ...requests.map((r) => `Witness=${r.witness} Device=${r.deviceUdf}${r.pinId ? ' (PIN)' : ''}${r.description ? ` ${r.description}` : ''}`),
        ...invalid.map((x) => `Not valid (ignored): ${x.messageId}: ${x.reason}`),
        ...(requests.length === 0 ? ['No pending requests'] : []),
      ]);
    });

  for (const verb of ['accept', 'reject'] as const) {
    const cmd = hostCommand(device.command(verb))
      .description(verb === 'accept' ? 'accept the request with this witness: the device joins with the roles given' : 'refuse the request with this witness')
      .argument('<witness>', 'the witness value both devices show');
    if (verb === 'accept') cmd.option('--roles <roles>', 'roles of the device: super, admin, web, message, device (default web)', parseRoles);
    cmd.action(async (witness: string, o: HostOptions & { roles?: string[] }) => {
      const { account: a } = await openAccount(io, o);
      const client = clientOf(a);
      await client.sync();
      const r = await answerRequest(client, witness, { result: verb === 'accept' ? 'Accept' : 'Reject', ...(o.roles ? { roles: o.roles } : {}) });
      output(io, o, { witness: r.witness, device: r.deviceUdf, result: r.result, roles: r.roles }, [
        r.result === 'Accept' ? `Accepted ${r.deviceUdf} with roles ${r.roles.join(',')}` : `Rejected ${r.deviceUdf}`,
      ]);
    });
  }

  hostCommand(device.command('list'))
    .description('the devices of the account: UDF, roles, whether the service admits it (synchronises first)')
    .action(async (o: HostOptions) => {
      const { account: a } = await openAccount(io, o);
      const client = clientOf(a);
      await client.sync();
      const devices = await listDevices(client, { lastSync: a.isAdministrator });
      output(io, o, { account: a.address, devices }, devices.map((d) =>
        `${d.deviceUdf} roles=${d.roles.join(',') || '-'}${d.active ? '' : ' (revoked)'}${d.self ? ' (this device)' : ''}`
        + ` last-sync=${d.lastSync ? d.lastSync.toISOString().replace(/\.000Z$/, 'Z') : '-'}${d.description ? ` ${d.description}` : ''}`));
    });

  hostCommand(device.command('preconfig'))
    .description('(maker) make a preconfigured device: writes its installation file (secret) and prints the connect URI for its label')
    .requiredOption('--out <file>', 'the installation file to write (.medk; it holds the device\'s seed)')
    .option('--description <text>', 'the device\'s description')
    .option('--force', 'replace the file if it exists')
    .action(async (o: HostOptions & { out: string; description?: string; force?: boolean }) => {
      const target = await outputTarget(o.out, o.force === true);
      const { account: a } = await openAccount(io, o);
      const made = await preconfigure(clientOf(a), o.description ? { description: o.description } : {});
      await writeOutputFile(target, made.installation);
      output(io, o, { device: made.deviceUdf, uri: made.connectUri, file: o.out }, [`Device UDF=${made.deviceUdf}`, `URI=${made.connectUri}`]);
    });

  hostCommand(device.command('install'), false)
    .description('(preconfigured device) install the maker\'s installation file: the device waits to be claimed (device complete)')
    .argument('<file>', 'the .medk file')
    .option('--service <url>', 'the maker\'s service (default: discovery)')
    .action(async (file: string, o: HostOptions & { service?: string }) => {
      const bytes = await readAll(io, file);
      const host = await openHost(io, o);
      const publisher = readInstallation(bytes).publication.publisher;
      const pending = await installPreconfigured(host, bytes, { makerEndpoint: await serviceOf(io, publisher, o.service) });
      output(io, o, { device: pending.deviceUdf, maker: pending.publication!.publisher }, [`Device UDF=${pending.deviceUdf}`, `Maker=${pending.publication!.publisher}`]);
    });

  hostCommand(device.command('auth'))
    .description('change a device\'s roles: the service applies them at once, the device takes up its keys at its next sync')
    .argument('<udf>', 'the device UDF (device list)')
    .requiredOption('--roles <roles>', 'its roles: super, admin, web, message, device', parseRoles)
    .action(async (udf: string, o: HostOptions & { roles: string[] }) => {
      const { account: a } = await openAccount(io, o);
      const r = await authorizeDevice(clientOf(a), udf, o.roles);
      output(io, o, { device: r.deviceUdf, roles: r.roles, rekeyed: Object.fromEntries(r.rekeyed) }, [
        `${r.deviceUdf} roles=${r.roles.join(',')}`, ...(r.rekeyed.size > 0 ? [`Re-keyed ${r.rekeyed.size} stores it no longer reads`] : []),
      ]);
    });

  hostCommand(device.command('delete'))
    .description('revoke a device: the service refuses it at once, and the stores it could read are re-keyed for the other devices')
    .argument('<udf>', 'the device UDF (device list)')
    .action(async (udf: string, o: HostOptions) => {
      const { account: a } = await openAccount(io, o);
      const r = await revokeDevice(clientOf(a), udf);
      output(io, o, { device: r.deviceUdf, keyids: r.keyids, rekeyed: Object.fromEntries(r.rekeyed), reissued: r.reissued }, [
        `Revoked ${r.deviceUdf}`, `Re-keyed ${r.rekeyed.size} stores for ${r.reissued.length} remaining devices`,
      ]);
    });
}
