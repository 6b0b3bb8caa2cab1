import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hexDecode, hexEncode } from '../sdk/encoding/index.js';
import {
  checkSeedAlgorithm, defaultKeyAlgorithm, deriveKeyMaterial, deriveKeyPair, draftExampleNistScalar, draftExampleOkm,
  draftExampleRsaPrimes, keyFingerprint, keyPairFromPrivate, keySpecifier, meshKeyName, newSeed, nonce, parseSeed, seedUdf, UdfError,
  type DerivedKeyAlgorithm,
} from '../sdk/udf/index.js';
import { repoRoot, vectorsDir } from './support/paths.js';
import { errorCodeOf } from './support/random.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type V = Record<string, any>;
const keys = JSON.parse(readFileSync(resolve(vectorsDir, 'keys.json'), 'utf8')) as V[];
const ofKind = (k: string, derivation?: string): V[] =>
  keys.filter((v) => v.kind === k && v.verified === true && (derivation === undefined || v.derivation === derivation));

const le = (b: Uint8Array): bigint => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);

const codeOf = (f: () => unknown): string | undefined => errorCodeOf(UdfError, f);

describe('reference-library derivation (udf.md §8.1)', () => {
  for (const v of ofKind('derive-key', 'reference-library')) {
    it(v.id, () => {
      const alg = v.algorithm as DerivedKeyAlgorithm;
      const okm = deriveKeyMaterial(v.seed_udf, alg, v.key_name);
      expect(okm.length * 8).toBe(v.okm_bits);
      const kp = keyPairFromPrivate(alg, okm);
      const e = v.expected;
      if (e.private_seed_hex) expect(hexEncode(okm)).toBe(e.private_seed_hex);
      if (e.private_scalar_le_hex) expect(hexEncode(kp.scalar)).toBe(e.private_scalar_le_hex);
      expect(le(kp.scalar).toString()).toBe(e.scalar_dec);
      if (e.public_signed_hex) expect(hexEncode(kp.publicKey)).toBe(e.public_signed_hex);
      if (e.public_hex) expect(hexEncode(kp.publicKey.subarray(0, e.public_hex.length / 2))).toBe(e.public_hex);
      if (e.public_u_dec) expect(le(kp.publicKey.subarray(0, kp.publicKey.length - 1)).toString()).toBe(e.public_u_dec);
      expect(deriveKeyPair(v.seed_udf, { algorithm: alg, keyName: v.key_name }).publicKey).toEqual(kp.publicKey);
    });
  }

  for (const v of ofKind('mesh-derive-key')) {
    it(v.id, () => {
      const kp = deriveKeyPair(v.seed_udf, { algorithm: v.algorithm, keyName: v.key_name });
      expect(hexEncode(kp.publicKey)).toBe(v.expected.public_hex ?? v.expected.public_signed_hex);
      expect(kp.udf).toBe(v.expected.key_udf);
      expect(kp.privateKey.length * 8).toBe(v.okm_bits);
    });
  }

  for (const v of ofKind('keypair-from-private')) {
    it(v.id, () => {
      const kp = keyPairFromPrivate(v.algorithm, hexDecode(v.private_hex));
      expect(hexEncode(kp.publicKey)).toBe(v.expected.public_hex ?? v.expected.public_signed_hex);
      expect(kp.udf).toBe(v.expected.key_udf);
      expect(keyFingerprint(v.algorithm, kp.publicKey)).toBe(v.expected.key_udf);
    });
  }

  it('the device seed derives every base key with Mesh key names; the default algorithm follows the operation', () => {
    const v = ofKind('mesh-derive-key')[0]!;
    const seed = parseSeed(v.seed_udf);
    expect(seed.algorithm).toBe('MeshProfileDevice');
    expect(meshKeyName('Base', 'Device', 'Profile')).toBe('BaseDeviceProfile');
    expect(meshKeyName('Activation', 'Device', 'Encrypt')).toBe('ActivationDeviceEncrypt');
    expect(defaultKeyAlgorithm(seed, 'Sign')).toBe('Ed448');
    expect(defaultKeyAlgorithm(seed, 'Encrypt')).toBe('X448');
    expect(defaultKeyAlgorithm(seed, 'Authenticate')).toBe('X448');
    const profile = deriveKeyPair(v.seed_udf, { keyName: meshKeyName('Base', 'Device', 'Profile'), operation: 'Profile' });
    expect(profile.algorithm).toBe('Ed448');
    expect(profile.udf).toBe('MBYN-VC7T-AIEX-KCK2-WQLP-4B52-3GWY');
    expect(codeOf(() => meshKeyName('Base', 'Device', 'Dance' as 'Sign'))).toBe('UDF_BAD_ARGUMENT');
  });

  it('seeds that differ only in discarded bits derive the same key (udf.md §2)', () => {
    const a = deriveKeyPair('ZAAA-GTKG-ED25-5XXK-EYX', { algorithm: 'Ed25519' });
    const b = deriveKeyPair('ZAAA-GTKG-ED25-5XXK-EY2', { algorithm: 'Ed25519' });
    expect(a.publicKey).toEqual(b.publicKey);
  });

  it('key names and seeds change the key; fresh seeds derive valid keys', () => {
    const seed = newSeed('MeshProfileDevice');
    const enc = deriveKeyPair(seed, { keyName: 'BaseDeviceEncrypt', operation: 'Encrypt' });
    const auth = deriveKeyPair(seed, { keyName: 'BaseDeviceAuthenticate', operation: 'Authenticate' });
    expect(enc.algorithm).toBe('X448');
    expect(enc.publicKey.length).toBe(57);
    expect(hexEncode(enc.publicKey)).not.toBe(hexEncode(auth.publicKey));
    expect(deriveKeyPair(newSeed('MeshProfileDevice'), { keyName: 'BaseDeviceEncrypt', operation: 'Encrypt' }).udf).not.toBe(enc.udf);
  });

  it('refuses seeds of the wrong type or algorithm', () => {
    const x25519 = seedUdf('X25519', new Uint8Array(16).fill(7));
    expect(codeOf(() => deriveKeyPair(x25519, { algorithm: 'Ed448' }))).toBe('UDF_BAD_SEED');
    expect(deriveKeyPair(x25519).algorithm).toBe('X25519');
    expect(codeOf(() => deriveKeyMaterial(seedUdf('P256', new Uint8Array(16)), 'X448'))).toBe('UDF_UNKNOWN_ALGORITHM');
    expect(codeOf(() => deriveKeyMaterial(nonce(), 'X448'))).toBe('UDF_BAD_SEED');
    expect(codeOf(() => checkSeedAlgorithm(parseSeed(x25519), 'RSA2048' as DerivedKeyAlgorithm))).toBe('UDF_UNKNOWN_ALGORITHM');
    expect(codeOf(() => keyPairFromPrivate('X448', new Uint8Array(32)))).toBe('UDF_BAD_ARGUMENT');
    expect(hexEncode(keySpecifier('Ed448', 'sign'))).toBe('8004');
  });
});

