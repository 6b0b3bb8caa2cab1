import { envelopeToString, parseEnvelope } from '../../dare/envelope.js';
import { bytesEqual } from '../../encoding/bytes.js';
import { utf8Decode, utf8Encode } from '../../encoding/utf8.js';
import { checkClaimForService, readMessageClaim } from '../../mesh/connect/claim.js';
import { openMeshEnvelope } from '../../mesh/envelopes.js';
import { MeshError } from '../../mesh/errors.js';
import { publicKeyOf } from '../../mesh/keydata.js';
import type { DarePublicKey } from '../../dare/keys.js';
import { meshObjectToString, readMeshObject } from '../../mesh/schema/codec.js';
import type { Enveloped } from '../../mesh/schema/object.js';
import type {
  CatalogedPublication, ClaimRequest, ClaimResponse, MessageClaim, PollClaimRequest, PollClaimResponse,
} from '../../mesh/schema/types.js';
import type { RequestContext } from '../../protocol/service.js';
import { refuse } from '../../protocol/status.js';
import { canonicalAddress } from '../store-rules.js';
import type { ServiceContext } from './context.js';
import { forbidden, invalid, refusalOf } from './errors.js';
import type { CheckedMessage } from './messages.js';

/**
 * Publications and claims at the service (protocol.md T10 Claim, T11 PollClaim, F4; mesh-model.md
 * §11): how a preconfigured device is claimed by the account that scanned its label, and how a
 * contact card is fetched by whoever holds its URI (protocol.md F6 static QR).
 *
 * - **Publishing**: an administrator device of the publisher sends the CatalogedPublication —
 *   signed, its data encrypted under the connect-URI secret — in `Local[]` of a Transact (it also
 *   keeps it in its MMM_Publication). The service cannot read the account's catalogs (they are
 *   encrypted to the account's keys), so it files this copy ({@link filePublications}): only the
 *   Authenticator (a MAC key derived from the secret) and ciphertext are in it. The signer says
 *   what the publication is (mesh/publication.ts `announcePublication`): the account's
 *   AdministratorSignature — a **device** label (F4); its CommonSignature — a **contact** card
 *   (F6 static QR, the key that signs the account's self contact). Anything else is not filed.
 * - **Claim** (Key or Connection mode): the MessageClaim names the publication and its publisher
 *   (`Recipient`: a claim for another account's publication finds nothing); its
 *   ServiceAuthenticate must be the MAC of the claimant under the Authenticator (only a holder of
 *   the secret computes it); a claimant account of this service must sign it with its
 *   CommonSignature and authenticate as itself. A device label: the first claimant keeps it (the
 *   device accepts one account; a retry by that claimant replaces its claim); another account's
 *   claim of a claimed publication is refused. A contact card: every holder of the URI gets it,
 *   as often as asked, and no claim is kept (no device polls for one; the publisher need not be
 *   online). The answer is the CatalogedPublication — ciphertext to all but holders of the secret,
 *   who check what it holds themselves (a contact is verified against the publisher's profile).
 * - **PollClaim** (Key mode, the device's base key): the claim kept for a publication; the
 *   device checks its DeviceAuthenticate (connect/claim.ts).
 */

const publicationRecord = (id: string): string => `mmm.publication.${id}`;
const claimRecord = (id: string): string => `mmm.claim.${id}`;

/** What a publication is, by the key that signed its announcement (see the module notes). */
export type PublicationKind = 'device' | 'contact';

interface PublicationRecord {
  readonly account: string;
  readonly publication: string;
  /** Absent in records filed before contact cards: a device label. */
  readonly kind?: PublicationKind;
}

interface ClaimRecord {
  readonly publisher: string;
  readonly claimant: string;
  readonly claim: string;
}

function parse<T>(bytes: Uint8Array | undefined): T | undefined {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(utf8Decode(bytes)) as T;
  } catch {
    return undefined;
  }
}

function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || !/^[A-Z2-7-]{8,100}$/.test(id)) throw invalid(`${what} is not a publication identifier`);
  return id;
}

/** Files the CatalogedPublications an administrator sent in `Local[]` (see the module notes). */
export async function filePublications(sc: ServiceContext, account: string, local: readonly CheckedMessage[]): Promise<void> {
  const publications = local.filter((m) => m.messageType === 'CatalogedPublication');
  if (publications.length === 0) return;
  const view = await sc.access.account(account);
  if (view === undefined) return;
  const signers: [PublicationKind, DarePublicKey][] = [['device', view.administrator]];
  const common = (view.profile as { CommonSignature?: Parameters<typeof publicKeyOf>[0] }).CommonSignature;
  // An account without a usable CommonSignature (a group) publishes no contact card.
  try {
    if (common !== undefined) signers.push(['contact', publicKeyOf(common, 'CommonSignature')]);
  } catch (e) {
    if (!(e instanceof MeshError)) throw e;
  }
  for (const m of publications) {
    try {
      const opened = signedBy(m, signers);
      if (opened === undefined) continue;
      const [kind, p] = opened;
      if (typeof p.Id !== 'string' || typeof p.Authenticator !== 'string' || p.EnvelopedData === undefined) continue;
      const record: PublicationRecord = { account, publication: meshObjectToString(p), kind };
      await sc.store.createRecord(publicationRecord(checkId(p.Id, 'Id')), utf8Encode(JSON.stringify(record)));
    } catch (e) {
      if (!(e instanceof MeshError)) sc.onError(e);
    }
  }
}

