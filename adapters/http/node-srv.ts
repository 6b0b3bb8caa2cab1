import { resolveSrv } from 'node:dns/promises';
import type { SrvLookup } from '../../sdk/protocol/srv.js';

/**
 * SRV lookup on node:dns (the SDK's discovery asks for `_mmm._tcp.<domain>`, protocol.md §1).
 * A name without records (NXDOMAIN, NODATA) gives an empty list; other failures reject, and
 * discovery then falls back to `https://<domain>/.well-known/mmm/`.
 */
export const nodeSrvLookup: SrvLookup = async (name) => {
  try {
    return (await resolveSrv(name)).map((r) => ({ name: r.name, port: r.port, priority: r.priority, weight: r.weight }));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    throw e;
  }
};