describe('draft-example derivation (udf.md §8.2, a documented curiosity)', () => {
  for (const v of ofKind('derive-key', 'draft-example')) {
    it(v.id, () => {
      expect(hexEncode(keySpecifier(v.algorithm))).toBe(v.salt_hex);
      const e = v.expected;
      if (v.algorithm.startsWith('RSA')) {
        const { p, q } = draftExampleRsaPrimes(v.seed_udf, v.algorithm, v.okm_bits);
        expect(p.toString()).toBe(e.p_dec);
        expect(q.toString()).toBe(e.q_dec);
        if (e.okm_p_hex) expect(hexEncode(draftExampleOkm(v.seed_udf, v.algorithm, { info: Uint8Array.of(0x70), bits: v.okm_bits }))).toBe(e.okm_p_hex);
      } else if (v.algorithm.startsWith('P')) {
        expect(draftExampleNistScalar(v.seed_udf, v.algorithm).toString()).toBe(e.private_scalar_dec);
        expect(BigInt(v.field_prime_dec) > 0n).toBe(true);
      } else {
        expect(hexEncode(draftExampleOkm(v.seed_udf, v.algorithm))).toBe(e.private_key_hex);
        // The Mesh derivation of the same seed is different (salt none, info = specifier).
        expect(hexEncode(deriveKeyMaterial(v.seed_udf, v.algorithm))).not.toBe(e.private_key_hex);
      }
    });
  }
});

