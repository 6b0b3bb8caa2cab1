import { describe, expect, it } from 'vitest';
import { MemoryHome } from '../adapters/home/memory.js';
import { dareKeyFromKeyPair, publicPart } from '../sdk/dare/keys.js';
import { deriveKeyPair } from '../sdk/udf/keys.js';
import { newSeed } from '../sdk/udf/fixed.js';
import { recoverSeed } from '../sdk/udf/escrow.js';
import { splitSecret } from '../sdk/udf/shamir.js';
import { parseUdf } from '../sdk/udf/presentation.js';
import {
  deriveAccountKeys, exportAccount, importAccount, MeshError, MeshHost, secretsRecordName, storeSequenceName, verifyDeviceChain, verifyProfile,
  type CatalogedCredential, type CatalogedContact, type CatalogedDevice, type CatalogedAccess, type AccessCapability, type StoreSource,
} from '../sdk/mesh/index.js';
import { utf8Decode } from '../sdk/encoding/utf8.js';

// mesh-model.md §4, §6, §8, §12; protocol.md F1, F9: the host on a memory home. scrypt cost 2^10
// (the injectable cost; the floor) keeps these fast.
const kdf = { logN: 10 };

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof MeshError) return e.code;
    throw e;
  }
  return 'no error';
}

const storesOf = (home: MemoryHome, udf: string): StoreSource => async (label) => {
  const s = await home.openSequence(storeSequenceName(udf, label));
  try {
    return s.size === 0 ? undefined : await s.read(0, s.size);
  } finally {
    await s.close();
  }
};

describe('MeshHost: account creation (mesh-model.md §4, §6; protocol.md F1 offline)', () => {
  it('creates a user account whose objects verify and whose device is its administrator', async () => {
    const home = new MemoryHome();
    const host = await MeshHost.open(home, { kdf });
    const alice = await host.createAccount('Alice@Example.com');
    expect(alice.address).toBe('alice@example.com');
    expect(alice.isAdministrator).toBe(true);
    expect(alice.holdsSeed).toBe(true);
    expect(alice.roles).toEqual(['super', 'admin', 'web']);
    // The profile is self-signed, offline (no ServiceUdf), and its UDF is the account seed's ProfileSignature.
    const profile = verifyProfile(alice.state.profile, { expectedUdf: alice.udf });
    expect((profile.profile as { ServiceUdf?: string }).ServiceUdf).toBeUndefined();
    expect((profile.profile as { AccountAddress?: string }).AccountAddress).toBe('alice@example.com');
    expect(deriveAccountKeys(alice.accountKeys().seed).profileSignature.udf).toBe(alice.udf);
    // The CatalogedDevice chain holds together for this account.
    const report = verifyDeviceChain(alice.state.catalogedDevice, { expectedAccountUdf: alice.udf });
    expect(report.deviceUdf).toBe(alice.deviceUdf);

    const devices = await alice.catalog('device');
    expect(devices.list().map((d) => d.DeviceUdf)).toEqual([alice.deviceUdf]);
    await devices.close();
    const access = await alice.catalog('access');
    const cap = access.list()[0]!.Capability as AccessCapability;
    expect(cap.$class).toBe('AccessCapability');
    expect(cap.Active).toBe(true);
    expect(cap.Id).toBe(alice.activation.keys.authentication.udf);
    await access.close();
    const contacts = await alice.catalog('contact');
    const self = contacts.list().find((c) => c.Self === true)!;
    expect(self.Key).toBe(alice.udf);
    await contacts.close();
    expect(await host.accounts()).toEqual([expect.objectContaining({ udf: alice.udf, address: 'alice@example.com', bound: false })]);
    // A second create of the same address is refused.
    expect(await code(host.createAccount('alice@example.com'))).toBe('MESH_ACCOUNT_EXISTS');
    expect(await code(host.createAccount('not an address'))).toBe('MESH_BAD_ARGUMENT');
  });

  it('keeps catalogs across reopening the host; catalogs not granted are refused', async () => {
    const home = new MemoryHome();
    const host = await MeshHost.open(home, { kdf });
    const alice = await host.createAccount('alice@example.com');
    const creds = await alice.catalog('credential');
    await creds.put({ $class: 'CatalogedCredential', Protocol: 'ftp', Service: 'ftp.example.com', Username: 'alice1', Password: 'pw1' });
    expect((await creds.put({ $class: 'CatalogedCredential', Protocol: 'ftp', Service: 'ftp.example.com', Username: 'alice1', Password: 'second-password-value' })).event).toBe('Update');
    await creds.close();
    const again = await (await MeshHost.open(home)).account();
    const c2 = await again.catalog('credential');
    expect(c2.list().map((c) => c.Password)).toEqual(['second-password-value']);
    await c2.close();
    // The stored frames do not hold the password in clear.
    const raw = await home.openSequence(storeSequenceName(alice.udf, 'MMM_Credential'));
    expect(Buffer.from(await raw.read(0, raw.size)).toString('latin1')).not.toContain('second-password-value');
    await raw.close();
    expect(await code(alice.catalog('member'))).toBe('MESH_NOT_AUTHORIZED');
  });
});

