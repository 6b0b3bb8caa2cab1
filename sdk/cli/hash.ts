import type { Command } from 'commander';
import { sha3_512, sha512 } from '../crypto/index.js';
import { hexEncode } from '../encoding/hex.js';
import { authenticatorFromCdv } from '../udf/authenticator.js';
import { contentDigestFromCdv } from '../udf/digest.js';
import { DEFAULT_PRECISION, parseUdf } from '../udf/presentation.js';
import type { DigestAlgorithm } from '../udf/types.js';
import { fileProblem, inputFile, STDIO } from './files.js';
import { CliExit, type CliIo } from './io.js';
import { contentTypeOf, parseAlgorithm, parseInteger } from './options.js';
import { printResult } from './output.js';

/** `mesh hash udf|digest|mac`: fingerprints of files (udf.md §3, §4), streamed in constant memory. */

async function digestFile(io: CliIo, path: string, algorithm: DigestAlgorithm): Promise<Uint8Array> {
  await inputFile(path); // missing, a directory, unreadable: one line naming the file
  const h = (algorithm === 'sha3' ? sha3_512 : sha512).create();
  try {
    for await (const chunk of path === STDIO ? io.stdin() : io.readChunks(path)) h.update(chunk);
  } catch (e) {
    throw fileProblem(path, e);
  }
  return h.digest();
}

function print(io: CliIo, json: boolean, value: Record<string, unknown>, text: string): void {
  printResult((t) => io.stdout(t), json, value, text);
}

interface UdfOptions { cty?: string; alg?: DigestAlgorithm; bits?: number; expect?: string; json?: boolean }

/** Adds `mesh hash …` to the program. */
export function addHashCommands(program: Command, io: CliIo): void {
  const hash = program.command('hash').description('fingerprints and digests of files');

  hash.command('udf')
    .description('the fingerprint (content-digest UDF) of a file; exit 1 when --expect does not match')
    .argument('<file>', 'file to fingerprint, or - for standard input')
    .option('--cty <type>', 'content type hashed with the data (default: from the file extension, e.g. .txt → text/plain)')
    .option('--alg <alg>', "digest algorithm: 'sha2' (SHA-2-512, default) or 'sha3' (SHA3-512)", parseAlgorithm)
    .option('--bits <n>', `precision in bits (default ${DEFAULT_PRECISION}; with --expect: that UDF's)`, parseInteger)
    .option('--expect <udf>', 'expected UDF: compare at its precision, exit 1 on mismatch')
    .option('--json', 'print JSON')
    .action(async (file: string, o: UdfOptions) => {
      const expected = o.expect === undefined ? undefined : parseUdf(o.expect);
      if (expected && expected.info.kind !== 'digest') throw new CliExit(2, `--expect: not a content-digest UDF (${expected.info.name})`);
      const algorithm = o.alg ?? expected?.info.algorithm ?? 'sha2';
      const contentType = o.cty ?? (file === STDIO ? 'application/octet-stream' : contentTypeOf(file));
      const bits = o.bits ?? expected?.bits ?? DEFAULT_PRECISION;
      const d = contentDigestFromCdv(await digestFile(io, file, algorithm), { contentType, algorithm, bits });
      const match = expected === undefined ? undefined : d.udf === expected.text;
      print(io, o.json === true, { file, udf: d.udf, contentType, algorithm, bits, compression: d.compression, ...(match === undefined ? {} : { match }) },
        d.udf + (match === false ? `\nMISMATCH: expected ${expected!.text}` : ''));
      if (match === false) throw new CliExit(1, '');
    });

  hash.command('digest')
    .description('SHA-2-512 (or SHA3-512) digest of a file, in hex')
    .argument('<file>', 'file to digest, or - for standard input')
    .option('--alg <alg>', "'sha2' (default) or 'sha3'", parseAlgorithm)
    .option('--json', 'print JSON')
    .action(async (file: string, o: { alg?: DigestAlgorithm; json?: boolean }) => {
      const algorithm = o.alg ?? 'sha2';
      const digest = hexEncode(await digestFile(io, file, algorithm));
      print(io, o.json === true, { file, algorithm, digest }, digest);
    });

  hash.command('mac')
    .description('the keyed fingerprint (authenticator UDF) of a file under a key, e.g. a nonce from `mesh key nonce`')
    .argument('<file>', 'file to authenticate, or - for standard input')
    .requiredOption('--key <udf>', 'the key, used exactly as written (typically a nonce UDF)')
    .option('--cty <type>', 'content type (default: from the file extension)')
    .option('--bits <n>', `precision in bits (default ${DEFAULT_PRECISION})`, parseInteger)
    .option('--json', 'print JSON')
    .action(async (file: string, o: { key: string; cty?: string; bits?: number; json?: boolean }) => {
      const contentType = o.cty ?? (file === STDIO ? 'application/octet-stream' : contentTypeOf(file));
      const d = authenticatorFromCdv(await digestFile(io, file, 'sha2'), o.key, { contentType, bits: o.bits ?? DEFAULT_PRECISION });
      print(io, o.json === true, { file, udf: d.udf, contentType }, d.udf);
    });
}
