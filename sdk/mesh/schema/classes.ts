/**
 * The Mesh classes — the one description from which the TypeScript types (types.ts, generated
 * by `scripts/gen-mesh-types.mjs`) and the tagged-JSON / JSON-B reader and writer (codec.ts)
 * are produced. Nothing else in the SDK lists a class's members.
 *
 * Sources, in the order of mesh-model.md §0: the reference schema files of 2022-05-02
 * (SchemaMesh.protocol, ProtocolSchema.Protocol, and the Goedel.Protocol / JOSE schemas they
 * import), checked against every object of `shared/vectors/mesh/mesh.json`; where the 2021
 * drafts (Generated-SchemaMesh.md) differ, the 2022 names win and the 2021 ones are read as
 * `aliases`.
 *
 * How a class is written down:
 * - `members`: own members in wire order; inherited members come first on the wire (the
 *   reference serializes the parent's members, then the class's own).
 * - A member type is `String`, `Integer`, `Float`, `Boolean`, `Binary` (base64url in JSON, a
 *   data item in JSON-B), `DateTime` (`yyyy-MM-ddTHH:mm:ssZ`), a class name (an untagged
 *   object), `Tagged<C>` (a one-member object naming C or a subclass), `Enveloped<C>` (a DARE
 *   envelope whose payload is a tagged C), or `Envelope` (any DARE envelope); `[]` after a type
 *   makes it a list.
 * - Member names are the wire names (`crv`, `kid`, and the reference's misspelt `AccountAddess`).
 *
 * Adding a class: add its entry here (parent, own members in wire order, `payload: 'jsonb'` if it
 * is sealed as JSON-B), run `node scripts/gen-mesh-types.mjs` to regenerate types.ts, and the
 * reader, writer, JSON-B codec, `readMeshObject(…, 'NewClass')` and `sealMeshObject` know it.
 * `npm test` fails while types.ts is stale (test/generators.test.ts).
 *
 * This module holds data only and imports nothing, so the generator can load it as it is.
 */

/** One class of the table. */
export interface ClassDefinition {
  /** What the class is, with the spec section that defines it. */
  readonly doc: string;
  /** The parent class. */
  readonly inherits?: string;
  /** Never instantiated by the reference (it is still read if met). */
  readonly abstract?: boolean;
  /** Own members in wire order: wire name → type. */
  readonly members?: Readonly<Record<string, string>>;
  /** Older wire names read into a member: wire name → member (written back under the name read). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Payload encoding when the class is sealed in a DARE envelope (mesh-model.md §5.4); default `json`. */
  readonly payload?: 'json' | 'jsonb';
}