describe('MeshHost: escrow, purge, recovery (mesh-model.md §12; protocol.md F9)', () => {
  it('escrows 3-of-5, purges, and recovers on a fresh home with every catalog readable', async () => {
    const home = new MemoryHome();
    const host = await MeshHost.open(home, { kdf });
    const alice = await host.createAccount('alice@example.com');
    const creds = await alice.catalog('credential');
    await creds.put({ $class: 'CatalogedCredential', Protocol: 'https', Service: 'bank.example', Username: 'a', Password: 'secret-1' });
    await creds.close();
    const shares = alice.escrow({ shares: 5, quorum: 3 });
    expect(shares).toHaveLength(5);
    expect(recoverSeed(shares.slice(2))).toBe(alice.accountKeys().seed);
    await alice.purge();
    expect(alice.holdsSeed).toBe(false);
    expect(await code(() => alice.escrow({ shares: 3, quorum: 2 }))).toBe('MESH_NO_SEED');
    // Catalog use continues through the activation's keys, also after reopening.
    const reopened = await (await MeshHost.open(home)).account();
    expect(reopened.holdsSeed).toBe(false);
    expect(await code(() => reopened.escrow({ shares: 3, quorum: 2 }))).toBe('MESH_NO_SEED');
    const c = await reopened.catalog('credential');
    await c.put({ $class: 'CatalogedCredential', Protocol: 'https', Service: 'shop.example', Username: 'b', Password: 'secret-2' });
    await c.close();

    const fresh = new MemoryHome();
    const host2 = await MeshHost.open(fresh, { kdf });
    expect(await code(host2.recoverAccount(shares.slice(0, 2), { stores: storesOf(home, alice.udf) }))).toBe('MESH_QUORUM');
    const recovered = await host2.recoverAccount([shares[0]!, shares[2]!, shares[4]!], { stores: storesOf(home, alice.udf) });
    expect(recovered.udf).toBe(alice.udf);
    expect(recovered.address).toBe('alice@example.com');
    expect(recovered.isAdministrator).toBe(true);
    expect(recovered.holdsSeed).toBe(true);
    expect(recovered.deviceUdf).not.toBe(alice.deviceUdf);
    const rc = await recovered.catalog('credential');
    expect(rc.list().map((x) => x.Password).sort()).toEqual(['secret-1', 'secret-2']);
    await rc.close();
    const rd = await recovered.catalog('device');
    expect(rd.list().map((d) => d.DeviceUdf).sort()).toEqual([alice.deviceUdf, recovered.deviceUdf].sort());
    await rd.close();
    expect(await code(host2.recoverAccount(shares.slice(1, 4)))).toBe('MESH_ACCOUNT_EXISTS');
  });

  it('refuses shares of another account, mixed splits, and store files of another account', async () => {
    const home = new MemoryHome();
    const host = await MeshHost.open(home, { kdf });
    const alice = await host.createAccount('alice@example.com');
    const bob = await host.createAccount('bob@example.com');
    const a = alice.escrow({ shares: 5, quorum: 3 });
    const b = bob.escrow({ shares: 5, quorum: 3 });
    const fresh = await MeshHost.open(new MemoryHome(), { kdf });
    // Another account's shares recover that account, which the caller did not ask for.
    expect(await code(fresh.recoverAccount(b.slice(0, 3), { expectedUdf: alice.udf }))).toBe('MESH_WRONG_ACCOUNT');
    // Mixed splits: with more than the quorum the extra share is off the polynomial.
    expect(await code(fresh.recoverAccount([a[0]!, a[1]!, a[2]!, b[3]!], { address: 'alice@example.com' }))).toBe('MESH_WRONG_ACCOUNT');
    // Bob's stores do not open with Alice's keys; nothing is left behind.
    const empty = new MemoryHome();
    const h3 = await MeshHost.open(empty, { kdf });
    expect(await code(h3.recoverAccount(a.slice(0, 3), { stores: storesOf(home, bob.udf) }))).toBe('MESH_WRONG_ACCOUNT');
    expect(await empty.list(`accounts/${alice.udf}/stores`)).toEqual([]);
    // Not an account seed: a device seed split the same way.
    const device = parseUdf(newSeed('MeshProfileDevice')).binary;
    const split = splitSecret(device, { shares: 3, threshold: 2 }).map((s) => s.udf);
    expect(await code(fresh.recoverAccount(split.slice(0, 2), { address: 'x@example.com' }))).toBe('MESH_WRONG_ACCOUNT');
    // Without stores and without an address there is no profile to rebuild.
    expect(await code(fresh.recoverAccount(a.slice(0, 3)))).toBe('MESH_BAD_ARGUMENT');
    const r = await fresh.recoverAccount(a.slice(0, 3), { address: 'alice@example.com' });
    expect(r.udf).toBe(alice.udf);
  });
});

