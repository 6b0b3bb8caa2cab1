import { unlink } from 'node:fs/promises';
import type { Command } from 'commander';
import { nodeHashOffload } from '../../adapters/node/hash-worker.js';
import {
  DareError, decodeEnvelopeStream, decodeEnvelopeTo, encodeEnvelopeStream, publicPart, verifyEnvelopeStream,
  type DareErrorCode, type DarePrivateKey, type DarePublicKey, type DecodedEnvelopeStream, type EnvelopeVerifyReport,
} from '../dare/index.js';
import type { HashOffload } from '../crypto/hash-offload.js';
import { escapeText, safeJson } from './escape.js';
import { startsLikeSequence } from './sequence-files.js';
import { verifySequenceFile, type SequenceVerifyOptions } from './sequence-verify.js';
import {
  AtomicFile, inputFile, outputTarget, readInput, reportTo, shown, STDIO, stdoutWritable, type InputFile,
} from './files.js';
import { CliExit, type CliIo } from './io.js';
import {
  createKeyFile, findKeyByKid, keyFileText, loadKeyFile, privateKeyOf, publicKeyFile, type KeyFile,
} from './keyfile.js';
import { printResult, warn } from './output.js';

/**
 * `mesh dare encode|decode|verify` (DARE envelopes) and `mesh key create` (key files). Files of
 * any size stream through in constant memory (`mathmesh/dare` streaming envelopes, the payload
 * digest on a worker thread). Verdicts mean authenticity: with `--signer`, exit 0 only when every
 * named signer signed (bound to the key exchange when encrypted); without, the output says "no
 * signer checked". Text from an envelope is printed through `escapeText` (escape.ts). The `dare`
 * group is shared with the sequence commands: {@link dareCommand} returns the one group.
 */

/** The `dare` command group of `program` (created once; the sequence commands add theirs to it). */
export function dareCommand(program: Command, _io: CliIo): Command {
  return program.commands.find((c) => c.name() === 'dare')
    ?? program.command('dare').description('encrypt, sign and check files (DARE envelopes) and append-only logs (DARE sequences)');
}

/** The signature of the sequence verifier the `verify` command hands sequence files to. */
export type SequenceVerifier = (path: string, io: CliIo, options: SequenceVerifyOptions) => Promise<number>;

/** Runs a command body; a typed DARE error ends the command with `mesh: CODE: message` (escaped), status 2. */
async function guarded(body: () => Promise<number | void>): Promise<void> {
  let status: number | void;
  try {
    status = await body();
  } catch (e) {
    if (e instanceof DareError) throw new CliExit(2, `${e.code}: ${escapeText(e.message)}`);
    throw e;
  }
  if (typeof status === 'number' && status !== 0) throw new CliExit(status, '');
}

/** A typed error about an envelope read from `input`, as one line naming the file. */
function aboutInput(input: string, e: unknown): unknown {
  return e instanceof DareError ? new CliExit(2, `${shown(input)}: ${e.code}: ${escapeText(e.message)}`) : e;
}

/** A repeatable option (no default shown in --help: an absent option is an empty list). */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

async function recipientKey(spec: string, keyring: string): Promise<DarePublicKey> {
  if (/^[A-Za-z2-7]{4}(-[A-Za-z2-7]{1,4})+$/.test(spec)) {
    const found = await findKeyByKid(keyring, spec);
    if (found === undefined) throw new CliExit(2, `no key file in ${shown(keyring)} holds a key with fingerprint ${spec}`);
    return found;
  }
  const k = await loadKeyFile(spec);
  if (k.encrypt === undefined) throw new DareError('DARE_BAD_KEY', `key file ${spec}: no encryption key`);
  return publicPart(k.encrypt);
}

/** The signature keys of the `--signer` key files; a file without one is an error, never silently no signer. */
async function signerKeys(paths: string[]): Promise<DarePublicKey[]> {
  const out: DarePublicKey[] = [];
  for (const p of paths) {
    const k = await loadKeyFile(p);
    if (k.sign === undefined) throw new CliExit(2, `--signer ${shown(p)}: the key file holds no signature key`);
    out.push(publicPart(k.sign));
  }
  return out;
}

