import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the shared vectors beside it (DEVELOPERS.md: `../shared/vectors`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const vectorsDir = resolve(repoRoot, '..', 'shared', 'vectors');
export const wycheproofDir = resolve(vectorsDir, 'wycheproof');
