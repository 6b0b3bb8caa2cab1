import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  DareError, decodeEnvelope, encodeEnvelope, parseEnvelope, publicPart, serializeEnvelope, verifyEnvelope,
  type DareErrorCode, type DarePrivateKey, type DarePublicKey, type VerifyResult,
} from '../dare/index.js';
import { escapeText, safeJson } from './escape.js';
import { verifySequenceFile, type SequenceVerifyOptions } from './sequence-verify.js';
import { CliExit, type CliIo } from './io.js';
import {
  createKeyFile, findKeyByKid, loadKeyFile, privateKeyOf, publicKeyFile, saveKeyFile, type KeyFile,
} from './keyfile.js';

/**
 * `mesh dare encode|decode|verify` (DARE envelopes, dare.md §2–§7) and `mesh key create` (the key
 * file of keyfile.ts). Verdicts mean authenticity: with `--signer`, exit 0 only when every named
 * signer signed (bound to the key exchange when encrypted); without, the output says "no signer
 * checked". Text from the envelope is printed through `escapeText` (escape.ts). The `dare` group is shared with the sequence commands: {@link dareCommand}
 * returns the one group, creating it on first use.
 */

/** The `dare` command group of `program` (created once; the sequence commands add theirs to it). */
export function dareCommand(program: Command, _io: CliIo): Command {
  return program.commands.find((c) => c.name() === 'dare')
    ?? program.command('dare').description('DARE envelopes and sequences (encrypt, sign, verify)');
}

/** The signature of the sequence verifier the `verify` command hands sequence files to. */
export type SequenceVerifier = (path: string, io: CliIo, options: SequenceVerifyOptions) => Promise<number>;

/** True when the file starts like a sequence (a JBCD record/frame tag F0–F7, dare.md §8) rather than an envelope. */
export function looksLikeSequence(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0]! >= 0xf0 && bytes[0]! <= 0xf7;
}

async function read(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch {
    throw new CliExit(2, `cannot read ${escapeText(path)}`);
  }
}

async function write(path: string, data: Uint8Array): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    throw new CliExit(2, `cannot write ${escapeText(path)}${e instanceof Error && 'code' in e ? ` (${String(e.code)})` : ''}`);
  }
}

/** Runs a command body; typed DARE errors end the command with `mesh: CODE: message` (escaped), status 2. */
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

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

