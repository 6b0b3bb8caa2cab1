import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// `npm ci` refuses a lockfile that lacks a platform variant of an optional dependency (rollup's
// @rollup/rollup-<platform>, deno's @deno/<platform>, bun's @oven/bun-<platform>): npm run on one
// machine with node_modules present records only that machine's variants. This test reads what
// each locked package declares as optional and checks every one is recorded, so a lockfile
// regenerated the wrong way fails here before it fails a fresh clone's `npm ci`.

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}
interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** Where npm's node_modules lookup finds `name` from the package at `from` (nearest first). */
function resolve(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const key = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (key in packages) return key;
    if (dir === '') return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

const EXACT = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/;

/** Every optional dependency a locked package declares but the lockfile does not record. */
function missingOptionals(lock: Lockfile): string[] {
  const problems: string[] = [];
  for (const [at, entry] of Object.entries(lock.packages)) {
    for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
      const found = resolve(lock.packages, at, name);
      const owner = at === '' ? '(root)' : at;
      if (found === undefined) {
        problems.push(`${owner} declares optional ${name}@${range}: not in the lockfile`);
      } else if (EXACT.test(range) && lock.packages[found]!.version !== range) {
        problems.push(`${owner} declares optional ${name}@${range}: lockfile has ${lock.packages[found]!.version} at ${found}`);
      }
    }
  }
  return problems;
}

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as Lockfile;

describe('package-lock.json', () => {
  it('is a v3 lockfile (npm ci reads packages, not dependencies)', () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it('records every platform variant of every optional dependency', () => {
    expect(missingOptionals(lock)).toEqual([]);
  });

  it('covers the platform packages of rollup, deno and bun', () => {
    // The packages the runtime tests and the build need a binary from; if one stops declaring
    // optionals, the check above would pass vacuously for it.
    for (const pkg of ['node_modules/rollup', 'node_modules/deno', 'node_modules/bun']) {
      expect(Object.keys(lock.packages[pkg]?.optionalDependencies ?? {}).length, pkg).toBeGreaterThan(3);
    }
  });

  it('the check flags a lockfile with one platform variant dropped', () => {
    const rollup = lock.packages['node_modules/rollup']!;
    // The variant of this machine is recorded even in a lockfile regenerated the wrong way.
    const victim = Object.keys(rollup.optionalDependencies!).find((n) => `node_modules/${n}` in lock.packages)!;
    const packages = { ...lock.packages };
    delete packages[`node_modules/${victim}`];
    const problems = missingOptionals({ ...lock, packages });
    expect(problems.length).toBe(missingOptionals(lock).length + 1);
    expect(problems.filter((p) => p.includes(victim))).toHaveLength(1);
  });

  it('the check flags a recorded variant at a version other than the one declared', () => {
    const deno = lock.packages['node_modules/deno']!;
    const victim = Object.keys(deno.optionalDependencies!).find((n) => `node_modules/${n}` in lock.packages)!;
    const key = `node_modules/${victim}`;
    const packages = { ...lock.packages, [key]: { ...lock.packages[key], version: '0.0.1' } };
    expect(missingOptionals({ ...lock, packages }).join('\n')).toContain(victim);
  });
});
