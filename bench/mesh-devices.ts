/**
 * A second (third, …) device of an account for tests and benchmarks, made the short way: the
 * administrator device builds the device's activation (mesh-model.md §6 steps 2–5) and adds its
 * CatalogedDevice and AccessCapability to its own MMM_Device and MMM_Access (the caller syncs
 * them to the service), and the new device's home gets the account record and its device seed
 * through the host's install hook. The real connection flows — request, witness, PIN, QR,
 * preconfiguration — are protocol.md F2–F4 and do not take this path.
 */
import { activateDevice, buildDeviceAccess, buildProfileDevice, deriveDeviceKeys, MeshHost, newMeshSeed, sealProfile } from '../sdk/mesh/index.js';
import type { AccountRecord, HomeStorage, MeshAccount } from '../sdk/mesh/index.js';
import type { RandomSource } from '../sdk/udf/random.js';

/** What {@link provisionDevice} made. */
export interface ProvisionedDevice {
  readonly host: MeshHost;
  readonly account: MeshAccount;
}

/**
 * Makes a device of `admin`'s account on `home` with `roles`. The admin's catalogs gain the
 * device: sync the admin (a Transact) before the device talks to the service.
 */
export async function provisionDevice(admin: MeshAccount, home: HomeStorage, roles: readonly string[], random?: RandomSource): Promise<ProvisionedDevice> {
  const keys = admin.accountKeys();
  const deviceSeed = newMeshSeed('MeshProfileDevice', random);
  const deviceKeys = deriveDeviceKeys(deviceSeed);
  const deviceProfile = sealProfile(buildProfileDevice(deviceKeys), deviceKeys.profileSignature);
  const activation = activateDevice({ account: keys, accountProfile: admin.state.profile, deviceProfile, roles, ...(random ? { random } : {}) });
  const access = buildDeviceAccess(keys, activation, roles, random ? { random } : {});
  const devices = await admin.catalog('device');
  try {
    await devices.put(activation.catalogedDevice);
  } finally {
    await devices.close();
  }
  const catalog = await admin.catalog('access');
  try {
    await catalog.put(access);
  } finally {
    await catalog.close();
  }
  const host = await MeshHost.open(home, random ? { random } : {});
  const record: AccountRecord = {
    ...admin.state, deviceUdf: deviceKeys.profileSignature.udf, roles: [...roles], catalogedDevice: activation.catalogedDevice, created: new Date().toISOString(),
  };
  const account = await host.installAccount(record, { deviceSeed });
  return { host, account };
}