async function recipientKey(spec: string, keyring: string): Promise<DarePublicKey> {
  if (/^[A-Za-z2-7]{4}(-[A-Za-z2-7]{1,4})+$/.test(spec)) {
    const found = await findKeyByKid(keyring, spec);
    if (found === undefined) throw new CliExit(2, `no key file in ${escapeText(keyring)} holds a key with fingerprint ${spec}`);
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
    if (k.sign === undefined) throw new CliExit(2, `--signer ${escapeText(p)}: the key file holds no signature key`);
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
function verdictLine(r: VerifyResult): string {
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

function report(r: VerifyResult): { text: string; ok: boolean } {
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

/** Adds `mesh dare encode|decode|verify` and `mesh key create`. */
export function addDareCommands(program: Command, io: CliIo): void {
  const dare = dareCommand(program, io);

  dare.command('encode')
    .description('wrap a file in a DARE envelope: encrypt to recipients (with a MAC), sign, annotate')
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
        if (!['json', 'tagged', 'jsonb'].includes(o.format)) throw new CliExit(2, `unknown --format ${escapeText(o.format)} (json, tagged, jsonb)`);
        const recipients = [];
        for (const spec of o.encrypt) recipients.push(await recipientKey(spec, o.keyring));
        const signers: DarePrivateKey[] = [];
        for (const p of o.sign) signers.push(privateKeyOf(await loadKeyFile(p), 'sign', p));
        const env = encodeEnvelope(await read(input), {
          recipients, signers, annotations: o.annotation, random: io.random, ...(o.cty ? { contentType: o.cty } : {}),
        });
        await write(output, serializeEnvelope(env, o.format as 'json' | 'tagged' | 'jsonb'));
      }));

  dare.command('decode')
    .description('open a DARE envelope: check signers, MAC and witness first, then decrypt with a key file')
    .argument('<in>', 'envelope file (JSON, tagged JSON or JSON-B)')
    .argument('<out>', 'output file (the payload), written only when every check passed')
    .option('--key <keyfile>', 'key file whose encryption key opens the envelope')
    .option('--signer <keyfile>', 'expected signer (repeatable): fail unless each one signed the envelope', collect, [])
    .option('--require-signature', 'fail unless signed by a --signer key (implied by --signer)')
    .option('--allow-unauthenticated', 'accept the reference form: encrypted without a MAC, signatures bound to no key exchange')
    .action((input: string, output: string, o: { key?: string; signer: string[]; requireSignature?: boolean; allowUnauthenticated?: boolean }) =>
      guarded(async () => {
        if (o.requireSignature && o.signer.length === 0) throw new CliExit(2, '--require-signature needs --signer KEYFILE (whose signature to require)');
        const keys = o.key ? [privateKeyOf(await loadKeyFile(o.key), 'encrypt', o.key)] : [];
        const d = decodeEnvelope(await read(input), {
          keys, signers: await signerKeys(o.signer), allowUnauthenticated: o.allowUnauthenticated === true,
        });
        await write(output, d.payload);
        for (const s of d.signatures) io.stderr(`signature ${kidText(s.kid)}: ${s.status}\n`);
        io.stderr(`verdict: ${verdictLine(d)}\n`);
        if (d.unsigned.metadata && (d.unsigned.metadata.contentType !== undefined || d.unsigned.metadata.annotations.length > 0)) {
          io.stderr('header: content type, file name and annotations are not signed\n');
        }
      }));

  dare.command('verify')
    .description('check a DARE envelope (or hand a sequence file to the sequence verifier): cipher, digest, MAC, recipients, signers')
    .argument('<in>', 'envelope or sequence file')
    .option('--signer <keyfile>', 'expected signer (repeatable): exit 1 unless each one signed', collect, [])
    .option('--key <keyfile>', 'also decrypt, which checks the MAC and the witness')
    .option('--allow-unauthenticated', 'accept the reference form: encrypted without a MAC, signatures bound to no key exchange')
    .option('--integrity-only', 'sequences: exit 0 for an intact file without checking who wrote it')
    .option('--allow-unsigned-tail', 'sequences: accept frames after the last trusted signed head (live logs)')
    .option('--json', 'print JSON')
    .action((input: string, o: {
      signer: string[]; key?: string; json?: boolean; allowUnauthenticated?: boolean; integrityOnly?: boolean; allowUnsignedTail?: boolean;
    }) =>
      guarded(async () => {
        const bytes = await read(input);
        const signers = await signerKeys(o.signer);
        const keys = o.key ? [privateKeyOf(await loadKeyFile(o.key), 'encrypt', o.key)] : [];
        if (looksLikeSequence(bytes)) {
          const verifier: SequenceVerifier = verifySequenceFile;
          return verifier(input, io, {
            signers, keys, json: o.json === true, integrityOnly: o.integrityOnly === true, allowUnsignedTail: o.allowUnsignedTail === true,
            allowUnauthenticated: o.allowUnauthenticated === true,
          });
        }
        const env = parseEnvelope(bytes);
        const allowUnauthenticated = o.allowUnauthenticated === true;
        let r: VerifyResult;
        try {
          r = keys.length ? decodeEnvelope(env, { keys, signers, allowUnauthenticated }) : verifyEnvelope(env, { signers, allowUnauthenticated });
        } catch (e) {
          if (!(e instanceof DareError) || !VERIFICATION_FAILURES.has(e.code)) throw e;
          const message = `${e.code}: ${e.message}`;
          if (o.json) io.stdout(safeJson({ ok: false, verdict: 'failed', authentic: false, error: { code: e.code, message: e.message } }) + '\n');
          else io.stdout(`verdict:    NOT VERIFIED: ${escapeText(message)}\n`);
          return 1;
        }
        const { text, ok: intact } = report(r);
        // With --signer, exit 0 means authentic (or explicitly accepted reference form); without, intact.
        const ok = signers.length > 0 ? r.verdict !== 'no-signer-checked' && intact : intact;
        if (o.json) {
          io.stdout(safeJson({
            ok, verdict: r.verdict, authentic: r.authentic, signedBy: r.signedBy.map((k) => k.kid), headerSigned: r.headerSigned,
            integrity: r.integrity, cipher: r.enc ?? null, digest: r.dig ?? null, digestStatus: r.digestStatus, mac: r.mac,
            recipients: r.recipients,
            signatures: r.signatures.map((s) => ({ kid: s.kid ?? null, status: s.status, manifest: s.manifest, witness: s.witness ?? null })),
            ...(r.verdict === 'no-signer-checked' ? { note: 'no signer checked' } : {}),
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
          throw new CliExit(2, `cannot write the key file${e instanceof Error && 'code' in e ? ` (${escapeText(String(e.code))})` : ''}`);
        }
        const summary = { encrypt: k.encrypt!.kid, sign: k.sign!.kid };
        io.stdout(o.json ? safeJson(summary) + '\n' : `encrypt: ${summary.encrypt}\nsign:    ${summary.sign}\n`);
      }));
}
