import { dareKeyFromKeyPair, type DarePrivateKey } from '../dare/keys.js';
import { buildMessageClaim } from '../mesh/connect/claim.js';
import { parseConnectUri } from '../mesh/connect/uri.js';
import { MeshError } from '../mesh/errors.js';
import { announcePublication } from '../mesh/publication.js';
import type { CatalogedPublication } from '../mesh/schema/types.js';
import { keyCredential, MeshHttpClient, type FetchFunction } from '../protocol/client.js';
import { uploadWith } from './devices.js';
import { MeshClientError } from './errors.js';
import type { MeshClient } from './mesh-client.js';

/**
 * Publications on the wire (mesh-model.md §11; protocol.md T10 Claim): what the publisher does
 * to make a publication claimable, and what a claimant does to get it — shared by preconfigured
 * devices (preconfig.ts) and static contact URIs (messages.ts).
 *
 * - {@link publish}: the CatalogedPublication into this account's MMM_Publication and, signed
 *   (`announcePublication`: the signer says what it is), to its service in `Local[]` of the same
 *   Transact. Needs a device that writes MMM_Local (the admin role).
 * - {@link claimPublication}: a MessageClaim signed by this account's CommonSignature, sent by
 *   Claim to the publisher's service under this account's CommonAuthentication key (Key mode:
 *   the publisher's service may be another than ours). The answer is the CatalogedPublication,
 *   still sealed under the URI's secret: the caller opens and checks what it holds.
 */

/** Publishes `publication` (see the module notes). */
export async function publish(client: MeshClient, publication: CatalogedPublication, signer: DarePrivateKey): Promise<void> {
  const announced = announcePublication(publication, signer);
  const catalog = await client.account.catalog('publication');
  try {
    await catalog.put(publication);
    await uploadWith(client, [catalog], { local: [announced] });
  } finally {
    await catalog.close();
  }
}

/** The account's Common key of `grant`: from this device's activation (message role), else from the account seed. */
function commonKey(client: MeshClient, grant: 'Signature' | 'Authentication'): DarePrivateKey {
  const account = client.account;
  const granted = account.activation.accountKeys[grant];
  if (granted !== undefined) return granted;
  if (!account.holdsSeed) throw new MeshClientError('CLIENT_NOT_AUTHORIZED', `this device does not hold the account's Common${grant} key (the message role grants it)`);
  const keys = account.accountKeys();
  return dareKeyFromKeyPair(grant === 'Signature' ? keys.commonSignature : keys.commonAuthentication);
}

/** A publication claimed: what the service answered, and the claim's MessageId. */
export interface ClaimedPublication {
  readonly publication: CatalogedPublication;
  readonly claimId: string;
  /** The connect URI in canonical form. */
  readonly uri: string;
}

/**
 * Claims the publication of a connect URI `mcu://<publisher>/<E-secret>` at `endpoint` (the
 * publisher's service; see the module notes). `MESH_BAD_ARGUMENT` for a URI that carries a PIN.
 */
export async function claimPublication(client: MeshClient, uri: string, options: { endpoint: string; fetch?: FetchFunction }): Promise<ClaimedPublication> {
  const parsed = parseConnectUri(uri);
  if (parsed.kind !== 'publication') throw new MeshError('MESH_BAD_ARGUMENT', 'this connect URI carries a PIN, not a publication secret (mcu://ADDRESS/E…)');
  const account = client.account;
  const signer = commonKey(client, 'Signature');
  const authentication = commonKey(client, 'Authentication');
  const built = buildMessageClaim({ connectUri: parsed.uri, claimant: account.address, commonSignature: signer });
  const http = new MeshHttpClient({ endpoint: options.endpoint, ...(options.fetch ? { fetch: options.fetch } : {}) });
  await http.hello();
  const answer = await http.request('Claim', { $class: 'ClaimRequest', EnvelopedMessageClaim: built.envelope }, keyCredential(authentication));
  if (answer.CatalogedPublication === undefined) throw new MeshClientError('CLIENT_BAD_RESPONSE', 'Claim: no CatalogedPublication');
  return { publication: { ...answer.CatalogedPublication, $class: 'CatalogedPublication' }, claimId: built.claim.MessageId!, uri: parsed.uri };
}
