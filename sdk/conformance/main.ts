import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseJson } from '../encoding/json-reader.js';
import { CONFORMANCE_PROVIDERS, isConformanceProvider, useProvider, type ConformanceProvider } from './provider.js';
import { defaultRegistry, type Registry } from './registry.js';
import { formatResult, isFatal, runVectorFile, summaryLines, toVectorFile } from './runner.js';
import type { VectorResult } from './types.js';

/** Where the runner writes (injectable for tests). */
export interface ConformanceIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: ConformanceIo = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

const USAGE = `usage: npm run conformance -- [--provider ${CONFORMANCE_PROVIDERS.join('|')}] FILE.json...   (vector files in the format of ../shared/vectors)`;

/**
 * `npm run conformance -- [--provider NAME] FILE...`: one line per vector, then `N passed, M failed,
 * K skipped` (M = verified failures and unknown kinds). `--provider` picks the crypto the vectors
 * run on (provider.ts; default: the routing after `init()`). Returns the exit status: 0, or 1 when
 * a verified vector failed or a kind is unknown, or 2 for a usage error, a provider that is not
 * available, or a file that cannot be read or is not a vector file.
 */
export async function runConformance(args: readonly string[], io: ConformanceIo = consoleIo, registry: Registry = defaultRegistry()): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.err(USAGE);
    return 0;
  }
  const files: string[] = [];
  let provider: ConformanceProvider = 'default';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--provider' || a.startsWith('--provider=')) {
      const name = a === '--provider' ? args[++i] : a.slice('--provider='.length);
      if (name === undefined || !isConformanceProvider(name)) {
        io.err(`conformance: --provider must be one of ${CONFORMANCE_PROVIDERS.join(', ')}`);
        return 2;
      }
      provider = name;
    } else {
      files.push(a);
    }
  }
  if (files.length === 0) {
    io.err(USAGE);
    return 2;
  }
  try {
    await useProvider(provider);
  } catch (e) {
    io.err(`conformance: provider '${provider}' is not available: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  io.out(`# provider ${provider}`);
  const all: VectorResult[] = [];
  let status = 0;
  for (const path of files) {
    let json: unknown;
    try {
      // Our tolerant reader: big integers stay exact (bigint) instead of being rounded by JSON.parse.
      json = parseJson(await readFile(path));
    } catch (e) {
      io.err(`ERROR ${path}: ${e instanceof Error ? e.message : String(e)}`);
      status = 2;
      continue;
    }
    let results: VectorResult[];
    try {
      results = await runVectorFile(toVectorFile(basename(path), json), registry);
    } catch (e) {
      io.err(`ERROR ${path}: ${e instanceof Error ? e.message : String(e)}`);
      status = 2;
      continue;
    }
    io.out(`# ${basename(path)}`);
    for (const r of results) io.out(formatResult(r));
    all.push(...results);
  }
  if (status === 0 && all.some(isFatal)) status = 1;
  for (const line of summaryLines(all)) io.out(line);
  return status;
}
