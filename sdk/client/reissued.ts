import type { DareEnvelope } from '../dare/envelope.js';
import { openMeshEnvelope } from '../mesh/envelopes.js';
import { MeshError } from '../mesh/errors.js';
import type { MeshAccount } from '../mesh/host/account.js';
import { publicKeyOf } from '../mesh/keydata.js';
import type { AnyProfileAccount, CatalogedDevice } from '../mesh/schema/types.js';
import { MeshClientError } from './errors.js';

/**
 * Takes up the CatalogedDevice a Status hands over (protocol.md T6: when its digest differs from
 * the one sent): an administrator re-issued it — other roles (`device auth`), new store key
 * generations after a revocation (mesh/reissue.ts). It must be signed by the account's
 * AdministratorSignature and pass every check of MeshAccount.adoptCatalogedDevice; the stores
 * opened afterwards use its keys. True when something changed.
 */
export async function adoptIssued(account: MeshAccount, envelope: DareEnvelope): Promise<boolean> {
  const admin = (account.profile as AnyProfileAccount).AdministratorSignature;
  if (admin === undefined) return false;
  let device: CatalogedDevice;
  try {
    device = openMeshEnvelope(envelope, 'CatalogedDevice', { signers: [publicKeyOf(admin, 'AdministratorSignature')], requireSignature: true }).object as CatalogedDevice;
  } catch (e) {
    if (!(e instanceof MeshError)) throw e;
    throw new MeshClientError('CLIENT_BAD_RESPONSE', `Status: the CatalogedDevice handed over is not signed by the account's administrator: ${e.message}`, { cause: e });
  }
  if (device.DeviceUdf !== account.deviceUdf) throw new MeshClientError('CLIENT_BAD_RESPONSE', 'Status: the CatalogedDevice handed over is of another device');
  return account.adoptCatalogedDevice(device);
}
