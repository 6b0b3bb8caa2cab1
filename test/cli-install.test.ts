import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../sdk/cli/main.js';
import { nodeIo } from '../sdk/cli/io.js';
import { MESH_VERSION } from '../sdk/cli/version.js';

// The `mesh` command as a user meets it right after installing: the version it reports, and what
// bin/mesh.js does on a fresh clone where the build has not run yet (no dist/).

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string; bin: { mesh: string } };

function node(script: string, ...args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
}

describe('mesh as installed', () => {
  it('reports the package version', async () => {
    expect(MESH_VERSION).toBe(pkg.version);
    let out = '';
    const status = await main(['--version'], { ...nodeIo, stdout: (t) => void (out += t), stderr: () => {} });
    expect({ status, out }).toEqual({ status: 0, out: `${pkg.version}\n` });
  });

  it('bin/mesh.js without a build prints one line naming the build command, no stack trace', () => {
    // A copy of the bin script in a tree that has no dist/, as a fresh clone does.
    const clone = mkdtempSync(resolve(tmpdir(), 'mesh-bin-'));
    mkdirSync(resolve(clone, 'bin'));
    copyFileSync(resolve(root, pkg.bin.mesh), resolve(clone, pkg.bin.mesh));
    const r = node(resolve(clone, pkg.bin.mesh), '--help');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('npm run build');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!existsSync(resolve(root, 'dist/esm/cli.js')))('bin/mesh.js runs the built CLI', () => {
    const r = node(resolve(root, pkg.bin.mesh), '--version');
    expect({ status: r.status, out: r.stdout, err: r.stderr }).toEqual({ status: 0, out: `${pkg.version}\n`, err: '' });
  });
});