/** Codes that mean "this envelope is not what it should be" (exit 1), as opposed to unusable input (exit 2). */
const VERIFICATION_FAILURES: ReadonlySet<DareErrorCode> = new Set<DareErrorCode>([
  'DARE_BAD_DIGEST', 'DARE_BAD_SIGNATURE', 'DARE_UNKNOWN_SIGNER', 'DARE_NOT_SIGNED', 'DARE_DECRYPT_FAILED', 'DARE_UNAUTHENTICATED', 'DARE_NO_KEY',
]);

const kidText = (kid: string | undefined): string => (kid === undefined ? '(no kid)' : escapeText(kid));

/** One line saying what the verdict means: who wrote it, or plainly that nobody was checked. */
function verdictLine(r: EnvelopeVerifyReport): string {
  switch (r.verdict) {
    case 'authentic':
      return `authentic: signed by ${r.signedBy.map((k) => escapeText(k.kid)).join(', ')}${r.headerSigned ? ' (payload and header)' : ' (payload only; header not signed)'}`;
    case 'unbound-signatures':
      return `signatures by ${r.signedBy.map((k) => escapeText(k.kid)).join(', ')} are bound to no key exchange (reference form, accepted by --allow-unauthenticated): `
        + 'they vouch for the ciphertext, not for this plaintext';
    default:
      return `no signer checked: ${r.integrity === 'mac' ? 'intact (MAC under the key exchange), but ' : r.integrity === 'digest' ? 'digest matches (no key: anyone can recompute it), but ' : ''}`
        + 'the author is not authenticated (pass --signer KEYFILE)';
  }
}

function report(r: EnvelopeVerifyReport): { text: string; ok: boolean } {
  const lines = [
    `cipher:     ${escapeText(r.enc ?? 'none')}`,
    `digest:     ${escapeText(r.dig ?? 'none')}${r.digestStatus === 'absent' ? '' : ` (${r.digestStatus})`}`,
    `mac:        ${r.mac === 'absent' ? (r.encrypted ? 'none (no keyed integrity)' : 'none') : r.mac === 'valid' ? 'valid' : 'present, not checked (needs --key)'}`,
    `recipients: ${r.recipients.length ? r.recipients.map(kidText).join(', ') : 'none'}`,
  ];
  if (r.signatures.length === 0) lines.push('signatures: none');
  for (const s of r.signatures) {
    const status = s.status === 'unknown-key' ? 'not checked (no key for this signer)' : s.status;
    const header = s.status === 'valid' ? (s.manifest === 'valid' ? ', header signed' : ', header not signed') : '';
    lines.push(`signer:     ${kidText(s.kid)} ${status}${header}${s.witness && s.witness !== 'unchecked' ? `, witness ${s.witness}` : ''}`);
  }
  lines.push(`verdict:    ${verdictLine(r)}`);
  const ok = r.digestStatus !== 'invalid' && r.signatures.every((s) => s.status !== 'invalid');
  return { text: lines.join('\n') + '\n', ok };
}

/** The verdict as JSON (verify, decode). */
function verdictJson(r: EnvelopeVerifyReport): Record<string, unknown> {
  return {
    verdict: r.verdict, authentic: r.authentic, signedBy: r.signedBy.map((k) => k.kid), headerSigned: r.headerSigned,
    integrity: r.integrity, cipher: r.enc ?? null, digest: r.dig ?? null, digestStatus: r.digestStatus, mac: r.mac,
    recipients: r.recipients,
    signatures: r.signatures.map((s) => ({ kid: s.kid ?? null, status: s.status, manifest: s.manifest, witness: s.witness ?? null })),
    ...(r.verdict === 'no-signer-checked' ? { note: 'no signer checked' } : {}),
  };
}

/**
 * The hash worker of a command: the payload digest on a second thread, so that hashing runs
 * beside AES (the worker is started only for inputs of unknown size or 8 MiB and more).
 */
function hashWorker(): HashOffload {
  return nodeHashOffload();
}

