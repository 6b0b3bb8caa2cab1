import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  DareError, decodeEnvelope, encodeEnvelope, parseEnvelope, publicPart, serializeEnvelope, verifyEnvelope,
  type DarePrivateKey, type DarePublicKey, type VerifyResult,
} from '../dare/index.js';
import { verifySequenceFile } from '../dare/sequence/cli.js';
import { CliExit, type CliIo } from './io.js';
import {
  createKeyFile, findKeyByKid, loadKeyFile, privateKeyOf, publicKeyFile, saveKeyFile, type KeyFile,
} from './keyfile.js';

/**
 * `mesh dare encode|decode|verify` (DARE envelopes, dare.md §2–§7) and `mesh key create` (the key
 * file of keyfile.ts). The `dare` group is shared with the sequence commands: {@link dareCommand}
 * returns the one group, creating it on first use.
 */

/** The `dare` command group of `program` (created once; the sequence commands add theirs to it). */
export function dareCommand(program: Command, _io: CliIo): Command {
  return program.commands.find((c) => c.name() === 'dare')
    ?? program.command('dare').description('DARE envelopes and sequences (encrypt, sign, verify)');
}

/** The signature of the sequence verifier the `verify` command hands sequence files to. */
export type SequenceVerifier = (path: string, io: CliIo, options: { signers: DarePublicKey[]; keys: DarePrivateKey[]; json: boolean }) => Promise<number>;

/** True when the file starts like a sequence (a JBCD record/frame tag F0–F7, dare.md §8) rather than an envelope. */
export function looksLikeSequence(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0]! >= 0xf0 && bytes[0]! <= 0xf7;
}

async function read(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch {
    throw new CliExit(2, `cannot read ${path}`);
  }
}