/** The announcement opened under the first of `signers` that signed it, with that signer's kind. */
function signedBy(m: CheckedMessage, signers: readonly [PublicationKind, DarePublicKey][]): [PublicationKind, CatalogedPublication] | undefined {
  for (const [kind, key] of signers) {
    try {
      return [kind, openMeshEnvelope(m.envelope, 'CatalogedPublication', { signers: [key], requireSignature: true }).object as CatalogedPublication];
    } catch (e) {
      if (!(e instanceof MeshError)) throw e;
    }
  }
  return undefined;
}

/** T10 Claim (see the module notes). */
export async function claim(sc: ServiceContext, request: ClaimRequest, rc: RequestContext): Promise<ClaimResponse> {
  const auth = rc.auth;
  if (auth === undefined || (auth.mode !== 'Key' && auth.mode !== 'Connection')) throw forbidden('Claim is signed by the claimant (Key or Connection mode)');
  const envelope = request.EnvelopedMessageClaim;
  if (envelope === undefined) throw invalid('ClaimRequest carries no EnvelopedMessageClaim');
  let unverified: MessageClaim;
  try {
    unverified = readMessageClaim(envelope);
  } catch (e) {
    throw refusalOf(e);
  }
  const id = checkId(unverified.PublicationId, 'PublicationId');
  const record = parse<PublicationRecord>(await sc.store.getRecord(publicationRecord(id)).catch((e: unknown) => { throw refusalOf(e); }));
  const notFound = () => refuse('NotFound', { extended: 'NotFound', name: 'MeshResponseNotFound', detail: 'no such publication' });
  if (record === undefined) throw notFound();
  // The URI names the publisher: another account's publication is not there for it.
  let publisher: string | undefined;
  try {
    publisher = canonicalAddress(unverified.Recipient ?? '');
  } catch {
    publisher = undefined;
  }
  if (publisher !== record.account) throw notFound();
  const publication = readMeshObject(record.publication, 'CatalogedPublication') as CatalogedPublication;
  // A claimant of this service: its own signature and its own credential.
  let claimant: string;
  try {
    claimant = canonicalAddress(unverified.Sender ?? '');
  } catch {
    throw invalid('the claim names no claimant (Sender)');
  }
  const local = await sc.access.account(claimant);
  try {
    const common = local === undefined ? undefined : (local.profile as { CommonSignature?: Parameters<typeof publicKeyOf>[0] }).CommonSignature;
    // A local claimant without a CommonSignature (a group) cannot claim.
    if (local !== undefined && common === undefined) throw new MeshError('MESH_NOT_AUTHORIZED', 'the claimant account has no CommonSignature key');
    const signer = common === undefined ? undefined : publicKeyOf(common, 'CommonSignature');
    checkClaimForService(envelope, publication, signer);
  } catch (e) {
    if (e instanceof MeshError && e.code === 'MESH_NOT_AUTHORIZED') throw forbidden(e.message);
    throw refusalOf(e);
  }
  if (local !== undefined) {
    const self = auth.mode === 'Connection' ? auth.account === local.address
      : local.commonAuthentication.kid === auth.keyid && bytesEqual(local.commonAuthentication.publicKey, auth.key.publicKey);
    if (!self) throw forbidden('a claim is sent by the claimant account itself');
  }
  if (record.kind === 'contact') return { $class: 'ClaimResponse', CatalogedPublication: publication };
  const kept: ClaimRecord = { publisher: record.account, claimant, claim: envelopeToString(envelope) };
  const bytes = utf8Encode(JSON.stringify(kept));
  const stored = parse<ClaimRecord>(await sc.store.createRecord(claimRecord(id), bytes).catch((e: unknown) => { throw refusalOf(e); }));
  if (stored?.claimant !== claimant) throw refuse('Forbidden', { extended: 'Refused', name: 'MeshResponseRefused', detail: 'this publication was claimed by another account' });
  // The same claimant again (a retry): its newest claim is the one the device answers to.
  if (stored.claim !== kept.claim) await sc.store.putRecord(claimRecord(id), bytes).catch((e: unknown) => { throw refusalOf(e); });
  return { $class: 'ClaimResponse', CatalogedPublication: publication };
}

/** T11 PollClaim (see the module notes). */
export async function pollClaim(sc: ServiceContext, request: PollClaimRequest, rc: RequestContext): Promise<PollClaimResponse> {
  if (rc.auth?.mode !== 'Key') throw forbidden('PollClaim is signed with the device\'s key (Key mode)');
  const id = checkId(request.PublicationId, 'PublicationId');
  const record = parse<ClaimRecord>(await sc.store.getRecord(claimRecord(id)).catch((e: unknown) => { throw refusalOf(e); }));
  if (record === undefined) return { $class: 'PollClaimResponse' };
  if (request.TargetAccountAddress !== undefined && canonicalAddress(request.TargetAccountAddress) !== record.publisher) return { $class: 'PollClaimResponse' };
  return { $class: 'PollClaimResponse', EnvelopedMessage: parseEnvelope(record.claim) as Enveloped<never> };
}