/** The bytes of an input for the stream functions, fs errors reported against the file. */
function sourceOf(input: InputFile, io: CliIo): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => readInput(input, io) };
}

const STDOUT_NOTE = 'With OUT "-" the payload goes to standard output as it is decrypted, and its last part (up to 1 MiB) only '
  + 'after every check passed: if mesh exits non-zero, what was written is incomplete and unauthenticated — discard it.';

/** Adds `mesh dare encode|decode|verify` and `mesh key create`. */
export function addDareCommands(program: Command, io: CliIo): void {
  const dare = dareCommand(program, io);

  dare.command('encode')
    .description('wrap a file in an envelope: encrypt it to recipients (with a MAC), sign it, annotate it')
    .argument('<in>', 'file to wrap, or - for standard input')
    .argument('<out>', 'envelope file to write, or - for standard output')
    .option('--encrypt <keyfile|fingerprint>', 'encrypt to this key (repeatable): a public key file, or a fingerprint found in --keyring', collect)
    .option('--sign <keyfile>', 'sign with the signature key of this private key file (repeatable)', collect)
    .option('--cty <type>', 'content type to record, e.g. text/plain')
    .option('--annotation <text>', 'a note stored with the envelope, encrypted when the file is (repeatable)', collect)
    .option('--format <form>', 'jsonb (binary, the default), json or tagged (text, a third larger: for small text files)', 'jsonb')
    .option('--keyring <dir>', 'directory searched for fingerprints given to --encrypt', '.')
    .option('--force', 'replace OUT if it exists')
    .option('--json', 'print a JSON summary')
    .addHelpText('after', '\nOUT is written under a temporary name and appears only when complete.\n'
      + 'Without --encrypt and --sign the envelope protects nothing, and mesh warns.')
    .action((input: string, output: string, o: {
      encrypt?: string[]; sign?: string[]; cty?: string; annotation?: string[]; format: string; keyring: string; force?: boolean; json?: boolean;
    }) =>
      guarded(async () => {
        o.encrypt ??= [];
        o.sign ??= [];
        o.annotation ??= [];
        const format = o.format;
        if (format !== 'json' && format !== 'tagged' && format !== 'jsonb') throw new CliExit(2, `--format: ${escapeText(format)} is not jsonb, json or tagged`);
        const source = await inputFile(input);
        const target = await outputTarget(output, o.force === true);
        const recipients = [];
        for (const spec of o.encrypt) recipients.push(await recipientKey(spec, o.keyring));
        const signers: DarePrivateKey[] = [];
        for (const p of o.sign) signers.push(privateKeyOf(await loadKeyFile(p), 'sign', p));
        if (recipients.length === 0 && signers.length === 0) {
          warn(io, `${shown(output)} will be neither encrypted nor signed: anyone can read it, and anyone can change it unnoticed (add --encrypt and/or --sign)`);
        }
        const worker = hashWorker();
        const file = target.path === STDIO ? undefined : await AtomicFile.create(target);
        try {
          let written = 0;
          const sink = file ? file.writable() : stdoutWritable(io);
          const counting = new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, c) {
              written += chunk.length;
              c.enqueue(chunk);
            },
          });
          const envelope = encodeEnvelopeStream(sourceOf(source, io), {
            recipients, signers, annotations: o.annotation, random: io.random, format, hashWorker: worker,
            ...(source.size !== undefined ? { sizeHint: source.size } : {}), ...(o.cty ? { contentType: o.cty } : {}),
          });
          await envelope.pipeThrough(counting).pipeTo(sink).catch((e: unknown) => {
            throw aboutInput(input, e);
          });
          if (o.json) {
            printResult(reportTo(io, output), true, {
              input, output, format, bytes: written, encrypted: recipients.length > 0, recipients: recipients.map((k) => k.kid),
              signers: signers.map((k) => k.kid),
            }, '');
          }
        } finally {
          await file?.abort(); // a no-op once committed
          worker.close();
        }
      }));

  dare.command('decode')
    .description('open an envelope: check the signers, the MAC and the witness, decrypt with a key file, write the payload')
    .argument('<in>', 'envelope file (binary or text form), or - for standard input')
    .argument('<out>', 'file to write the payload to, only once every check passed; or - for standard output')
    .option('--key <keyfile>', 'private key file whose encryption key opens the envelope')
    .option('--signer <keyfile>', 'expected signer (repeatable): fail unless each one signed the envelope', collect)
    .option('--require-signature', 'fail unless signed by a --signer key (implied by --signer)')
    .option('--allow-unauthenticated', 'accept envelopes without keyed integrity (as older Mesh tools write them): encrypted without a MAC, '
      + 'signatures bound to no key exchange')
    .option('--force', 'replace OUT if it exists')
    .option('--json', 'print the verdict as JSON (on standard error when OUT is -)')
    .addHelpText('after', `\nOUT is written under a temporary name beside it and renamed only when every check passed; on failure nothing is left.\n${STDOUT_NOTE}`)
    .action((input: string, output: string, o: {
      key?: string; signer?: string[]; requireSignature?: boolean; allowUnauthenticated?: boolean; force?: boolean; json?: boolean;
    }) =>
      guarded(async () => {
        o.signer ??= [];
        if (o.requireSignature && o.signer.length === 0) throw new CliExit(2, '--require-signature needs --signer KEYFILE (whose signature to require)');
        const source = await inputFile(input);
        const target = await outputTarget(output, o.force === true);
        const keys = o.key ? [privateKeyOf(await loadKeyFile(o.key), 'encrypt', o.key)] : [];
        const signers = await signerKeys(o.signer);
        const worker = hashWorker();
        const file = target.path === STDIO ? undefined : await AtomicFile.create(target, 0o600);
        let d: DecodedEnvelopeStream;
        try {
          d = await decodeEnvelopeTo(sourceOf(source, io), file ? file.writable() : stdoutWritable(io), {
            keys, signers, allowUnauthenticated: o.allowUnauthenticated === true, hashWorker: worker,
            ...(source.size !== undefined ? { sizeHint: source.size } : {}),
          });
        } catch (e) {
          throw aboutInput(input, e);
        } finally {
          await file?.abort(); // a no-op once committed
          worker.close();
        }
        const unsignedHeader = d.unsigned.metadata !== undefined
          && (d.unsigned.metadata.contentType !== undefined || d.unsigned.metadata.annotations.length > 0);
        if (o.json) {
          printResult(reportTo(io, output), true, {
            input, output, bytes: d.payloadLength, ...verdictJson(d),
            ...(unsignedHeader ? { header: 'content type, file name and annotations are not signed' } : {}),
          }, '');
          return;
        }
        for (const s of d.signatures) io.stderr(`signature ${kidText(s.kid)}: ${s.status}\n`);
        io.stderr(`verdict: ${verdictLine(d)}\n`);
        if (unsignedHeader) io.stderr('header: content type, file name and annotations are not signed\n');
      }));

  dare.command('verify')
    .description('check an envelope (or a sequence file): cipher, digest, MAC, recipients, signers')
    .argument('<in>', 'envelope or sequence file (an envelope may be - for standard input)')
    .option('--signer <keyfile>', 'expected signer (repeatable): exit 1 unless each one signed', collect)
    .option('--key <keyfile>', 'also decrypt (nothing is written), which checks the MAC and the witness')
    .option('--allow-unauthenticated', 'accept envelopes without keyed integrity (as older Mesh tools write them): encrypted without a MAC, '
      + 'signatures bound to no key exchange')
    .option('--integrity-only', 'sequences: exit 0 for an intact file without checking who wrote it')
    .option('--allow-unsigned-tail', 'sequences: accept frames after the last trusted signed head (live logs)')
    .option('--json', 'print JSON')
    .action((input: string, o: {
      signer?: string[]; key?: string; json?: boolean; allowUnauthenticated?: boolean; integrityOnly?: boolean; allowUnsignedTail?: boolean;
    }) =>
      guarded(async () => {
        const source = await inputFile(input);
        const signers = await signerKeys(o.signer ?? []);
        const keys = o.key ? [privateKeyOf(await loadKeyFile(o.key), 'encrypt', o.key)] : [];
        if (input !== STDIO && await startsLikeSequence(input)) {
          const verifier: SequenceVerifier = verifySequenceFile;
          return verifier(input, io, {
            signers, keys, json: o.json === true, integrityOnly: o.integrityOnly === true, allowUnsignedTail: o.allowUnsignedTail === true,
            allowUnauthenticated: o.allowUnauthenticated === true,
          });
        }
        const allowUnauthenticated = o.allowUnauthenticated === true;
        const worker = hashWorker();
        let r: EnvelopeVerifyReport;
        try {
          const options = { signers, allowUnauthenticated, hashWorker: worker, ...(source.size !== undefined ? { sizeHint: source.size } : {}) };
          if (keys.length) {
            // Decrypt to nowhere: the MAC and witnesses are checked on the way.
            const d = decodeEnvelopeStream(sourceOf(source, io), { ...options, keys });
            await d.payload.pipeTo(new WritableStream()).catch(() => undefined);
            r = await d.result;
          } else {
            r = await verifyEnvelopeStream(sourceOf(source, io), options);
          }
        } catch (e) {
          if (!(e instanceof DareError) || !VERIFICATION_FAILURES.has(e.code)) throw aboutInput(input, e);
          const message = `${e.code}: ${e.message}`;
          if (o.json) io.stdout(safeJson({ ok: false, verdict: 'failed', authentic: false, error: { code: e.code, message: e.message } }) + '\n');
          else io.stdout(`verdict:    NOT VERIFIED: ${escapeText(message)}\n`);
          return 1;
        } finally {
          worker.close();
        }
        const { text, ok: intact } = report(r);
        // With --signer, exit 0 means authentic (or explicitly accepted reference form); without, intact.
        const ok = signers.length > 0 ? r.verdict !== 'no-signer-checked' && intact : intact;
        printResult((t) => io.stdout(t), o.json === true, { ok, ...verdictJson(r) }, text.trimEnd());
        return ok ? 0 : 1;
      }));

  const key = program.commands.find((c) => c.name() === 'key') ?? program.command('key').description('keys');
  key.command('create')
    .description('make a new key file: a secret seed and the encryption and signature keys derived from it')
    .requiredOption('--out <keyfile>', 'private key file to write (readable by you only; never overwritten)')
    .option('--public <file>', 'also write the public key file, to hand to others')
    .option('--json', 'print JSON')
    .action((o: { out: string; public?: string; json?: boolean }) =>
      guarded(async () => {
        const never = 'key files are never overwritten: choose another name';
        const privateTarget = await outputTarget(o.out, false, never);
        const publicTarget = o.public === undefined ? undefined : await outputTarget(o.public, false, never);
        if (o.out === STDIO || o.public === STDIO) throw new CliExit(2, 'key files are written to files, not to standard output');
        const k: KeyFile = createKeyFile(io.random);
        // Both files appear, or neither.
        const priv = await AtomicFile.create(privateTarget, 0o600);
        const pub = publicTarget ? await AtomicFile.create(publicTarget, 0o644).catch(async (e: unknown) => {
          await priv.abort();
          throw e;
        }) : undefined;
        try {
          await priv.write(new TextEncoder().encode(keyFileText(k)));
          if (pub) await pub.write(new TextEncoder().encode(keyFileText(publicKeyFile(k), { public: true })));
          await priv.commit();
          try {
            if (pub) await pub.commit();
          } catch (e) {
            // The private file appeared; without its public half the command failed: take it back.
            await unlink(privateTarget.path).catch(() => undefined);
            throw e;
          }
        } finally {
          await priv.abort();
          await pub?.abort();
        }
        const summary = { encrypt: k.encrypt!.kid, sign: k.sign!.kid };
        printResult((t) => io.stdout(t), o.json === true, { file: o.out, ...(o.public ? { public: o.public } : {}), ...summary },
          `encrypt: ${summary.encrypt}\nsign:    ${summary.sign}`);
      }));
}
