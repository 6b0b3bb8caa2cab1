/**
 * DNS SRV lookup, the contract a runtime adapter implements (node:dns in the Node adapter;
 * browsers have no DNS API, so discovery there goes straight to `https://<domain>/.well-known/mmm/`).
 * Types only.
 */

/** One SRV record (RFC 2782). */
export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/**
 * Resolves SRV records of `name` (e.g. `_mmm._tcp.example.com`). Resolves to an empty list when
 * the name has none (NXDOMAIN, NODATA); rejects only when the lookup itself failed.
 */
export type SrvLookup = (name: string) => Promise<readonly SrvRecord[]>;
