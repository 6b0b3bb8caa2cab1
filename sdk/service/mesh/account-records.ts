import { utf8Decode } from '../../encoding/utf8.js';
import type { ServiceStore } from '../store.js';
import { connectRateName } from './connect.js';
import { SEEN_PREFIX } from './device-seen.js';

/**
 * The service's own records about an account, beside its stores (protocol.md F11 "nothing is
 * kept after an unbind", the decision accounts.ts takes): connection requests and their answers
 * (`mmm.connect.*`, `mmm.answer.*`, connect.ts), the account's connection allowance
 * (`mmm.connect-rate.*`), publications it filed and claims of or by it (`mmm.publication.*`,
 * `mmm.claim.*`, claims.ts), when its devices last synchronised (`mmm.seen.*`, device-seen.ts). Their names are keyed by request or publication, not by account
 * (a device knows only the id), so {@link forgetAccountRecords} reads the records under those
 * prefixes and deletes the ones naming the account: work in proportion to the records in flight,
 * done only when an account is unbound.
 */

/** Prefixes of records that name their account inside (`account`, `publisher` or `claimant`). */
const PREFIXES = ['mmm.answer.', 'mmm.claim.', 'mmm.connect.', 'mmm.publication.', SEEN_PREFIX] as const;

/** Record names read per page. */
const PAGE = 500;

function namesAccount(bytes: Uint8Array, address: string): boolean {
  try {
    const o = JSON.parse(utf8Decode(bytes)) as Record<string, unknown>;
    return o['account'] === address || o['publisher'] === address || o['claimant'] === address;
  } catch {
    return false;
  }
}

/**
 * Deletes every record of the service about the account at `address` (canonical; see the module
 * notes) and returns how many went. Records another account still needs — a claim of this
 * account's publication by another, or by this account of another's — go too: neither side can
 * finish the flow with an account that is gone.
 */
export async function forgetAccountRecords(store: ServiceStore, address: string): Promise<number> {
  let deleted = (await store.deleteRecord(connectRateName(address))) ? 1 : 0;
  for (const prefix of PREFIXES) {
    let after: string = prefix;
    for (;;) {
      const names = await store.listRecords({ after, limit: PAGE });
      const mine = names.filter((n) => n.startsWith(prefix));
      for (const name of mine) {
        const bytes = await store.getRecord(name);
        if (bytes !== undefined && namesAccount(bytes, address) && (await store.deleteRecord(name))) deleted++;
      }
      if (names.length < PAGE || mine.length < names.length) break;
      after = names[names.length - 1]!;
    }
  }
  return deleted;
}
