import { writeFile } from 'node:fs/promises';
import { base64urlEncode } from '../encoding/base64url.js';
import { MeshServiceError } from '../service/mesh/errors.js';
import { defaultRandom, type RandomSource } from '../udf/random.js';

/**
 * The service secret of a service whose store several hosts share (PostgreSQL; protocol.md §5,
 * mesh-model.md §4 "Service seed"). The service profile and the host keys live in the store,
 * sealed under the secret (sdk/service/mesh/identity.ts), so every host that holds the same
 * secret is the same service (same ProfileService UDF, same AccessEncrypt key), and a copy of
 * the database alone — a dump, a replica, a backup — holds no private key.
 *
 * On a shared store no host invents a secret: the operator makes one once
 * (`mesh service secret --to FILE`, 32 random bytes, base64url, 0600) and gives it to every
 * host, as that file (`--secret-file FILE`, or `DATA/service.secret`) or as
 * `MESH_SERVICE_SECRET`. A host started with another secret refuses to serve
 * (`SERVICE_BAD_SECRET`) instead of making a second identity. (The embedded store has one host,
 * which makes its secret file on first start.)
 */

/** Bytes of a new service secret. */
export const SERVICE_SECRET_BYTES = 32;

/** The message of a host on a shared store that finds no secret (says how to make one). */
export function missingSharedSecret(file: string): string {
  return `no service secret: ${file} does not exist and MESH_SERVICE_SECRET is not set. Hosts sharing one store share one secret: `
    + 'make it once with `mesh service secret --to FILE` and give every host that file (--secret-file FILE) or its content (MESH_SERVICE_SECRET)';
}

/**
 * Writes a new service secret to `file` (0600, never replacing an existing file:
 * `SERVICE_BAD_CONFIG`). The secret is not printed anywhere.
 */
export async function writeServiceSecret(file: string, random: RandomSource = defaultRandom): Promise<void> {
  const bytes = random(SERVICE_SECRET_BYTES);
  try {
    await writeFile(file, base64urlEncode(bytes) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MeshServiceError('SERVICE_BAD_CONFIG', code === 'EEXIST' ? `${file} exists already: a secret is never replaced (it seals the service's keys)` : `cannot write ${file}: ${code ?? 'error'}`);
  } finally {
    bytes.fill(0);
  }
}