/** The classes, in the reference schema's order. */
export const MESH_CLASSES = {
  // ---- JOSE keys (the reference's JoseSchema.Protocol; mesh-model.md §1) --------------------
  KeyCore: {
    doc: 'Members shared by every JOSE key object (JoseSchema KeyCore).',
    abstract: true,
    members: { enc: 'String', dig: 'String', alg: 'String', kid: 'String', x5u: 'String', x5c: 'Binary', x5t: 'Binary', 'x5t#S256': 'Binary' },
  },
  Key: {
    doc: 'A public or private key (mesh-model.md §1), always tagged with its concrete class.',
    inherits: 'KeyCore',
    abstract: true,
    members: { Exportable: 'Boolean', kty: 'String', use: 'String', key_ops: 'String', k: 'Binary' },
  },
  PublicKeyRSA: { doc: 'RSA public key (standard SPKI fingerprint, mesh-kinds.md D2).', inherits: 'Key', members: { n: 'Binary', e: 'Binary' } },
  PrivateKeyRSA: {
    doc: 'RSA private key (escrowed application keys, mesh-model.md §8.4).',
    inherits: 'PublicKeyRSA',
    members: { d: 'Binary', p: 'Binary', q: 'Binary', dp: 'Binary', dq: 'Binary', qi: 'Binary' },
  },
  PublicKeyDH: { doc: 'Finite-field DH public key (defined by the reference, unused by the Mesh).', inherits: 'Key', members: { Domain: 'Binary', Public: 'Binary' } },
  PrivateKeyDH: { doc: 'Finite-field DH private key (unused by the Mesh).', inherits: 'PublicKeyDH', members: { Private: 'Binary' } },
  PublicKeyECDH: {
    doc: 'Ed448/X448 (or Ed25519/X25519) public key: `crv` and the key bytes (X448: 57-byte signed form, mesh-model.md §1).',
    inherits: 'Key',
    members: { crv: 'String', Public: 'Binary' },
  },
  PrivateKeyECDH: { doc: 'Ed448 seed (56 bytes) or X448 private key (mesh-model.md §1).', inherits: 'PublicKeyECDH', members: { Private: 'Binary' } },
  PrivateKeyUDF: {
    doc: 'A key-derivation seed as a key (mesh-model.md §1 "Seed JSON"; §4).',
    inherits: 'Key',
    members: { PrivateValue: 'String', KeyType: 'String', AlgorithmEncrypt: 'String', AlgorithmSign: 'String', AlgorithmAuthenticate: 'String' },
  },
  KeyAgreement: { doc: 'Result of a key agreement (Operate, protocol.md T12).' },
  KeyAgreementDH: { doc: 'Finite-field DH agreement result.', inherits: 'KeyAgreement', members: { Result: 'Binary' } },
  KeyAgreementECDH: { doc: 'Elliptic-curve agreement result (note `Curve`, not `crv`; mesh-model.md §1).', inherits: 'KeyAgreement', members: { Curve: 'String', Result: 'Binary' } },

  // ---- Keys as the Mesh names them (mesh-model.md §1) ---------------------------------------
  KeyData: {
    doc: 'A key pair with its fingerprint `Udf` and optional PKIX material (mesh-model.md §1 KeyData).',
    members: {
      Udf: 'String', X509Certificate: 'Binary', X509Chain: 'Binary[]', X509CSR: 'Binary', NotBefore: 'DateTime', NotOnOrAfter: 'DateTime',
      PublicParameters: 'Tagged<Key>', PrivateParameters: 'Tagged<Key>',
    },
  },
  KeyShare: {
    doc: 'A threshold share of a key; the other half is held by `ServiceAddress` (mesh-model.md §1).',
    inherits: 'Key',
    members: { PublicPrimary: 'Tagged<Key>', Share: 'Tagged<Key>', ServiceId: 'String', ServiceAddress: 'String' },
  },
  CompositePrivate: {
    doc: 'A private key composed of a device key and additive parts (reference schema; unused in examples).',
    inherits: 'Key',
    members: { DeviceKeyUdf: 'String', PrivateSalt: 'Tagged<Key>', ServiceShare: 'Tagged<Key>' },
  },

  // ---- Assertions (mesh-model.md §5) ----------------------------------------------------------
  Assertion: {
    doc: 'Base of every signed Mesh object (mesh-model.md §5).',
    abstract: true,
    members: { Names: 'String[]', Updated: 'DateTime', NotaryToken: 'String', Conditions: 'Tagged<Condition>' },
  },
  Condition: { doc: 'Base of assertion conditions (none defined; mesh-model.md §5).', abstract: true },
  Activation: {
    doc: 'Private activation data of a device (mesh-model.md §5.3).',
    inherits: 'Assertion',
    members: { ActivationKey: 'String', Entries: 'ActivationEntry[]' },
  },
  ActivationEntry: {
    doc: 'A store key granted by an activation (mesh-model.md §5.3).',
    members: { Resource: 'String', Key: 'KeyData', ServiceId: 'String', ServiceAddress: 'String' },
  },
  Profile: {
    doc: 'Base of the self-signed profiles; the UDF of `ProfileSignature` is the profile id (mesh-model.md §5.1).',
    inherits: 'Assertion',
    abstract: true,
    members: { Description: 'String', ProfileSignature: 'KeyData' },
  },
  ProfileDevice: {
    doc: 'A device: its base key contributions (mesh-model.md §5.1; the draft names them Base*, the reference does not).',
    inherits: 'Profile',
    members: { Encryption: 'KeyData', Signature: 'KeyData', Authentication: 'KeyData' },
  },
  ProfileAccount: {
    doc: 'An account (user or group) and its account keys (mesh-model.md §5.1; 2021 Account* names read as aliases).',
    inherits: 'Profile',
    members: {
      AccountAddress: 'String', ServiceUdf: 'String', EscrowEncryption: 'KeyData', AdministratorSignature: 'KeyData',
      CommonEncryption: 'KeyData', CommonAuthentication: 'KeyData',
    },
    aliases: { AccountEncryption: 'CommonEncryption', AccountAuthentication: 'CommonAuthentication' },
  },
  ProfileUser: {
    doc: 'A user account (mesh-model.md §5.1).',
    inherits: 'ProfileAccount',
    members: { CommonSignature: 'KeyData' },
    aliases: { AccountSignature: 'CommonSignature' },
  },
  ProfileGroup: { doc: 'A group account (mesh-model.md §5.1).', inherits: 'ProfileAccount' },
  ProfileService: {
    doc: 'A Mesh service (mesh-model.md §5.1).',
    inherits: 'Profile',
    members: { ServiceAuthentication: 'KeyData', ServiceEncryption: 'KeyData', ServiceSignature: 'KeyData' },
  },
  ProfileHost: { doc: 'A host: a device of a service (mesh-model.md §5.1).', inherits: 'ProfileDevice' },

  // ---- Connections (mesh-model.md §5.2) -------------------------------------------------------
  Connection: {
    doc: 'Base of connection assertions (mesh-model.md §5.2; the draft says SubjectUdf/AuthorityUdf).',
    inherits: 'Assertion',
    members: { Subject: 'String', Authority: 'String', Authentication: 'KeyData' },
  },
  CallsignBinding: {
    doc: 'Binds a callsign to an account profile; signed by the AdministratorSignature (mesh-model.md §5.2).',
    inherits: 'Assertion',
    members: { Canonical: 'String', Display: 'String', ProfileUdf: 'String', Services: 'NamedService[]' },
  },
  ConnectionStripped: { doc: 'A connection naming an account (mesh-model.md §5.2, "to be removed").', inherits: 'Connection', members: { Account: 'String' } },
  ConnectionService: {
    doc: 'The credential a device presents to the service; signed by the AdministratorSignature, JSON-B payload (mesh-model.md §5.2).',
    inherits: 'Connection',
    members: { ProfileUdf: 'String', Callsign: 'CatalogedCallsign' },
    payload: 'jsonb',
  },
  ConnectionDevice: {
    doc: 'The credential a device presents to its siblings: its combined account keys (mesh-model.md §5.2).',
    inherits: 'ConnectionService',
    members: { Roles: 'String[]', Signature: 'KeyData', Encryption: 'KeyData' },
    payload: 'jsonb',
  },
  ConnectionApplication: { doc: 'Defined, unused (mesh-model.md §5.2).', inherits: 'Connection' },
  ConnectionGroup: { doc: 'Connection of a member to a group; defined, unused (mesh-model.md §5.2).', inherits: 'Connection' },
  AccountHostAssignment: {
    doc: 'The host an account is assigned to and its Access-catalog key; `AccountAddess` is misspelt on the wire (mesh-model.md §5.2).',
    inherits: 'Assertion',
    members: { AccountAddess: 'String', HostAddresses: 'String[]', AccessEncrypt: 'KeyData' },
  },
  ConnectionHost: { doc: 'Defined, unused (mesh-model.md §5.2).', inherits: 'Connection' },

  // ---- Activations (mesh-model.md §5.3) -------------------------------------------------------
  ActivationAccount: {
    doc: 'The activation seed of a device for an account, encrypted to the device base key (mesh-model.md §5.3).',
    inherits: 'Activation',
    members: { AccountUdf: 'String' },
  },
  ActivationHost: { doc: 'Activation of a host (mesh-model.md §5.3).', inherits: 'ActivationAccount' },
  ActivationDevice: {
    doc: 'The 2021 name of a device activation (schema-08; SchemaAliceActivationCoffee.md), read so that 2021 output parses; the 2022 reference writes ActivationAccount.',
    inherits: 'Activation',
    members: { AccountUdf: 'String' },
  },
  ActivationCommon: {
    doc: 'Account keys and per-store keys granted to a device, encrypted to its combined key (mesh-model.md §5.3).',
    inherits: 'Activation',
    members: { ProfileSignature: 'KeyData', AdministratorSignature: 'KeyData', Encryption: 'KeyData', Authentication: 'KeyData', Signature: 'KeyData' },
  },
  ActivationApplication: { doc: 'Base of application activations (mesh-model.md §5.3).', inherits: 'Activation' },
  ActivationApplicationSsh: { doc: 'SSH application activation (mesh-model.md §5.3).', inherits: 'ActivationApplication', members: { ClientKey: 'KeyData' } },
  ActivationApplicationMail: {
    doc: 'Mail application activation (mesh-model.md §5.3).',
    inherits: 'ActivationApplication',
    members: { SmimeSign: 'KeyData', SmimeEncrypt: 'KeyData', OpenpgpSign: 'KeyData', OpenpgpEncrypt: 'KeyData' },
  },
  ActivationApplicationGroup: {
    doc: 'Group application activation (mesh-model.md §5.3).',
    inherits: 'ActivationApplication',
    members: {
      AccountEncryption: 'KeyData', AdministratorSignature: 'KeyData', AccountAuthentication: 'KeyData',
      EnvelopedConnectionService: 'Enveloped<ConnectionService>',
    },
  },
  ActivationApplicationCallsign: { doc: 'Callsign application activation (reference schema).', inherits: 'ActivationApplication' },
  ApplicationEntry: { doc: 'An application activation in a CatalogedDevice (mesh-model.md §5.3).', abstract: true, members: { Identifier: 'String' } },
  ApplicationEntrySsh: { doc: 'SSH application entry.', inherits: 'ApplicationEntry', members: { EnvelopedActivation: 'Enveloped<ActivationApplicationSsh>' } },
  ApplicationEntryGroup: { doc: 'Group application entry.', inherits: 'ApplicationEntry', members: { EnvelopedActivation: 'Enveloped<ActivationApplicationGroup>' } },
  ApplicationEntryMail: { doc: 'Mail application entry.', inherits: 'ApplicationEntry', members: { EnvelopedActivation: 'Enveloped<ActivationApplicationMail>' } },
  ApplicationEntryCallsign: {
    doc: 'Callsign application entry.',
    inherits: 'ApplicationEntry',
    members: { EnvelopedActivation: 'Enveloped<ActivationApplicationCallsign>' },
  },

  // ---- Contacts and other data (mesh-model.md §8.2) -------------------------------------------
  Contact: {
    doc: 'Base of contact entries (mesh-model.md §8.2).',
    inherits: 'Assertion',
    abstract: true,
    members: {
      Id: 'String', Local: 'String', Anchors: 'Anchor[]', NetworkAddresses: 'NetworkAddress[]', Locations: 'Location[]', Roles: 'Role[]',
      Bookmark: 'Bookmark[]', Sources: 'TaggedSource[]',
    },
  },
  Anchor: { doc: 'A trust anchor of a contact, e.g. `Validation: "Self"` (mesh-model.md §8.2).', members: { Udf: 'String', Validation: 'String' } },
  TaggedSource: {
    doc: 'Where contact data came from (mesh-model.md §8.2).',
    members: { LocalName: 'String', Validation: 'String', BinarySource: 'Binary', EnvelopedSource: 'Enveloped<Contact>' },
  },
  ContactGroup: { doc: 'Contact of a group (mesh-model.md §8.2).', inherits: 'Contact' },
  ContactPerson: { doc: 'Contact of a person (mesh-model.md §8.2).', inherits: 'Contact', members: { CommonNames: 'PersonName[]' } },
  ContactOrganization: { doc: 'Contact of an organization (mesh-model.md §8.2).', inherits: 'Contact', members: { CommonNames: 'OrganizationName[]' } },
  OrganizationName: { doc: 'Name of an organization.', members: { Inactive: 'Boolean', RegisteredName: 'String', DBA: 'String' } },
  PersonName: {
    doc: 'Name of a person.',
    members: {
      Inactive: 'Boolean', FullName: 'String', Prefix: 'String', First: 'String', Middle: 'String[]', Last: 'String', Suffix: 'String',
      PostNominal: 'String',
    },
  },
  NetworkAddress: {
    doc: 'A network address of a contact with its account profile and protocols (mesh-model.md §8.2).',
    members: {
      Inactive: 'Boolean', Address: 'String', NetworkCapability: 'String[]', EnvelopedProfileAccount: 'Enveloped<ProfileAccount>',
      Protocols: 'NetworkProtocol[]', Capabilities: 'Tagged<CryptographicCapability>[]',
    },
  },
  NetworkProtocol: { doc: 'A protocol by which a contact is reached.', members: { Protocol: 'String', Capabilities: 'Tagged<CryptographicCapability>[]' } },
  Role: { doc: 'A role of a contact in an organization.', members: { OrganizationName: 'String', Titles: 'String[]', Locations: 'Location[]' } },
  Location: {
    doc: 'A postal or geographic location.',
    members: {
      Appartment: 'String', Street: 'String', District: 'String', Locality: 'String', County: 'String', Postcode: 'String', Country: 'String',
      Latitude: 'Float', Longitude: 'Float',
    },
  },
  Bookmark: { doc: 'A web presence of a contact.', members: { Uri: 'String', Title: 'String', Role: 'String[]' } },
  Reference: {
    doc: 'A message state change carried by MessageComplete (mesh-model.md §9.3).',
    members: { MessageId: 'String', ResponseId: 'String', Relationship: 'String' },
  },
  Engagement: {
    doc: 'A calendar entry, the payload of CatalogedTask.EnvelopedTask (mesh-model.md §8.2).',
    members: {
      Key: 'String', Start: 'DateTime', Finish: 'DateTime', StartTravel: 'String', FinishTravel: 'String', TimeZone: 'String', Title: 'String',
      Description: 'String', Location: 'String', Trigger: 'String[]', Conference: 'String[]', Repeat: 'String', Busy: 'Boolean',
    },
  },

  // ---- Catalog entries (mesh-model.md §8) ------------------------------------------------------
  CatalogedEntry: { doc: 'Base of catalog entries (mesh-model.md §8.2).', abstract: true, members: { Labels: 'String[]', LocalName: 'String', Uid: 'String' } },
  CatalogedDevice: {
    doc: 'A device of the account and its credentials, MMM_Device (mesh-model.md §8.3).',
    inherits: 'CatalogedEntry',
    members: {
      Updated: 'DateTime', Udf: 'String', DeviceUdf: 'String', SignatureUdf: 'String', EnvelopedProfileUser: 'Enveloped<ProfileAccount>',
      EnvelopedProfileDevice: 'Enveloped<ProfileDevice>', EnvelopedConnectionService: 'Enveloped<ConnectionService>',
      EnvelopedConnectionDevice: 'Enveloped<ConnectionDevice>', EnvelopedActivationAccount: 'Enveloped<ActivationAccount>',
      EnvelopedActivationCommon: 'Enveloped<ActivationCommon>', ApplicationEntries: 'Tagged<ApplicationEntry>[]',
    },
  },
  CatalogedPublication: {
    doc: 'A publication claimable with a connect-URI secret, MMM_Publication (mesh-model.md §8.2, §11).',
    inherits: 'CatalogedEntry',
    members: { Id: 'String', Authenticator: 'String', EnvelopedData: 'Envelope', NotOnOrAfter: 'DateTime' },
  },
  CatalogedCredential: {
    doc: 'A password, MMM_Credential; primary key `Protocol:Service` (mesh-model.md §8.2).',
    inherits: 'CatalogedEntry',
    members: {
      Protocol: 'String', Service: 'String', Username: 'String', Password: 'String', ClientAuthentication: 'KeyData[]', HostAuthentication: 'KeyData[]',
    },
  },
  CatalogedApplicationSsh: { doc: 'SSH application, MMM_Application (mesh-model.md §8.4).', inherits: 'CatalogedApplication', members: { ClientKey: 'KeyData' } },
  CatalogedNetwork: {
    doc: 'A network credential, MMM_Network (mesh-model.md §8.2).',
    inherits: 'CatalogedEntry',
    members: { Protocol: 'String', Service: 'String', Username: 'String', Password: 'String' },
  },
  CatalogedContact: {
    doc: 'A contact, MMM_Contact; the self contact has `Self: true` (mesh-model.md §8.2).',
    inherits: 'CatalogedEntry',
    members: { Key: 'String', Self: 'Boolean', Contact: 'Tagged<Contact>' },
  },
  CatalogedIngress: {
    doc: 'An ingress rule, MMM_Ingress (this project: who may send the account messages, read by its service; '
      + 'README "Messaging"): `Key` = the sender\'s canonical address, `ProfileUdf` its profile UDF, `Action` `Allow` or `Block`.',
    inherits: 'CatalogedEntry',
    members: { Key: 'String', ProfileUdf: 'String', Action: 'String' },
  },
  CatalogedAccess: { doc: 'A capability, MMM_Access (mesh-model.md §8.5).', inherits: 'CatalogedEntry', members: { Capability: 'Tagged<Capability>' } },
  Capability: {
    doc: 'Base of capabilities (mesh-model.md §8.5).',
    abstract: true,
    members: { Id: 'String', Active: 'Boolean', Issued: 'Integer', Mode: 'String', Udf: 'String', Witness: 'String' },
  },
  NullCapability: { doc: 'Explicit deny (mesh-model.md §8.5).', inherits: 'Capability' },
  AccessCapability: {
    doc: 'Lets a device call account operations (mesh-model.md §8.5).',
    inherits: 'Capability',
    members: { Rights: 'String[]', EnvelopedCatalogedDevice: 'Enveloped<CatalogedDevice>', CatalogedDeviceDigest: 'String' },
  },
  PublicationCapability: {
    doc: 'Defined, not implemented (mesh-model.md §8.5).',
    inherits: 'Capability',
    members: { Identifier: 'String', Digest: 'String', Data: 'Binary' },
  },
  CryptographicCapability: {
    doc: 'Base of key capabilities: the service half of a split key (mesh-model.md §8.5).',
    inherits: 'Capability',
    abstract: true,
    members: { KeyData: 'KeyData', GranteeAccount: 'String', GranteeUdf: 'String', EnvelopedKeyShare: 'Enveloped<KeyData>' },
  },
  CapabilityDecrypt: { doc: 'A decryption share (mesh-model.md §8.5).', inherits: 'CryptographicCapability' },
  CapabilityDecryptPartial: { doc: 'A member-held decryption share (mesh-model.md §8.5).', inherits: 'CapabilityDecrypt' },
  CapabilityDecryptServiced: {
    doc: 'A service-held decryption share (mesh-model.md §8.5).',
    inherits: 'CapabilityDecrypt',
    members: { AuthenticationId: 'String' },
  },
  CapabilitySign: { doc: 'Defined, not implemented (mesh-model.md §8.5).', inherits: 'CryptographicCapability' },
  CapabilityKeyGenerate: { doc: 'Defined, not implemented (mesh-model.md §8.5).', inherits: 'CryptographicCapability' },
  CapabilityFairExchange: { doc: 'Defined, not implemented (mesh-model.md §8.5).', inherits: 'CryptographicCapability' },
  CatalogedCallsign: {
    doc: 'A callsign registration, MMM_Callsign (mesh-model.md §8.1).',
    inherits: 'CatalogedApplication',
    members: { Canonical: 'String', ProfileUdf: 'String', EnvelopedCallsignBinding: 'Enveloped<CallsignBinding>' },
  },
  NamedService: { doc: 'A service of a callsign binding (mesh-model.md §5.2).', members: { Prefix: 'String', Mapping: 'String', Endpoint: 'String[]' } },
  CatalogedBookmark: {
    doc: 'A bookmark, MMM_Bookmark (mesh-model.md §8.2).',
    inherits: 'CatalogedEntry',
    members: { Uri: 'String', Title: 'String', Comments: 'String[]' },
  },
  CatalogedTask: {
    doc: 'A task or calendar entry, MMM_Task (mesh-model.md §8.2).',
    inherits: 'CatalogedEntry',
    members: { EnvelopedTask: 'Enveloped<Engagement>', Title: 'String', Key: 'String' },
  },
  CatalogedApplication: {
    doc: 'Base of applications, MMM_Application (mesh-model.md §8.4).',
    inherits: 'CatalogedEntry',
    abstract: true,
    members: {
      Default: 'Integer', Key: 'String', Grant: 'String[]', Deny: 'String[]', EnvelopedCapabilities: 'Envelope[]',
      EnvelopedEscrow: 'Enveloped<KeyData>[]',
    },
  },
  CatalogedMember: {
    doc: 'A group member, MMM_Member (mesh-model.md §8.2).',
    inherits: 'CatalogedEntry',
    members: { ContactAddress: 'String', MemberCapabilityId: 'String', ServiceCapabilityId: 'String' },
  },
  CatalogedGroup: {
    doc: 'A group administered by the account (mesh-model.md §8.4).',
    inherits: 'CatalogedApplication',
    members: {
      EnvelopedConnectionAddress: 'Enveloped<ConnectionStripped>', EnvelopedProfileGroup: 'Enveloped<ProfileAccount>',
      EnvelopedActivationCommon: 'Enveloped<ActivationCommon>',
    },
  },
  CatalogedApplicationMail: {
    doc: 'Mail application (mesh-model.md §8.4).',
    inherits: 'CatalogedApplication',
    members: {
      AccountAddress: 'String', InboundConnect: 'String', OutboundConnect: 'String', SmimeSign: 'KeyData', SmimeEncrypt: 'KeyData',
      OpenpgpSign: 'KeyData', OpenpgpEncrypt: 'KeyData',
    },
  },
  CatalogedApplicationNetwork: { doc: 'Network application (mesh-model.md §8.4).', inherits: 'CatalogedApplication' },
  MessageInvoice: { doc: 'Future wallet message (mesh-model.md §9.2).', inherits: 'Message' },
  CatalogedReceipt: { doc: 'Future wallet entry (reference schema).', inherits: 'CatalogedEntry' },
  CatalogedTicket: { doc: 'Future wallet entry (reference schema).', inherits: 'CatalogedEntry' },

  // ---- Publications (mesh-model.md §11) --------------------------------------------------------
  DevicePreconfigurationPublic: {
    doc: 'What a preconfigured device publishes (mesh-model.md §11).',
    members: { EnvelopedProfileDevice: 'Enveloped<ProfileDevice>', Hailing: 'String[]' },
  },
  DevicePreconfiguration: {
    doc: 'The 2021 name of a preconfigured device installation (schema-08 §9 example), read so that 2021 output parses.',
    members: {
      EnvelopedProfileDevice: 'Enveloped<ProfileDevice>', EnvelopedConnectionDevice: 'Enveloped<ConnectionDevice>', PrivateKey: 'Tagged<Key>',
      ConnectUri: 'String',
    },
  },
  DevicePreconfigurationPrivate: {
    doc: 'A preconfigured device installation, kept by its maker (mesh-model.md §11).',
    inherits: 'DevicePreconfigurationPublic',
    members: {
      EnvelopedConnectionDevice: 'Enveloped<ConnectionDevice>', EnvelopedConnectionService: 'Enveloped<ConnectionService>',
      PrivateKey: 'Tagged<Key>', ConnectUri: 'String',
    },
  },

  // ---- Messages (mesh-model.md §9) -------------------------------------------------------------
  Message: { doc: 'Base of messages (mesh-model.md §9.2).', members: { MessageId: 'String', Sender: 'String', Recipient: 'String' } },
  MessageError: { doc: 'An error report (mesh-model.md §9.2).', inherits: 'Message', members: { ErrorCode: 'String' } },
  MessageComplete: { doc: 'Changes the state of earlier messages (mesh-model.md §9.3).', inherits: 'Message', members: { References: 'Reference[]' } },
  MessagePinValidated: {
    doc: 'A message authenticated by a PIN (mesh-model.md §10).',
    inherits: 'Message',
    members: { AuthenticatedData: 'Envelope', ClientNonce: 'Binary', PinId: 'String', PinWitness: 'Binary' },
  },
  MessagePin: {
    doc: 'A PIN issued by an administrator, kept in MMM_Local (mesh-model.md §10).',
    inherits: 'Message',
    members: { Account: 'String', Expires: 'DateTime', Automatic: 'Boolean', SaltedPin: 'String', Action: 'String', Roles: 'String[]' },
  },
  RequestConnection: { doc: 'A device asks to connect (mesh-model.md §9.2).', inherits: 'MessagePinValidated', members: { AccountAddress: 'String' } },
  AcknowledgeConnection: {
    doc: 'The service acknowledges a connection request; MessageId = witness (mesh-model.md §9.2, §10).',
    inherits: 'Message',
    members: { EnvelopedRequestConnection: 'Enveloped<RequestConnection>', ServerNonce: 'Binary', Witness: 'String' },
  },
  RespondConnection: {
    doc: 'The administrator answers a connection request (mesh-model.md §9.2).',
    inherits: 'Message',
    members: { Result: 'String', CatalogedDevice: 'CatalogedDevice' },
  },
  MessageContact: {
    doc: 'A contact exchange request (mesh-model.md §9.2).',
    inherits: 'MessagePinValidated',
    members: { Reply: 'Boolean', Subject: 'String', PIN: 'String' },
  },
  GroupInvitation: { doc: 'An invitation to a group (mesh-model.md §9.2).', inherits: 'Message', members: { Text: 'String', Contact: 'Tagged<Contact>' } },
  RequestConfirmation: { doc: 'A confirmation request (mesh-model.md §9.2).', inherits: 'Message', members: { Text: 'String' } },
  ResponseConfirmation: {
    doc: 'The answer to a confirmation request (mesh-model.md §9.2).',
    inherits: 'Message',
    members: { Request: 'Enveloped<RequestConfirmation>', Accept: 'Boolean' },
  },
  RequestTask: { doc: 'Defined only (mesh-model.md §9.2).', inherits: 'Message' },
  MessageClaim: {
    doc: 'A claim of a publication (mesh-model.md §9.2, §11).',
    inherits: 'Message',
    members: { PublicationId: 'String', ServiceAuthenticate: 'String', DeviceAuthenticate: 'String', Expires: 'DateTime' },
  },
  ProcessResult: { doc: 'A logged operation result (mesh-model.md §9.2).', inherits: 'Message', members: { Success: 'Boolean', ErrorReport: 'String' } },

  // ---- Protocol base classes (the reference's Goedel.Protocol schema; protocol.md §3) ----------
  Request: { doc: 'Base of every request (protocol.md §3).', abstract: true, members: { Service: 'String', ID: 'Binary' } },
  Response: {
    doc: 'Base of every response (protocol.md §3, §4).',
    abstract: true,
    members: { Status: 'Integer', StatusExtended: 'Integer', StatusDescription: 'String', ID: 'Binary' },
  },
  Version: {
    doc: 'A protocol version (protocol.md §3).',
    members: { Major: 'Integer', Minor: 'Integer', Encodings: 'Encoding[]', URI: 'String[]' },
  },
  Encoding: { doc: 'A message encoding (protocol.md §3).', members: { ID: 'String[]', Dictionary: 'String[]' } },
  HelloRequest: { doc: 'Hello (protocol.md T1).', inherits: 'Request' },
  HelloResponse: { doc: 'Hello response base (protocol.md T1).', inherits: 'Response', members: { Version: 'Version', Alternates: 'Version[]' } },

  // ---- Mesh protocol (protocol.md §3–§5) -------------------------------------------------------
  MeshRequest: { doc: 'Base of Mesh requests (protocol.md §3).', inherits: 'Request' },
  MeshRequestUser: {
    doc: 'Base of requests made by a connected device (protocol.md §3).',
    inherits: 'MeshRequest',
    members: { Account: 'String', Capability: 'String', EnvelopedProfileDevice: 'Enveloped<ProfileDevice>' },
  },
  MeshResponse: { doc: 'Base of Mesh responses (protocol.md §3).', inherits: 'Response' },
  KeyValue: { doc: 'A key/value selector (protocol.md §3).', members: { Key: 'String', Value: 'String' } },
  ConstraintsSelect: {
    doc: 'Selects frames of a store (protocol.md §3).',
    members: { Container: 'String', IndexMin: 'Integer', IndexMax: 'Integer', NotBefore: 'DateTime', Before: 'DateTime', PageKey: 'String' },
  },
  ConstraintsData: {
    doc: 'Limits on returned data (protocol.md §3).',
    members: { MaxEntries: 'Integer', BytesOffset: 'Integer', BytesMax: 'Integer', Header: 'Boolean', Payload: 'Boolean', Trailer: 'Boolean' },
  },
  PolicyAccount: { doc: 'Account-name policy (protocol.md §3).', members: { Minimum: 'Integer', Maximum: 'Integer', InvalidCharacters: 'String' } },
  ContainerStatus: { doc: 'State of one store (protocol.md §3).', members: { Container: 'String', Index: 'Integer', Digest: 'Binary' } },
  ContainerUpdate: { doc: 'Frames of one store (protocol.md §3).', inherits: 'ContainerStatus', members: { Envelopes: 'Envelope[]' } },
  MeshHelloRequest: { doc: 'Hello with a callsign binding (protocol.md T1, 2022).', inherits: 'HelloRequest', members: { CallsignBinding: 'CallsignBinding' } },
  MeshHelloResponse: {
    doc: 'Service description (protocol.md T1).',
    inherits: 'HelloResponse',
    members: {
      ConstraintsUpdate: 'ConstraintsData', ConstraintsPost: 'ConstraintsData', PolicyAccount: 'PolicyAccount',
      EnvelopedProfileService: 'Enveloped<ProfileService>', CallsignBinding: 'CallsignBinding',
    },
  },
  BindRequest: {
    doc: 'Bind an account to a service (protocol.md T2).',
    inherits: 'MeshRequest',
    members: { AccountAddress: 'String', EnvelopedProfileAccount: 'Enveloped<ProfileAccount>', EnvelopedCallsignBinding: 'Enveloped<CallsignBinding>[]' },
  },
  BindResponse: {
    doc: 'Result of a bind (protocol.md T2).',
    inherits: 'MeshResponse',
    members: { Reason: 'String', URL: 'String', EnvelopedAccountHostAssignment: 'Enveloped<AccountHostAssignment>' },
  },
  UnbindRequest: { doc: 'Delete an account binding (protocol.md T3).', inherits: 'MeshRequestUser' },
  UnbindResponse: { doc: 'Result of an unbind (protocol.md T3).', inherits: 'MeshResponse' },
  ConnectRequest: {
    doc: 'A device asks to connect (protocol.md T4).',
    inherits: 'MeshRequest',
    members: { EnvelopedRequestConnection: 'Enveloped<RequestConnection>', Rights: 'String[]' },
  },
  ConnectResponse: {
    doc: 'The service acknowledges a connection request (protocol.md T4).',
    inherits: 'MeshResponse',
    members: { EnvelopedAcknowledgeConnection: 'Enveloped<AcknowledgeConnection>', EnvelopedProfileAccount: 'Enveloped<ProfileAccount>' },
  },
  StatusRequest: {
    doc: 'Store status (protocol.md T6).',
    inherits: 'MeshRequestUser',
    // `Seen`: this binding (an administrator device asks for each device's last sync); not in the reference.
    members: { DeviceUDF: 'String', CatalogedDeviceDigest: 'String', Catalogs: 'String[]', Spools: 'String[]', Seen: 'Boolean' },
  },
  StatusResponse: {
    doc: 'Store status (protocol.md T6).',
    inherits: 'MeshResponse',
    members: {
      EnvelopedProfileAccount: 'Enveloped<ProfileAccount>', EnvelopedCatalogedDevice: 'Enveloped<CatalogedDevice>', CatalogedDeviceDigest: 'String',
      ContainerStatus: 'ContainerStatus[]', EnvelopedAccountHostAssignment: 'Enveloped<AccountHostAssignment>',
      // This binding: each connected device's last Status or Download, for an administrator device that asked (`Seen`).
      DevicesSeen: 'DeviceSeen[]',
    },
  },
  CompleteRequest: { doc: 'Collect the answer to a connection request (protocol.md T5).', inherits: 'StatusRequest', members: { AccountAddress: 'String', ResponseID: 'String' } },
  CompleteResponse: {
    doc: 'The answer to a connection request (protocol.md T5).',
    inherits: 'MeshResponse',
    members: { EnvelopedRespondConnection: 'Enveloped<RespondConnection>', EnvelopedAccountHostAssignment: 'Enveloped<AccountHostAssignment>' },
  },
  DownloadRequest: {
    doc: 'Fetch frames (protocol.md T7).',
    inherits: 'MeshRequestUser',
    members: { Select: 'ConstraintsSelect[]', ConstraintsPost: 'ConstraintsData' },
  },
  DownloadResponse: { doc: 'Frames (protocol.md T7).', inherits: 'MeshResponse', members: { Updates: 'ContainerUpdate[]' } },
  TransactRequest: {
    doc: 'Append frames and send messages atomically (protocol.md T8).',
    inherits: 'MeshRequestUser',
    members: {
      Updates: 'ContainerUpdate[]', Accounts: 'String[]', Outbound: 'Enveloped<Message>[]', Inbound: 'Enveloped<Message>[]', Local: 'Enveloped<Message>[]',
    },
  },
  TransactResponse: {
    doc: 'Result of a transaction (protocol.md T8).',
    inherits: 'MeshResponse',
    members: { Entries: 'EntryResponse[]', ConstraintsData: 'ConstraintsData' },
  },
  EntryResponse: {
    doc: 'Result of one entry of a transaction (protocol.md §3).',
    members: { IndexRequest: 'Integer', IndexContainer: 'Integer', Result: 'String', ConstraintsData: 'ConstraintsData' },
  },
  PostRequest: {
    doc: 'Service-to-service delivery (protocol.md T9); `Sender` and its self-signed `EnvelopedProfileSender` are this binding\'s (README "Messaging").',
    inherits: 'MeshRequest',
    members: { Accounts: 'String[]', Messages: 'Enveloped<Message>[]', Sender: 'String', EnvelopedProfileSender: 'Enveloped<ProfileAccount>' },
  },
  PostResponse: { doc: 'Result of a post (protocol.md T9).', inherits: 'TransactResponse' },
  ClaimRequest: { doc: 'Claim a publication (protocol.md T10).', inherits: 'MeshRequest', members: { EnvelopedMessageClaim: 'Enveloped<MessageClaim>' } },
  ClaimResponse: { doc: 'The claimed publication (protocol.md T10).', inherits: 'MeshResponse', members: { CatalogedPublication: 'CatalogedPublication' } },
  PollClaimRequest: {
    doc: 'Poll for a claim (protocol.md T11).',
    inherits: 'MeshRequest',
    members: { PublicationId: 'String', TargetAccountAddress: 'String' },
  },
  PollClaimResponse: { doc: 'The latest claim (protocol.md T11).', inherits: 'MeshResponse', members: { EnvelopedMessage: 'Enveloped<Message>' } },
  CryptographicOperation: {
    doc: 'Base of service-assisted key operations (protocol.md T12).',
    abstract: true,
    members: { KeyId: 'String', KeyCoefficient: 'Binary' },
  },
  CryptographicOperationSign: { doc: 'Threshold signature share (protocol.md T12).', inherits: 'CryptographicOperation', members: { Data: 'Binary', PartialR: 'Binary' } },
  CryptographicOperationKeyAgreement: {
    doc: 'Threshold key agreement (protocol.md T12).',
    inherits: 'CryptographicOperation',
    members: { PublicKey: 'Tagged<Key>' },
  },
  CryptographicOperationGenerate: { doc: 'Key generation (protocol.md T12).', inherits: 'CryptographicOperation' },
  CryptographicOperationShare: { doc: 'Key sharing (protocol.md T12).', inherits: 'CryptographicOperation', members: { Threshold: 'Integer', Shares: 'Integer' } },
  CryptographicResult: { doc: 'Base of operation results (protocol.md T12).', members: { Error: 'String' } },
  CryptographicResultKeyAgreement: {
    doc: 'Key agreement result (protocol.md T12).',
    inherits: 'CryptographicResult',
    members: { KeyAgreement: 'Tagged<KeyAgreement>' },
  },
  CryptographicResultShare: { doc: 'Key share result (protocol.md T12).', inherits: 'CryptographicResult' },
  OperateRequest: {
    doc: 'Service-assisted key operations (protocol.md T12).',
    inherits: 'MeshRequest',
    members: { AccountAddress: 'String', Operations: 'Tagged<CryptographicOperation>[]' },
  },
  OperateResponse: { doc: 'Results of key operations (protocol.md T12).', inherits: 'MeshResponse', members: { Results: 'Tagged<CryptographicResult>[]' } },
  // ---- this project's binding (protocol.md §2): not in the reference schema ---------------------
  PushTicketRequest: {
    doc: 'Ask for a single-use ticket that opens the WebSocket push channel (protocol.md §2, WebSocket push).',
    inherits: 'MeshRequestUser',
  },
  PushTicketResponse: {
    doc: 'A push ticket: opens one socket at `/.well-known/mmm/push?ticket=` before `Expires` (protocol.md §2).',
    inherits: 'MeshResponse',
    members: { Ticket: 'String', Expires: 'DateTime' },
  },
  LookupRequest: {
    doc: 'Asks a service for the self-signed profile of the account `Target` (this binding: the key a first message is encrypted to; README "Messaging"). Not `Account`: that names the requester.',
    inherits: 'MeshRequest',
    members: { Target: 'String' },
  },
  LookupResponse: {
    doc: 'The profile of the account a LookupRequest named (this binding).',
    inherits: 'MeshResponse',
    members: { EnvelopedProfileAccount: 'Enveloped<ProfileAccount>' },
  },
  DeviceSeen: {
    doc: 'When a connected device last synchronised — its last Status or Download, to within a minute (this binding: StatusResponse.DevicesSeen).',
    members: { Id: 'String', DeviceUdf: 'String', Seen: 'DateTime' },
  },
  StoreKeyCapability: {
    doc: 'The current key of a re-keyed spool, so the service encrypts what it writes there to it (mesh-model.md §7, re-keying): an MMM_Access entry, `Id` = the spool\'s label, its StoreKey signed by the AdministratorSignature.',
    inherits: 'Capability',
    members: { EnvelopedStoreKey: 'Enveloped<StoreKey>' },
  },
  StoreKey: {
    doc: 'A store\'s key generation as an administrator announces it (the public key only; see StoreKeyCapability).',
    members: { AccountUdf: 'String', Store: 'String', Generation: 'Integer', Key: 'KeyData' },
  },
} as const satisfies Readonly<Record<string, ClassDefinition>>;
