import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The layer order of design.md ("Data flows one way"), checked on every import in sdk/ and
// adapters/ (static, re-exports, dynamic `import()`, `import type` and `import('…').T` alike: a
// type-only import is still a dependency of the source on its target).
//
//   encoding < crypto < udf < dare < mesh < protocol < client | service < conformance < cli
//
// - A module imports its own layer and the layers below it, never one above. client and service
//   share a rank and do not import each other (both sit on protocol, the wire binding of
//   protocol.md §2; runtime-specific HTTP servers and DNS lookups are adapters).
// - conformance (the vector runner, `npm run conformance`) sits just below the CLI: it evaluates
//   vectors of every layer, so it may import all of them, and nothing in the SDK imports it.
// - Composition roots — the executables, sdk/cli and sdk/conformance — are the only SDK code that
//   may import adapters (the CLI opens files through the node store; the runner replays sequence
//   vectors on the memory store). Library code never imports adapters or the CLI.
// - adapters depend on the SDK only through its contracts (ADAPTER_CONTRACTS): the interfaces and
//   errors the SDK defines for them to implement (design.md: "a contract belongs to the code that
//   consumes it"). Adapters may import each other.
// - Library layers use only what every runtime has: no value import of a runtime's own modules
//   (node:*, bun, deno); type-only imports are erased, and sdk/crypto/native finds node:crypto at
//   run time (process.getBuiltinModule) so no bundler sees it. The composition roots and adapters
//   are runtime-specific by design.

const root = resolve(import.meta.dirname, '..');

interface Layer {
  readonly name: string;
  readonly rank: number;
  readonly dirs: readonly string[];
  /** May import adapters (an executable that wires implementations to contracts). */
  readonly compositionRoot?: boolean;
}

const LAYERS: readonly Layer[] = [
  { name: 'encoding', rank: 0, dirs: ['sdk/encoding'] },
  { name: 'crypto', rank: 1, dirs: ['sdk/crypto'] },
  { name: 'udf', rank: 2, dirs: ['sdk/udf'] },
  { name: 'dare', rank: 3, dirs: ['sdk/dare'] },
  { name: 'mesh', rank: 4, dirs: ['sdk/mesh'] },
  { name: 'protocol', rank: 5, dirs: ['sdk/protocol'] },
  { name: 'client', rank: 6, dirs: ['sdk/client'] },
  { name: 'service', rank: 6, dirs: ['sdk/service'] },
  { name: 'conformance', rank: 7, dirs: ['sdk/conformance'], compositionRoot: true },
  { name: 'cli', rank: 8, dirs: ['sdk/cli'], compositionRoot: true },
];

/**
 * The SDK modules adapters may import: the contracts they implement. The store contract
 * (SequenceStore, durability, store errors) lives beside the sequence code that consumes it; the
 * HTTP exchange and SRV lookup contracts beside the protocol code that consumes them; the
 * service-store contract (interface, errors, the input rules and watch semantics every
 * implementation shares) and the embedded store's file layer beside the service; the push
 * socket contracts beside the push service and client.
 */
const ADAPTER_CONTRACTS: readonly string[] = [
  'sdk/dare/sequence/store.ts', 'sdk/protocol/http.ts', 'sdk/protocol/srv.ts',
  // The header views of the HTTP exchange contract (a server adapter builds the received fields).
  'sdk/protocol/header-fields.ts',
  // Hashing on a worker thread: the protocol and client (hash-offload.ts), and the worker body on
  // the SDK's hashes (hash-worker-service.ts) that a runtime's worker entry hosts.
  'sdk/crypto/hash-offload.ts',
  'sdk/crypto/hash-worker-service.ts',
  // The home of a Mesh host (records and store sequences), beside the host that consumes it.
  'sdk/mesh/host/storage.ts',
  // The service-store contract (interface, errors, the input rules and watch semantics every
  // implementation shares) and the embedded store's file layer, beside the service.
  'sdk/service/store.ts',
  'sdk/service/store-errors.ts',
  'sdk/service/store-rules.ts',
  'sdk/service/change-feed.ts',
  'sdk/service/files.ts',
  // The push channel: the WebSocket server binding (service side) and the WebSocket client (client side).
  'sdk/service/push/connection.ts', 'sdk/client/push/websocket.ts',
];