/** Runs a command body; typed DARE errors end the command with `mesh: CODE: message`, status 2. */
async function guarded(body: () => Promise<number | void>): Promise<void> {
  let status: number | void;
  try {
    status = await body();
  } catch (e) {
    if (e instanceof DareError) throw new CliExit(2, `${e.code}: ${e.message}`);
    throw e;
  }
  if (typeof status === 'number' && status !== 0) throw new CliExit(status, '');
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

async function recipientKey(spec: string, keyring: string): Promise<DarePublicKey> {
  if (/^[A-Za-z2-7]{4}(-[A-Za-z2-7]{1,4})+$/.test(spec)) {
    const found = await findKeyByKid(keyring, spec);
    if (found === undefined) throw new CliExit(2, `no key file in ${keyring} holds a key with fingerprint ${spec}`);
    return found;
  }
  const k = await loadKeyFile(spec);
  if (k.encrypt === undefined) throw new DareError('DARE_BAD_KEY', `key file ${spec}: no encryption key`);
  return publicPart(k.encrypt);
}

async function signerKeys(paths: string[]): Promise<DarePublicKey[]> {
  const out: DarePublicKey[] = [];
  for (const p of paths) {
    const k = await loadKeyFile(p);
    if (k.sign) out.push(publicPart(k.sign));
  }
  return out;
}

function report(r: VerifyResult): { text: string; ok: boolean } {
  const lines = [
    `cipher:     ${r.enc ?? 'none'}`,
    `digest:     ${r.dig ?? 'none'}${r.digestStatus === 'absent' ? '' : ` (${r.digestStatus})`}`,
    `recipients: ${r.recipients.length ? r.recipients.join(', ') : 'none'}`,
  ];
  if (r.signatures.length === 0) lines.push('signatures: none');
  for (const s of r.signatures) {
    const status = s.status === 'unknown-key' ? 'not checked (no key for this signer)' : s.status;
    lines.push(`signer:     ${s.kid ?? '(no kid)'} ${status}${s.witness && s.witness !== 'unchecked' ? `, witness ${s.witness}` : ''}`);
  }
  const ok = r.digestStatus !== 'invalid' && r.signatures.every((s) => s.status !== 'invalid');
  return { text: lines.join('\n') + '\n', ok };
}

/** Adds `mesh dare encode|decode|verify` and `mesh key create`. */
export function addDareCommands(program: Command, io: CliIo): void {
  const dare = dareCommand(program, io);

  dare.command('encode')
    .description('wrap a file in a DARE envelope: encrypt to recipients, sign, annotate')
    .argument('<in>', 'input file (the payload)')
    .argument('<out>', 'output envelope file')
    .option('--encrypt <keyfile|fingerprint>', 'encrypt to this key (repeatable): a key file, or a fingerprint found in --keyring', collect, [])
    .option('--sign <keyfile>', 'sign with the signature key of this key file (repeatable)', collect, [])
    .option('--cty <type>', 'content type, recorded in ContentMetaData')
    .option('--annotation <text>', 'an annotation (EDS), encrypted with the payload (repeatable)', collect, [])
    .option('--format <form>', 'json | tagged | jsonb', 'json')
    .option('--keyring <dir>', 'directory searched for fingerprints given to --encrypt', '.')
    .action((input: string, output: string, o: { encrypt: string[]; sign: string[]; cty?: string; annotation: string[]; format: string; keyring: string }) =>
      guarded(async () => {
        if (!['json', 'tagged', 'jsonb'].includes(o.format)) throw new CliExit(2, `unknown --format ${o.format} (json, tagged, jsonb)`);
        const recipients = [];
        for (const spec of o.encrypt) recipients.push(await recipientKey(spec, o.keyring));
        const signers: DarePrivateKey[] = [];
        for (const p of o.sign) signers.push(privateKeyOf(await loadKeyFile(p), 'sign', p));
        const env = encodeEnvelope(await read(input), {
          recipients, signers, annotations: o.annotation, random: io.random, ...(o.cty ? { contentType: o.cty } : {}),
        });
        await writeFile(output, serializeEnvelope(env, o.format as 'json' | 'tagged' | 'jsonb'));
      }));

  dare.command('decode')
    .description('open a DARE envelope: decrypt with a key file, check digest, signatures and witness')
    .argument('<in>', 'envelope file (JSON, tagged JSON or JSON-B)')
    .argument('<out>', 'output file (the payload)')
    .option('--key <keyfile>', 'key file whose encryption key opens the envelope')
    .option('--signer <keyfile>', 'key file of an expected signer (repeatable)', collect, [])
    .option('--require-signature', 'fail unless a signature by a --signer key verifies')
    .action((input: string, output: string, o: { key?: string; signer: string[]; requireSignature?: boolean }) =>
      guarded(async () => {
        const keys = o.key ? [privateKeyOf(await loadKeyFile(o.key), 'encrypt', o.key)] : [];
        const d = decodeEnvelope(await read(input), { keys, signers: await signerKeys(o.signer), requireSignature: o.requireSignature === true });
        await writeFile(output, d.payload);
        for (const s of d.signatures) io.stderr(`signature ${s.kid ?? '(no kid)'}: ${s.status}\n`);
      }));

  dare.command('verify')
    .description('check a DARE envelope (or hand a sequence file to the sequence verifier): cipher, digest, recipients, signers')
    .argument('<in>', 'envelope or sequence file')
    .option('--signer <keyfile>', 'key file of a signer to check (repeatable)', collect, [])
    .option('--key <keyfile>', 'also decrypt, which checks the payload and the witness')
    .option('--json', 'print JSON')
    .action((input: string, o: { signer: string[]; key?: string; json?: boolean }) =>
      guarded(async () => {
        const bytes = await read(input);
        const signers = await signerKeys(o.signer);
        const keys = o.key ? [privateKeyOf(await loadKeyFile(o.key), 'encrypt', o.key)] : [];
        if (looksLikeSequence(bytes)) {
          const verifier: SequenceVerifier = verifySequenceFile;
          return verifier(input, io, { signers, keys, json: o.json === true });
        }
        const env = parseEnvelope(bytes);
        const r = keys.length ? decodeEnvelope(env, { keys, signers }) : verifyEnvelope(env, { signers });
        const { text, ok } = report(r);
        if (o.json) {
          io.stdout(JSON.stringify({
            cipher: r.enc ?? null, digest: r.dig ?? null, digestStatus: r.digestStatus, recipients: r.recipients,
            signatures: r.signatures.map((s) => ({ kid: s.kid ?? null, status: s.status, witness: s.witness ?? null })), ok,
          }) + '\n');
        } else {
          io.stdout(text);
        }
        return ok ? 0 : 1;
      }));

  const key = program.commands.find((c) => c.name() === 'key') ?? program.command('key').description('keys');
  key.command('create')
    .description('a new key file: seed UDF, X448 encryption key and Ed448 signature key (see keyfile.ts)')
    .requiredOption('--out <keyfile>', 'private key file to write (mode 0600, never overwritten)')
    .option('--public <file>', 'also write the public key file to hand to others')
    .option('--json', 'print JSON')
    .action((o: { out: string; public?: string; json?: boolean }) =>
      guarded(async () => {
        const k: KeyFile = createKeyFile(io.random);
        try {
          await saveKeyFile(o.out, k);
          if (o.public) await saveKeyFile(o.public, publicKeyFile(k), { public: true });
        } catch (e) {
          if (e instanceof Error && 'code' in e && e.code === 'EEXIST') throw new CliExit(2, 'refusing to overwrite an existing file');
          throw e;
        }
        const summary = { encrypt: k.encrypt!.kid, sign: k.sign!.kid };
        io.stdout(o.json ? JSON.stringify(summary) + '\n' : `encrypt: ${summary.encrypt}\nsign:    ${summary.sign}\n`);
      }));
}
