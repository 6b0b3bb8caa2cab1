// API reference from the TSDoc of the package's entry points (package.json "exports"):
// `npm run docs` writes HTML to dist/docs (not committed); `npm run docs:check` (part of `npm test`)
// emits nothing and fails on a broken {@link}, an export referencing a type the reference leaves
// out, or an exported declaration without TSDoc.
/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'mathmesh',
  entryPoints: [
    'sdk/encoding/index.ts',
    'sdk/crypto/index.ts',
    'sdk/udf/index.ts',
    'sdk/dare/index.ts',
    'sdk/mesh/index.ts',
    'sdk/protocol/index.ts',
    'sdk/client/index.ts',
    'sdk/service/index.ts',
    'adapters/memory/index.ts',
    'adapters/node/index.ts',
    'adapters/postgres/index.ts',
    'adapters/bun/index.ts',
    'adapters/deno/index.ts',
    'adapters/browser/index.ts',
  ],
  tsconfig: 'tsconfig.docs.json',
  out: 'dist/docs',
  readme: 'README.md',
  disableSources: true,
  excludePrivate: true,
  excludeInternal: true,
  sort: ['source-order'],
  // `npm run typecheck` checks the types; the reference only needs the declarations.
  skipErrorChecking: true,
  treatWarningsAsErrors: true,
  validation: { invalidLink: true, rewrittenLink: true, notExported: true, notDocumented: true },
  // Every exported declaration needs TSDoc (design.md); members of interfaces and classes are
  // left to judgement (many are self-explaining fields).
  requiredToBeDocumented: ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'TypeAlias'],
  // Gaps in code other branches own, listed so the check can run now: their owners close them
  // (export the referenced types, document the call signature) and drop them here. TypeDoc fails
  // on an entry that no longer applies, so this list cannot go stale.
  intentionallyNotExported: [
    'EncryptedFrame', 'EncryptedFrameParts', // sdk/dare/sequence/encryption.ts (FrameEncryptor/FrameDecryptor signatures)
    'JsonLayout', // sdk/dare/sequence/header.ts (CreateOptions.layout)
    'RawFile', // adapters/store/async-file.ts (IdbStore constructor)
    'RoleDefinition', 'Curve', 'Role', // sdk/mesh (ROLES, CombinedKey.algorithm, ContactMembers.Roles)
  ],
  intentionallyNotDocumented: [
    'mathmesh/crypto.AsyncAes.aes256CbcEncrypt', // sdk/crypto/aes-async.ts
    'mathmesh/dare.CONTAINER_TYPES', 'mathmesh/dare.SequenceWriter', // sdk/dare/sequence/info.ts, writer.ts
  ],
};
