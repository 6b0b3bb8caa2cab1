import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseJson } from '../encoding/json-reader.js';
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

/**
 * `npm run conformance -- FILE...` (issue 4): one line per vector, then `N passed, M failed,
 * K skipped` (M = verified failures and unknown kinds). Returns the exit status: 0, or 1 when a verified vector failed or a kind is unknown,
 * or 2 when a file cannot be read or is not a vector file.
 */
export async function runConformance(files: readonly string[], io: ConformanceIo = consoleIo, registry: Registry = defaultRegistry()): Promise<number> {
  if (files.length === 0 || files.includes('--help') || files.includes('-h')) {
    io.err('usage: npm run conformance -- FILE.json...   (vector files in the format of ../shared/vectors)');
    return files.length === 0 ? 2 : 0;
  }
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
