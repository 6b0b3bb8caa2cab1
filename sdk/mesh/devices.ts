import type { DareEnvelope } from '../dare/envelope.js';
import { inspectMeshEnvelope, openMeshEnvelope } from './envelopes.js';
import { MeshError } from './errors.js';
import { checkKeyData, publicKeyOf } from './keydata.js';
import { verifyProfile } from './profiles.js';
import type { CatalogedDevice } from './schema/types.js';

/**
 * Validation of a CatalogedDevice — what a device receives in RespondConnection and finds in
 * MMM_Device (mesh-model.md §6 step 7, §8.3; schema-08 §7 with the reference's field names).
 * A connection is valid for an account iff the account profile is self-signed, the connection
 * names that profile (`ProfileUdf`) and the account's AdministratorSignature signed it.
 */

/** One line per rule; `valid` is true only when every rule holds. */
export interface DeviceChainReport {
  readonly accountUdf: string | undefined;
  readonly deviceUdf: string | undefined;
  readonly profileUserSelfSigned: boolean;
  readonly profileDeviceSelfSigned: boolean;
  /** `DeviceUdf` names the ProfileDevice. */
  readonly deviceUdfMatches: boolean;
  readonly connectionServiceSignedByAdmin: boolean;
  readonly connectionDeviceSignedByAdmin: boolean;
  /** Both connections name the account profile in `ProfileUdf`. */
  readonly connectionProfileUdfIsAccount: boolean;
  /** ConnectionService and ConnectionDevice carry the same Authentication key. */
  readonly serviceAndDeviceAuthenticationEqual: boolean;
  readonly activationAccountSignedByAdmin: boolean;
  readonly activationCommonSignedByAdmin: boolean;
  /** ActivationAccount is encrypted to the device's *base* Encryption key (ProfileDevice). */
  readonly activationAccountRecipientIsDeviceBaseEncryption: boolean;
  /** ActivationCommon is encrypted to the device's *combined* key (ConnectionDevice.Encryption). */
  readonly activationCommonRecipientIsConnectionEncryption: boolean;
  readonly valid: boolean;
}

function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof MeshError) return undefined;
    throw e;
  }
}

/**
 * Checks every link of a CatalogedDevice without decrypting its activations (signatures cover
 * the ciphertext, mesh-model.md §3). Pass `expectedAccountUdf` to pin the account (a device
 * that asked to join a given account must get that account's profile, not any self-signed one),
 * and `allowUnauthenticated` to accept the reference's activations, whose signatures are bound to
 * no key exchange.
 */
export function checkDeviceChain(
  device: CatalogedDevice, options: { expectedAccountUdf?: string; allowUnauthenticated?: boolean } = {},
): DeviceChainReport {
  const env = (e: DareEnvelope | undefined): DareEnvelope => e ?? (() => { throw new MeshError('MESH_INVALID', 'missing envelope'); })();
  const account = attempt(() => verifyProfile(env(device.EnvelopedProfileUser), options.expectedAccountUdf ? { expectedUdf: options.expectedAccountUdf } : {}));
  const deviceProfile = attempt(() => verifyProfile(env(device.EnvelopedProfileDevice)));
  const admin = attempt(() => {
    const p = account?.profile;
    if (p === undefined || !('AdministratorSignature' in p) || p.AdministratorSignature === undefined) throw new MeshError('MESH_INVALID', 'no AdministratorSignature');
    return publicKeyOf(p.AdministratorSignature, 'AdministratorSignature');
  });
  const signedByAdmin = (e: DareEnvelope | undefined): boolean =>
    admin !== undefined && e !== undefined
    && (attempt(() => inspectMeshEnvelope(e, [admin], { allowUnauthenticated: options.allowUnauthenticated === true }).signedBy.length > 0) ?? false);
  const service = attempt(() => openMeshEnvelope(env(device.EnvelopedConnectionService), 'ConnectionService', { signers: admin ? [admin] : [] }).object);
  const connection = attempt(() => openMeshEnvelope(env(device.EnvelopedConnectionDevice), 'ConnectionDevice', { signers: admin ? [admin] : [] }).object);
  const fingerprint = (kd: Parameters<typeof checkKeyData>[0] | undefined): string | undefined => (kd === undefined ? undefined : attempt(() => checkKeyData(kd).udf));
  const recipients = (e: DareEnvelope | undefined): readonly string[] => (e === undefined ? [] : attempt(() => inspectMeshEnvelope(e).recipients) ?? []);
  const onlyRecipient = (e: DareEnvelope | undefined, udf: string | undefined): boolean => {
    const r = recipients(e);
    return udf !== undefined && r.length > 0 && r.every((k) => k === udf);
  };
  const accountUdf = account?.udf;
  const deviceUdf = deviceProfile?.udf;
  const serviceAuth = fingerprint(service?.Authentication);
  const report = {
    accountUdf,
    deviceUdf,
    profileUserSelfSigned: account !== undefined,
    profileDeviceSelfSigned: deviceProfile !== undefined,
    deviceUdfMatches: deviceUdf !== undefined && device.DeviceUdf === deviceUdf,
    connectionServiceSignedByAdmin: signedByAdmin(device.EnvelopedConnectionService),
    connectionDeviceSignedByAdmin: signedByAdmin(device.EnvelopedConnectionDevice),
    connectionProfileUdfIsAccount: accountUdf !== undefined && service?.ProfileUdf === accountUdf && connection?.ProfileUdf === accountUdf,
    serviceAndDeviceAuthenticationEqual: serviceAuth !== undefined && serviceAuth === fingerprint(connection?.Authentication),
    activationAccountSignedByAdmin: signedByAdmin(device.EnvelopedActivationAccount),
    activationCommonSignedByAdmin: signedByAdmin(device.EnvelopedActivationCommon),
    activationAccountRecipientIsDeviceBaseEncryption: onlyRecipient(device.EnvelopedActivationAccount, fingerprint(deviceProfile?.profile.$class === 'ProfileDevice' || deviceProfile?.profile.$class === 'ProfileHost' ? deviceProfile.profile.Encryption : undefined)),
    activationCommonRecipientIsConnectionEncryption: onlyRecipient(device.EnvelopedActivationCommon, fingerprint(connection?.Encryption)),
  };
  const valid = Object.entries(report).every(([k, v]) => k === 'accountUdf' || k === 'deviceUdf' || v === true);
  return { ...report, valid };
}

/** As {@link checkDeviceChain}, throwing `MESH_INVALID` naming the rules that do not hold. */
export function verifyDeviceChain(
  device: CatalogedDevice, options: { expectedAccountUdf?: string; allowUnauthenticated?: boolean } = {},
): DeviceChainReport {
  const report = checkDeviceChain(device, options);
  if (!report.valid) {
    const failed = Object.entries(report).filter(([, v]) => v === false).map(([k]) => k);
    throw new MeshError('MESH_INVALID', `CatalogedDevice does not hold together: ${failed.join(', ')}`);
  }
  return report;
}