describe('MeshHost: secrets at rest (passphrase, vault)', () => {
  it('seals secrets under a passphrase; wrong or missing passphrases are typed errors', async () => {
    const home = new MemoryHome();
    const host = await MeshHost.open(home, { passphrase: 'correct horse', kdf });
    expect(host.passphraseProtected).toBe(true);
    const alice = await host.createAccount('alice@example.com');
    const seed = alice.accountKeys().seed;
    const raw = utf8Decode((await home.readRecord(secretsRecordName(alice.udf)))!);
    expect(raw).not.toContain(seed);
    expect(raw).toContain('"sealed"');
    // Listing needs no secret; opening does.
    expect((await (await MeshHost.open(home)).accounts()).length).toBe(1);
    expect(await code((await MeshHost.open(home)).account())).toBe('MESH_PASSPHRASE_REQUIRED');
    expect(await code((await MeshHost.open(home, { passphrase: 'wrong' })).account())).toBe('MESH_BAD_PASSPHRASE');
    const ok = await (await MeshHost.open(home, { passphrase: async () => 'correct horse' })).account();
    expect(ok.accountKeys().seed).toBe(seed);
    // A sealed record moved to another account's name does not open (the name is bound).
    const bob = await (await MeshHost.open(home, { passphrase: 'correct horse' })).createAccount('bob@example.com');
    await home.writeRecord(secretsRecordName(bob.udf), (await home.readRecord(secretsRecordName(alice.udf)))!);
    expect(await code((await MeshHost.open(home, { passphrase: 'correct horse' })).account('bob@example.com'))).toBe('MESH_BAD_PASSPHRASE');
    // A plain record slipped into a sealed home is refused.
    await home.writeRecord(secretsRecordName(bob.udf), new TextEncoder().encode(JSON.stringify({ format: 'mathmesh-secret/1', plain: { deviceSeed: 'x' } })));
    expect(await code((await MeshHost.open(home, { passphrase: 'correct horse' })).account('bob@example.com'))).toBe('MESH_HOME');
  });

  it('a home without passphrase keeps secrets plain (owner-only files are its protection)', async () => {
    const home = new MemoryHome();
    const alice = await (await MeshHost.open(home, { kdf })).createAccount('alice@example.com');
    expect(utf8Decode((await home.readRecord(secretsRecordName(alice.udf)))!)).toContain(alice.accountKeys().seed);
  });
});

