import { defaultRandom, type RandomSource } from '../udf/random.js';
import { ProtocolError } from './errors.js';
import type { SrvLookup, SrvRecord } from './srv.js';
import { MESH_WELL_KNOWN_PATH } from './transactions.js';

/**
 * Where a domain's Mesh service is (protocol.md §1, §2), in this order:
 * 1. `--service URL` — an explicit service for every domain (tests, one-off use);
 * 2. `MESH_RESOLVE="a.test=http://127.0.0.1:P1,b.test=http://127.0.0.1:P2"` — per-domain
 *    overrides, like curl's `--resolve` (tests with several services on loopback);
 * 3. DNS SRV `_mmm._tcp.<domain>` (RFC 2782 order), when the runtime can look it up;
 * 4. `https://<domain>/.well-known/mmm/`.
 * The SDK reads no environment: the caller passes the option and variable values. Browsers have
 * no SRV lookup; they get step 4 (or an override).
 */

/** A service location. */
export interface ServiceEndpoint {
  /** Base URL, ending in `/.well-known/mmm/` unless given otherwise. */
  readonly url: string;
  /** Further SRV targets in RFC 2782 order, to try if `url` does not answer. */
  readonly alternatives: readonly string[];
  readonly source: 'service' | 'resolve' | 'srv' | 'well-known';
  /** The domain looked up (undefined with `--service`). */
  readonly domain: string | undefined;
}

/** Options of {@link discoverService}. */
export interface DiscoveryOptions {
  /** `--service URL`. */
  readonly service?: string;
  /** The value of MESH_RESOLVE. */
  readonly resolve?: string;
  /** SRV lookup of the runtime (adapters/node); without it, SRV is skipped. */
  readonly srv?: SrvLookup;
  readonly random?: RandomSource;
}

function bad(message: string): never {
  throw new ProtocolError('PROTOCOL_DISCOVERY', message);
}

/**
 * A service base URL: http or https, no query or fragment; a bare origin (`http://127.0.0.1:P`)
 * gets the well-known path; any other path is kept, with a trailing `/`.
 */
export function serviceUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return bad(`not a URL: ${JSON.stringify(text).slice(0, 80)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') bad(`a service URL is https (or http for loopback tests): ${url.href}`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') bad(`a service URL has no query, fragment or credentials: ${url.href}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = MESH_WELL_KNOWN_PATH;
  else if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** Lower-case domain of an account address (`alice@Example.com` → `example.com`) or of a bare domain. */
export function domainOf(target: string): string {
  const at = target.lastIndexOf('@');
  const domain = (at >= 0 ? target.slice(at + 1) : target).trim().toLowerCase().replace(/\.$/, '');
  if (at === 0) bad(`${target} is a callsign: it names no service domain`);
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain) || domain.length > 253) bad(`not a domain: ${JSON.stringify(domain).slice(0, 80)}`);
  return domain;
}

/** Parses MESH_RESOLVE: comma-separated `domain=url` pairs (whitespace around them ignored). */
export function parseMeshResolve(value: string): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const part of value.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) bad(`MESH_RESOLVE: "${entry.slice(0, 80)}" is not domain=url`);
    map.set(domainOf(entry.slice(0, eq)), serviceUrl(entry.slice(eq + 1)));
  }
  return map;
}

function uniform(random: RandomSource): number {
  const b = random(4);
  return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
}

/**
 * SRV records in the order RFC 2782 says to try them: by priority, and within a priority by a
 * weighted random draw (weight 0 rarely first). A single record with target `.` means "no service".
 */
export function orderSrv(records: readonly SrvRecord[], random: RandomSource = defaultRandom): SrvRecord[] {
  const out: SrvRecord[] = [];
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  for (const p of priorities) {
    // Zero-weight records first, as RFC 2782 arranges them before the running sums.
    const pool = records.filter((r) => r.priority === p).sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (pool.length > 0) {
      const total = pool.reduce((s, r) => s + r.weight, 0);
      const draw = uniform(random) * (total + 1);
      let sum = 0;
      let pick = pool.length - 1;
      for (let i = 0; i < pool.length; i++) {
        sum += pool[i]!.weight;
        if (sum >= draw) {
          pick = i;
          break;
        }
      }
      out.push(pool.splice(pick, 1)[0]!);
    }
  }
  return out;
}

function srvUrl(record: SrvRecord): string {
  const host = record.name.replace(/\.$/, '');
  return serviceUrl(`https://${host}${record.port === 443 ? '' : `:${record.port}`}`);
}

/** Finds the service of an account address or domain (see the module comment for the order). */
export async function discoverService(target: string, options: DiscoveryOptions = {}): Promise<ServiceEndpoint> {
  if (options.service !== undefined && options.service !== '') {
    return { url: serviceUrl(options.service), alternatives: [], source: 'service', domain: undefined };
  }
  const domain = domainOf(target);
  if (options.resolve !== undefined && options.resolve.trim() !== '') {
    const url = parseMeshResolve(options.resolve).get(domain);
    if (url !== undefined) return { url, alternatives: [], source: 'resolve', domain };
  }
  if (options.srv !== undefined) {
    let records: readonly SrvRecord[] = [];
    try {
      records = await options.srv(`_mmm._tcp.${domain}`);
    } catch {
      records = []; // a failed lookup falls back to the well-known URL, as an absent record does
    }
    if (records.length === 1 && (records[0]!.name === '.' || records[0]!.name === '')) bad(`${domain}: SRV says there is no Mesh service`);
    const usable = records.filter((r) => r.name !== '.' && r.name !== '' && Number.isInteger(r.port) && r.port > 0 && r.port < 65536);
    if (usable.length > 0) {
      const urls = orderSrv(usable, options.random).map(srvUrl);
      return { url: urls[0]!, alternatives: urls.slice(1), source: 'srv', domain };
    }
  }
  return { url: serviceUrl(`https://${domain}`), alternatives: [], source: 'well-known', domain };
}