/**
 * Violations being fixed elsewhere, listed so the rule can be stated now (to be emptied when those
 * changes merge). An entry that no longer occurs fails the test, so the list can only shrink.
 */
const KNOWN_VIOLATIONS: readonly string[] = [];

/** One import: from a module (repository path) to a module path or a bare specifier. */
export interface ImportEdge {
  readonly from: string;
  /** Repository path of a relative import's target (`.ts`), else the specifier as written. */
  readonly to: string;
  readonly typeOnly: boolean;
}

const RUNTIME_MODULE = /^(node:|bun$|bun:|deno$|npm:|jsr:)/;

function layerOf(path: string): Layer | undefined {
  return LAYERS.find((l) => l.dirs.some((d) => path === d || path.startsWith(d + '/')));
}

/** Every rule the edges break, as `from → to: why` lines. */
export function violations(edges: readonly ImportEdge[], contracts: readonly string[] = ADAPTER_CONTRACTS): string[] {
  const out: string[] = [];
  for (const { from, to, typeOnly } of edges) {
    const bad = (why: string): void => void out.push(`${from} → ${to}: ${why}`);
    const source = layerOf(from);
    const fromAdapters = from.startsWith('adapters/');
    if (from.startsWith('sdk/') && source === undefined) {
      bad(`${dirname(from)} is in no layer: place it in the layer order (test/architecture.test.ts)`);
      continue;
    }
    if (RUNTIME_MODULE.test(to)) {
      if (source && !source.compositionRoot && !typeOnly) bad(`${source.name} must not import a runtime's own module (value import)`);
      continue;
    }
    if (!to.startsWith('sdk/') && !to.startsWith('adapters/')) continue; // a package dependency
    if (to.startsWith('adapters/')) {
      if (source && !source.compositionRoot) bad(`${source.name} must not import adapters`);
      continue;
    }
    const target = layerOf(to);
    if (target === undefined) {
      bad(`${dirname(to)} is in no layer`);
      continue;
    }
    if (fromAdapters) {
      if (!contracts.includes(to)) bad('adapters may import only SDK contracts');
      continue;
    }
    if (source === undefined || source === target) continue;
    if (target.rank > source.rank) bad(`${source.name} must not import ${target.name} (a higher layer)`);
    else if (target.rank === source.rank) bad(`${source.name} must not import ${target.name} (a peer layer)`);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The imports of one file, found by the TypeScript parser (no regular expressions). */
function importsOf(file: string): ImportEdge[] {
  const from = relative(root, file);
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean): void => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const text = spec.text;
    const to = text.startsWith('.') ? relative(root, resolve(dirname(file), text)).replace(/\.js$/, '.ts') : text;
    edges.push({ from, to, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypes = clause !== undefined && (clause.isTypeOnly
        || (clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      add(node.moduleSpecifier, node.isTypeOnly || (named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const edges = ['sdk', 'adapters'].flatMap((d) => sourceFiles(join(root, d))).flatMap(importsOf);

describe('architecture: imports point down the layer order', () => {
  it('finds the imports (the parser sees static, type-only, dynamic and re-exports)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'sdk/udf/digest.ts', to: 'sdk/encoding/utf8.ts', typeOnly: false });
    expect(edges.some((e) => e.typeOnly)).toBe(true);
    expect(edges.some((e) => e.from.startsWith('adapters/') && e.to.startsWith('adapters/'))).toBe(true);
  });

  it('no import points the wrong way (beyond the listed violations being fixed)', () => {
    const found = violations(edges);
    expect(found.filter((v) => !KNOWN_VIOLATIONS.includes(v))).toEqual([]);
  });

  it('every listed violation still occurs (remove an entry once it is fixed)', () => {
    const found = new Set(violations(edges));
    expect(KNOWN_VIOLATIONS.filter((v) => !found.has(v))).toEqual([]);
  });

  it('the rules catch each kind of wrong edge', () => {
    const e = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });
    const check = (edge: ImportEdge, contracts: readonly string[] = []): string[] => violations([edge], contracts);
    // upward and sideways
    expect(check(e('sdk/encoding/base32.ts', 'sdk/crypto/hashes.ts'))).toHaveLength(1);
    expect(check(e('sdk/crypto/hashes.ts', 'sdk/udf/digest.ts', true))).toHaveLength(1);
    expect(check(e('sdk/dare/envelope.ts', 'sdk/mesh/profile.ts'))).toHaveLength(1);
    expect(check(e('sdk/mesh/profile.ts', 'sdk/client/client.ts'))).toHaveLength(1);
    expect(check(e('sdk/mesh/profile.ts', 'sdk/protocol/client.ts', true))).toHaveLength(1);
    expect(check(e('sdk/protocol/client.ts', 'sdk/service/service.ts'))).toHaveLength(1);
    expect(check(e('sdk/protocol/service.ts', 'node:http'))).toHaveLength(1);
    expect(check(e('sdk/service/store.ts', 'sdk/protocol/service.ts'))).toEqual([]);
    expect(check(e('adapters/http/node-server.ts', 'sdk/protocol/http.ts', true), ['sdk/protocol/http.ts'])).toEqual([]);
    expect(check(e('adapters/http/node-server.ts', 'sdk/protocol/service.ts', true), ['sdk/protocol/http.ts'])).toHaveLength(1);
    expect(check(e('sdk/client/client.ts', 'sdk/service/service.ts'))).toHaveLength(1);
    expect(check(e('sdk/dare/index.ts', 'sdk/conformance/main.ts'))).toHaveLength(1);
    expect(check(e('sdk/conformance/main.ts', 'sdk/cli/main.ts'))).toHaveLength(1);
    // adapters: only composition roots import them; adapters import only contracts
    expect(check(e('sdk/dare/sequence/writer.ts', 'adapters/store/memory.ts', true))).toHaveLength(1);
    expect(check(e('sdk/cli/sequence.ts', 'adapters/store/node-fs.ts'))).toEqual([]);
    expect(check(e('sdk/conformance/kinds/dare-sequence.ts', 'adapters/store/memory.ts'))).toEqual([]);
    expect(check(e('adapters/store/memory.ts', 'sdk/dare/sequence/writer.ts'))).toHaveLength(1);
    expect(check(e('adapters/store/memory.ts', 'sdk/dare/store.ts'), ['sdk/dare/store.ts'])).toEqual([]);
    expect(check(e('adapters/node/index.ts', 'adapters/store/node-fs.ts'))).toEqual([]);
    // runtime modules: type-only or in a composition root only
    expect(check(e('sdk/crypto/native/node-crypto.ts', 'node:crypto'))).toHaveLength(1);
    expect(check(e('sdk/crypto/native/node-crypto.ts', 'node:crypto', true))).toEqual([]);
    expect(check(e('sdk/cli/io.ts', 'node:fs'))).toEqual([]);
    // a new folder must be placed in the order
    expect(check(e('sdk/wallet/keys.ts', 'sdk/encoding/hex.ts'))).toHaveLength(1);
    // what is allowed: down the order, inside a layer, package dependencies
    expect(check(e('sdk/cli/main.ts', 'sdk/encoding/errors.ts'))).toEqual([]);
    expect(check(e('sdk/dare/sequence/writer.ts', 'sdk/dare/errors.ts'))).toEqual([]);
    expect(check(e('sdk/crypto/curves/ed448.ts', '@noble/hashes/sha3.js'))).toEqual([]);
  });
});