describe('MeshHost: export and import (encrypted, never plaintext)', () => {
  it('moves an account between homes under a passphrase or an X448 key', async () => {
    const home = new MemoryHome();
    const host = await MeshHost.open(home, { kdf });
    const alice = await host.createAccount('alice@example.com');
    const creds = await alice.catalog('credential');
    await creds.put({ $class: 'CatalogedCredential', Protocol: 'https', Service: 'mail.example', Username: 'a', Password: 'export-me' });
    await creds.close();
    const file = await exportAccount(host, alice, { passphrase: 'transfer' });
    const text = utf8Decode(file);
    expect(text).not.toContain(alice.accountKeys().seed);
    expect(text).not.toContain('export-me');
    expect(text).not.toContain('alice@example.com');

    const other = await MeshHost.open(new MemoryHome(), { passphrase: 'other home', kdf });
    expect(await code(importAccount(other, file, { passphrase: 'nope' }))).toBe('MESH_BAD_PASSPHRASE');
    const tampered = new TextEncoder().encode(text.replace(/"salt":"(.)/, (_m, c: string) => `"salt":"${c === 'A' ? 'B' : 'A'}`));
    expect(await code(importAccount(other, tampered, { passphrase: 'transfer' }))).toBe('MESH_BAD_PASSPHRASE');
    const imported = await importAccount(other, file, { passphrase: 'transfer' });
    expect(imported.udf).toBe(alice.udf);
    expect(imported.deviceUdf).toBe(alice.deviceUdf);
    const c = await imported.catalog('credential');
    expect(c.get('https:mail.example')?.Password).toBe('export-me');
    await c.close();
    expect(await code(importAccount(other, file, { passphrase: 'transfer' }))).toBe('MESH_ACCOUNT_EXISTS');

    const key = dareKeyFromKeyPair(deriveKeyPair(newSeed('Any'), { algorithm: 'X448', keyName: 'BaseDeviceEncrypt' }));
    const wrong = dareKeyFromKeyPair(deriveKeyPair(newSeed('Any'), { algorithm: 'X448', keyName: 'BaseDeviceEncrypt' }));
    const keyed = await exportAccount(host, alice, { recipient: publicPart(key) });
    const third = await MeshHost.open(new MemoryHome(), { kdf });
    expect(await code(importAccount(third, keyed, { key: wrong }))).toBe('MESH_BAD_PASSPHRASE');
    expect(await code(importAccount(third, keyed, { passphrase: 'transfer' }))).toBe('MESH_BAD_PASSPHRASE');
    expect((await importAccount(third, keyed, { key })).udf).toBe(alice.udf);
  });
});

describe('MeshHost against the reference (ArchitectureEscrow.md, SchemaAliceProfile.md)', () => {
  const refShares = [
    'SAQC-YE5R-BE3C-37IF-AG43-SGNT-3NLP-VURL-YWEH-FTBE-J755-IN6F-ZPXR-N6O5-3AVQ',
    'SAQZ-AJS7-NJMO-B6S3-4J6U-AHPD-TL5C-HEPS-523G-VBSK-FUDG-X3IR-5S2X-UGBI-YWIA',
    'SARP-IOIN-ZN5Z-H55S-YNAM-OIQT-LKOU-YUN2-C7SG-EQDQ-BIIQ-HIS6-BV55-2NTT-WL2Q',
  ];
  // Alice's published profile keys, in REF's member order (SchemaAliceProfile.md).
  const refKeys = [
    'MARP-HH6B-D2JW-WLQ6-RWPQ-2SLS-AI2V', 'MAND-BKQ3-XXGY-AYTS-L7VX-OOHW-HT7P', 'MAJ5-HQAF-XXGK-W6BW-EGH3-ELNH-EQ7I',
    'MASL-5B72-3K3B-PKQR-MGHP-L5QP-MVOA', 'MA76-DK4C-DZFG-CAVP-YCTU-X6O5-ZU5M', 'MDWZ-36RF-622V-XT6X-O6KB-3S5J-4JE3',
  ];

  it("REF's escrow shares recover Alice's account on a fresh home: her account UDF and every published key", async () => {
    const host = await MeshHost.open(new MemoryHome(), { kdf });
    expect(await code(host.recoverAccount(refShares.slice(0, 1), { address: 'alice@example.com' }))).toBe('MESH_QUORUM');
    const alice = await host.recoverAccount([refShares[0]!, refShares[2]!], { address: 'alice@example.com' });
    expect(alice.udf).toBe('MARP-HH6B-D2JW-WLQ6-RWPQ-2SLS-AI2V');
    expect(alice.keys().map((k) => k.udf)).toEqual(refKeys);
    expect(alice.isAdministrator).toBe(true);
    // The recovered device's CatalogedDevice holds together for Alice's account.
    expect(verifyDeviceChain(alice.state.catalogedDevice, { expectedAccountUdf: alice.udf }).valid).toBe(true);
  });
});

describe('MeshHost: spools (mesh-model.md §9.3)', () => {
  it('messages keep their state by MessageComplete, across reopening', async () => {
    const { sealMeshObject } = await import('../sdk/mesh/index.js');
    const { envelopeId } = await import('../sdk/udf/message-id.js');
    const { nonce } = await import('../sdk/udf/fixed.js');
    const message = (id: string) => sealMeshObject({ $class: 'RequestConfirmation', MessageId: id, Text: 'start?' }, { uniqueId: id, envelopeId: envelopeId(id) });
    const home = new MemoryHome();
    const alice = await (await MeshHost.open(home, { kdf })).createAccount('alice@example.com');
    const [one, two] = [nonce(), nonce()];
    const inbound = await alice.spool('inbound');
    await inbound.post(message(one));
    await inbound.post(message(two));
    await inbound.mark(one, 'Read');
    expect(await code(inbound.post(message(one)))).toBe('MESH_ALREADY_EXISTS');
    await inbound.close();
    const again = await (await (await MeshHost.open(home)).account()).spool('inbound');
    expect(again.list().map((m) => [m.messageId, m.messageType, m.state])).toEqual([[one, 'RequestConfirmation', 'Read'], [two, 'RequestConfirmation', 'Initial']]);
    await again.close();
    expect(await code(alice.spool('archive' as never))).toBe('MESH_BAD_ARGUMENT');
  });
});

describe('MeshHost: hooks for the service (binding, raw store sequences)', () => {
  it('records a binding only for the account\'s own profile naming that service; hands out granted stores only', async () => {
    const { buildProfileAccount, sealProfile } = await import('../sdk/mesh/index.js');
    const home = new MemoryHome();
    const alice = await (await MeshHost.open(home, { kdf })).createAccount('alice@example.com');
    const keys = alice.accountKeys();
    const bound = sealProfile(buildProfileAccount(keys, { accountAddress: 'alice@example.com', serviceUdf: 'MD3P-ALTL-T6I4-U6ER-O4ZD-5AP5-J6SO' }), keys.profileSignature);
    expect(await code(alice.recordBinding({ serviceUdf: 'MXXX' }, bound))).toBe('MESH_INVALID');
    const bob = await (await MeshHost.open(home)).createAccount('bob@example.com');
    expect(await code(bob.recordBinding({ serviceUdf: 'MD3P-ALTL-T6I4-U6ER-O4ZD-5AP5-J6SO' }, bound))).toBe('MESH_INVALID');
    await alice.recordBinding({ serviceUdf: 'MD3P-ALTL-T6I4-U6ER-O4ZD-5AP5-J6SO', url: 'https://example.com/' }, bound);
    const again = await (await MeshHost.open(home)).account('alice@example.com');
    expect(again.service).toEqual({ serviceUdf: 'MD3P-ALTL-T6I4-U6ER-O4ZD-5AP5-J6SO', url: 'https://example.com/' });
    expect((again.profile as { ServiceUdf?: string }).ServiceUdf).toBe('MD3P-ALTL-T6I4-U6ER-O4ZD-5AP5-J6SO');
    expect((await (await MeshHost.open(home)).accounts()).find((a) => a.udf === alice.udf)?.bound).toBe(true);
    const seq = await again.storeSequence('MMM_Credential');
    expect(seq.size).toBeGreaterThan(0);
    await seq.close();
    expect(await code(again.storeSequence('MMM_Member'))).toBe('MESH_NOT_AUTHORIZED');
    // Once bound, catalogs open synced: what this device writes waits for the service.
    const creds = await again.catalog('credential');
    expect(creds.synced).toBe(true);
    await creds.put({ $class: 'CatalogedCredential', Service: 'bound.example', Username: 'a', Password: 'b' });
    expect((await creds.outgoing()).frames.length).toBeGreaterThan(0);
    await creds.close();
  });

  it('creates a group account (ProfileGroup, no self contact)', async () => {
    const g = await (await MeshHost.open(new MemoryHome(), { kdf })).createAccount('group@example.com', { kind: 'group' });
    expect(g.kind).toBe('group');
    expect(g.profile.$class).toBe('ProfileGroup');
  });
});

describe('MeshHost: attacks on what is stored', () => {
  it('a home whose scrypt cost was lowered below the floor is refused, not unlocked cheaply', async () => {
    const home = new MemoryHome();
    await (await MeshHost.open(home, { passphrase: 'pw', kdf })).createAccount('alice@example.com');
    const record = JSON.parse(utf8Decode((await home.readRecord('home.json'))!));
    record.protection.logN = 4;
    await home.writeRecord('home.json', new TextEncoder().encode(JSON.stringify(record)));
    expect(await code(MeshHost.open(home, { passphrase: 'pw' }))).toBe('MESH_HOME');
    expect(await code(MeshHost.open(new MemoryHome(), { passphrase: 'pw', kdf: { logN: 8 } }))).toBe('MESH_HOME');
  });

  it('an export whose ciphertext was changed does not import', async () => {
    const host = await MeshHost.open(new MemoryHome(), { kdf });
    const alice = await host.createAccount('alice@example.com');
    const doc = JSON.parse(utf8Decode(await exportAccount(host, alice, { passphrase: 'p' })));
    const payload: string = doc.envelope[1];
    const i = Math.floor(payload.length / 2);
    doc.envelope[1] = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    const other = await MeshHost.open(new MemoryHome(), { kdf });
    expect(await code(importAccount(other, new TextEncoder().encode(JSON.stringify(doc)), { passphrase: 'p' }))).toBe('MESH_BAD_PASSPHRASE');
  });

  it('an account record pointing at another device\'s activation does not open', async () => {
    const home = new MemoryHome();
    const host = await MeshHost.open(home, { kdf });
    const alice = await host.createAccount('alice@example.com');
    const other = await (await MeshHost.open(new MemoryHome(), { kdf })).createAccount('alice@example.com');
    const rec = JSON.parse(utf8Decode((await home.readRecord(`accounts/${alice.udf}/account.json`))!));
    const foreign = JSON.parse(utf8Decode((await (other as unknown as { storage: MemoryHome }).storage.readRecord(`accounts/${other.udf}/account.json`))!));
    rec.catalogedDevice = foreign.catalogedDevice;
    await home.writeRecord(`accounts/${alice.udf}/account.json`, new TextEncoder().encode(JSON.stringify(rec)));
    expect(['MESH_INVALID', 'MESH_BAD_ENVELOPE', 'MESH_NOT_SIGNED']).toContain(await code((await MeshHost.open(home)).account()));
  });
});
