/**
 * The vector files the portable suites read, as paths under `../shared/vectors`. Each runtime
 * loads them its own way (Node and Deno/Bun from the filesystem, browsers over the local test
 * server) and passes them in `Env.vectors`, parsed.
 */
export const VECTOR_FILES = [
  'udf.json',
  'keys.json',
  'jsonb.json',
  'dare.json',
  'wycheproof/hmac_sha512_test.json',
  'wycheproof/hmac_sha3_512_test.json',
  'wycheproof/hkdf_sha512_test.json',
  'wycheproof/aes_cbc_pkcs5_test.json',
  'wycheproof/aes_wrap_test.json',
  'wycheproof/ed448_test.json',
  'wycheproof/x448_test.json',
] as const;

export type VectorFile = (typeof VECTOR_FILES)[number];

/** Reads and parses every vector file with the runtime's `read` (text of a path under vectors/). */
export async function loadVectors(read: (file: string) => Promise<string>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(VECTOR_FILES.map(async (f) => [f, JSON.parse(await read(f)) as unknown] as const));
  return Object.fromEntries(entries);
}

/** One vector file from the environment; throws if the runtime did not load it. */
export function vectorFile<T>(vectors: Record<string, unknown>, file: VectorFile): T {
  const v = vectors[file];
  if (v === undefined) throw new Error(`vector file ${file} was not loaded`);
  return v as T;
}
