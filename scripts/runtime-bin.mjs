// Finds the Deno and Bun binaries installed from npm (devDependencies `deno`, `bun`) without
// their postinstall scripts: `npm ci --ignore-scripts` still installs the platform packages
// (@deno/<platform>, @oven/bun-<platform>, optionalDependencies) that hold the real binaries,
// while the `deno`/`bun` wrappers' install scripts (which would copy or fetch them) never run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const { platform, arch } = process;

function glibc() {
  const report = process.report?.getReport?.();
  return Boolean(report?.header?.glibcVersionRuntime);
}

function fromPackage(pkg, rel) {
  try {
    const file = join(dirname(require.resolve(`${pkg}/package.json`)), rel);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

function verified(name, candidates, hint) {
  for (const file of candidates) {
    if (!file) continue;
    try {
      const version = execFileSync(file, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
      return { file, version };
    } catch {
      // not runnable here (wrong libc, missing CPU feature): try the next candidate
    }
  }
  throw new Error(`${name}: no runnable binary in node_modules for ${platform}-${arch}. ${hint}`);
}

/** The Deno binary: @deno/<os>-<arch>[-glibc]/deno. */
export function denoBinary() {
  const exe = platform === 'win32' ? 'deno.exe' : 'deno';
  const os = platform === 'win32' ? 'win32' : platform;
  const key = `${os}-${arch}${platform === 'linux' ? '-glibc' : ''}`;
  return verified('deno', [fromPackage(`@deno/${key}`, exe), fromPackage('deno', exe)],
    `Expected the optional dependency @deno/${key} (installed by npm ci from package-lock.json).`);
}

/** The Bun binary: @oven/bun-<os>-<arch>[-musl|-baseline]/bin/bun. */
export function bunBinary() {
  const exe = platform === 'win32' ? 'bun.exe' : 'bun';
  const os = platform === 'win32' ? 'windows' : platform;
  const a = arch === 'arm64' ? 'aarch64' : arch;
  const libc = platform === 'linux' && !glibc() ? '-musl' : '';
  const keys = [`bun-${os}-${a}${libc}`, `bun-${os}-${a}${libc}-baseline`];
  return verified('bun', [...keys.map((k) => fromPackage(`@oven/${k}`, join('bin', exe))), fromPackage('bun', join('bin', exe))],
    `Expected the optional dependency @oven/${keys[0]} (installed by npm ci from package-lock.json).`);
}
