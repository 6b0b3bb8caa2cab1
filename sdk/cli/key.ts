import type { Command } from 'commander';
import { hexEncode } from '../encoding/hex.js';
import { nonce, randomValue } from '../udf/fixed.js';
import { parseSecret, presentSecret } from '../udf/presentation.js';
import { recoverSecret, splitSecret } from '../udf/shamir.js';
import { newEarl } from '../udf/uri.js';
import type { CliIo } from './io.js';
import { parseInteger } from './options.js';
import { printResult } from './output.js';

/** `mesh key nonce|secret|earl|share|recover`: fresh UDFs and Shamir shares (udf.md §6, §7, §9). */

function print(io: CliIo, json: boolean, value: Record<string, unknown>, text: string): void {
  printResult((t) => io.stdout(t), json, value, text);
}

/** Adds `mesh key …` to the program. */
export function addKeyCommands(program: Command, io: CliIo): void {
  const key = program.command('key').description('key files, nonces, secrets, EARLs and Shamir shares');

  key.command('nonce')
    .description('a random nonce UDF (N…)')
    .option('--bits <n>', 'random bits, a multiple of 8 (default 128)', parseInteger)
    .option('--json', 'print JSON')
    .action((o: { bits?: number; json?: boolean }) => {
      const udf = nonce({ random: io.random, ...(o.bits === undefined ? {} : { bits: o.bits }) });
      print(io, o.json === true, { udf }, udf);
    });

  key.command('secret')
    .description('a random secret in Base32, as Mesh tools print shared secrets')
    .option('--bits <n>', 'random bits, a multiple of 8 (default 128)', parseInteger)
    .option('--json', 'print JSON')
    .action((o: { bits?: number; json?: boolean }) => {
      const secret = randomValue({ random: io.random, ...(o.bits === undefined ? {} : { bits: o.bits }) }, 128);
      print(io, o.json === true, { secret: presentSecret(secret), bits: secret.length * 8 }, presentSecret(secret));
    });

  key.command('earl')
    .description('a fresh encryption key as an EARL (an encrypted-resource link), with its identifier and resolution URL')
    .option('--bits <n>', 'key bits, a multiple of 8 (default 128)', parseInteger)
    .option('--domain <name>', 'DNS name of the resolution service', 'example.com')
    .option('--json', 'print JSON')
    .action((o: { bits?: number; domain: string; json?: boolean }) => {
      const e = newEarl(o.domain, { random: io.random, ...(o.bits === undefined ? {} : { bits: o.bits }) });
      print(io, o.json === true, { earl: e.earl, key: e.key, identifier: e.identifier, url: e.url },
        `${e.earl}\nkey:        ${e.key}\nidentifier: ${e.identifier}\nurl:        ${e.url}`);
    });

  key.command('share')
    .description('split a secret (as printed by `mesh key secret`) into shares, any quorum of which recovers it')
    .argument('<secret>', 'the secret, plain Base32 (e.g. RCZE-QEJR-…)')
    .requiredOption('--shares <n>', 'number of shares (1..15)', parseInteger)
    .requiredOption('--quorum <k>', 'shares needed to recover (1..n)', parseInteger)
    .option('--json', 'print JSON')
    .action((secretText: string, o: { shares: number; quorum: number; json?: boolean }) => {
      const shares = splitSecret(parseSecret(secretText), { shares: o.shares, threshold: o.quorum, random: io.random });
      print(io, o.json === true, { quorum: o.quorum, shares: shares.map((s) => s.udf) }, shares.map((s) => s.udf).join('\n'));
    });

  key.command('recover')
    .description('recover a secret from its shares (S…), as made by `mesh key share`')
    .argument('<share...>', 'at least quorum shares')
    .option('--json', 'print JSON')
    .action((shares: string[], o: { json?: boolean }) => {
      const secret = recoverSecret(shares);
      print(io, o.json === true, { secret: presentSecret(secret), hex: hexEncode(secret) }, presentSecret(secret));
    });
}