describe('module boundaries', () => {
  /** Relative imports reachable from a file (static `import … from` / `export … from`). */
  function reachable(entry: string, skip: (file: string) => boolean): Set<string> {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file) || skip(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      // Type-only imports are erased by the compiler and bring in no code.
      for (const m of src.matchAll(/(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        else seen.add(spec);
      }
    };
    visit(entry);
    return seen;
  }

  it('mathmesh/udf pulls in curve code only through keys.ts', () => {
    const udfIndex = resolve(repoRoot, 'sdk/udf/index.ts');
    const all = [...reachable(udfIndex, (f) => f.endsWith('sdk/udf/keys.ts'))];
    expect(all.filter((f) => f.includes('/curves/') || f.startsWith('@noble/curves'))).toEqual([]);
    expect([...reachable(udfIndex, () => false)].some((f) => f.includes('/crypto/curves/'))).toBe(true);
  });

  /** Package imports left in a rollup bundle of `names` from sdk/udf (our TS transpiled and followed everywhere). */
  async function bundleImports(names: string[]): Promise<string[]> {
    const { imports, modules } = await bundle(names);
    // Our own modules are inlined: report those from sdk/crypto/curves as if they were imports.
    return [...imports, ...modules.filter((m) => m.includes('/sdk/crypto/curves/') || m.includes('generated/curve448'))];
  }

  async function bundle(names: string[]): Promise<{ imports: string[]; modules: string[] }> {
    const { rollup } = await import('rollup');
    const ts = (await import('typescript')).default;
    const entry = `export { ${names.join(', ')} } from ${JSON.stringify(resolve(repoRoot, 'sdk/udf/index.ts'))};`;
    const built = await rollup({
      input: 'entry',
      external: (id) => !id.startsWith('/') && !id.startsWith('.') && id !== 'entry',
      // package.json "sideEffects": false, as a bundler applies it to this package's modules.
      treeshake: { moduleSideEffects: (_id, external) => external },
      onwarn: () => undefined,
      plugins: [{
        name: 'ts',
        resolveId: (id, importer) => (id === 'entry' ? id : importer && id.startsWith('.') ? resolve(dirname(importer), id.replace(/\.js$/, '.ts')) : null),
        load: (id) => (id === 'entry' ? entry : id.endsWith('.ts')
          ? ts.transpileModule(readFileSync(id, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
          : null),
      }],
    });
    const { output } = await built.generate({ format: 'es' });
    const chunk = output[0];
    // Modules that contributed code after tree-shaking (rendered length > 0).
    const modules = Object.entries(chunk.modules).filter(([, m]) => m.renderedLength > 0).map(([id]) => id);
    return { imports: [...chunk.code.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]!), modules };
  }

  it('a bundle of mathmesh/udf without key derivation contains no curve code (sideEffects: false)', async () => {
    const without = await bundleImports(['contentDigest', 'parseUdf', 'splitSecret', 'recoverSecret', 'keyFingerprint', 'resolveEarl', 'saltedPin']);
    expect(without.some((i) => i.startsWith('@noble/hashes'))).toBe(true);
    expect(without.filter((i) => i.includes('curves'))).toEqual([]);
    const withKeys = await bundleImports(['contentDigest', 'deriveKeyPair']);
    expect(withKeys.filter((i) => i.includes('curves')).length).toBeGreaterThan(0);
  });

  it('layers: encoding imports nothing above it; udf nothing above crypto', () => {
    const files = (entry: string): string[] => [...reachable(resolve(repoRoot, entry), () => false)].filter((f) => f.startsWith('/'));
    expect(files('sdk/encoding/index.ts').filter((f) => !f.includes('/sdk/encoding/'))).toEqual([]);
    expect([...reachable(resolve(repoRoot, 'sdk/encoding/index.ts'), () => false)].filter((f) => !f.startsWith('/'))).toEqual([]);
    expect(files('sdk/udf/index.ts').filter((f) => !/\/sdk\/(encoding|crypto|udf)\//.test(f))).toEqual([]);
  });
});
