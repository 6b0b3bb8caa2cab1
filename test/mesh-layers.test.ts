import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/paths.js';

/**
 * Layer order of the SDK around the Mesh object model (design.md): encoding < crypto < udf < dare
 * < mesh < client/service < cli. `sdk/mesh` imports only layers below it (never a transport,
 * service, CLI or adapter), and nothing below it imports `sdk/mesh`.
 */

const LAYERS = ['encoding', 'crypto', 'udf', 'dare', 'mesh'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importedLayers(file: string): string[] {
  const sdk = resolve(repoRoot, 'sdk');
  const out: string[] = [];
  const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
    const spec = m[1]!;
    if (!spec.startsWith('.')) {
      out.push(`package:${spec}`);
      continue;
    }
    const target = relative(sdk, resolve(file, '..', spec));
    out.push(target.split(sep)[0]!);
  }
  return out;
}

describe('layers', () => {
  it('sdk/mesh imports only encoding, crypto, udf, dare, itself and @noble', () => {
    for (const f of files(resolve(repoRoot, 'sdk', 'mesh'))) {
      for (const layer of importedLayers(f)) {
        expect(LAYERS.includes(layer) || layer.startsWith('package:@noble/'), `${relative(repoRoot, f)} imports ${layer}`).toBe(true);
      }
    }
  });

  it('no lower layer imports sdk/mesh', () => {
    for (const lower of LAYERS.slice(0, -1)) {
      for (const f of files(resolve(repoRoot, 'sdk', lower))) {
        expect(importedLayers(f), relative(repoRoot, f)).not.toContain('mesh');
      }
    }
  });
});
