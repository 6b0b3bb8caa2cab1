import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, cpSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Generated sources are committed (the build only compiles them); each generator has a `--check`
// mode that writes nothing and exits 1 when the committed file differs from what it would write.
// Running them here means a hand edit of a generated file, or a generator change whose output
// was not regenerated, fails `npm test`.

const root = resolve(import.meta.dirname, '..');

/** Generator → the files it writes (relative to the repository root). */
const GENERATORS: Record<string, string[]> = {
  'core-wasm/hash/gen/rounds.mjs': ['core-wasm/hash/sha512.ts', 'core-wasm/hash/sha256.ts', 'core-wasm/hash/keccak.ts'],
  'core-wasm/curve448/gen/field-mul.mjs': ['core-wasm/curve448/fmul.ts'],
  'core-wasm/aes/gen-tables.mjs': ['core-wasm/aes/tables.ts'],
  'scripts/gen-mesh-types.mjs': ['sdk/mesh/schema/types.ts'],
};

/** Inputs a generator reads besides its own directory (copied into the scratch tree too). */
const INPUTS: Record<string, string[]> = {
  'scripts/gen-mesh-types.mjs': ['sdk/mesh/schema/classes.ts'],
};

const check = (script: string, cwdRoot = root) =>
  spawnSync(process.execPath, [resolve(cwdRoot, script), '--check'], { encoding: 'utf8' });

describe('generated sources match their generators', () => {
  it.each(Object.keys(GENERATORS))('%s --check', (script) => {
    const r = check(script);
    expect(r.status, r.stderr).toBe(0);
  });

  it.each(Object.entries(GENERATORS))('%s --check fails on a drifted copy', (script, outputs) => {
    // A copy of the generator and its outputs in a scratch tree, one output edited by hand.
    const scratch = mkdtempSync(resolve(tmpdir(), 'mesh-gen-'));
    cpSync(resolve(root, dirname(script)), resolve(scratch, dirname(script)), { recursive: true });
    symlinkSync(resolve(root, 'node_modules'), resolve(scratch, 'node_modules'), 'dir'); // generators may import the toolchain
    for (const f of [...outputs, ...(INPUTS[script] ?? [])]) {
      mkdirSync(dirname(resolve(scratch, f)), { recursive: true });
      copyFileSync(resolve(root, f), resolve(scratch, f));
    }
    expect(check(script, scratch).status).toBe(0);
    // A hand edit inside what the generator owns: after a `<generated:…>` marker, or mid-file.
    const victim = resolve(scratch, outputs[0]!);
    const text = readFileSync(victim, 'utf8');
    const marker = text.indexOf('// <generated:');
    const at = text.indexOf('\n', marker >= 0 ? marker : text.length >> 1) + 1;
    writeFileSync(victim, text.slice(0, at) + '    // hand edit\n' + text.slice(at));
    const r = check(script, scratch);
    expect(r.status).toBe(1);
  });
});
