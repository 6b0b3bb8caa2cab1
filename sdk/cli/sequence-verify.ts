import type { DarePrivateKey, DarePublicKey } from '../dare/keys.js';
import { verifySequence, type VerifyReport } from '../dare/sequence/index.js';
import { escapeText, safeJson } from './escape.js';
import type { CliIo } from './io.js';
import { aboutSequence, openSequence } from './sequence-files.js';

/**
 * `mesh dare verify FILE` for sequence files: the envelope command (dare.ts) hands sequence files
 * here with its options. What exit 0 means (verify.ts has the full statement):
 *
 * - with `--signer KEY…`: the sequence is *valid* — intact, and a signed head verifies under one
 *   of those keys, covering every frame (or, with `--allow-unsigned-tail`, at least one frame);
 * - with `--integrity-only` (and no `--signer`): the sequence is *intact*; the output says that
 *   authenticity was not checked;
 * - otherwise never: without a trust anchor nothing says who wrote the file (keys named inside
 *   the file prove nothing), so the report says `intact` and `trusted: false`, and exits 1.
 *
 * Exit 1 for a sequence that fails, 2 when the file cannot be opened (one line naming it). Frame
 * numbers are those stored in the file (frame 0 holds the policy). JSON output is the
 * {@link VerifyReport} plus `ok` (the exit-0 verdict) and `verdict`.
 */

/** Options the verify command passes through. */
export interface SequenceVerifyOptions {
  /** Trusted signers (`--signer`; Ed448 keys are used). */
  signers: DarePublicKey[];
  /** Decryption keys (`--key`): MACs are checked and every frame decrypted. */
  keys: DarePrivateKey[];
  json: boolean;
  /** `--integrity-only`: exit 0 for an intact file without checking who wrote it. */
  integrityOnly?: boolean;
  /** `--allow-unsigned-tail`: frames after the last trusted signed head do not fail (live logs). */
  allowUnsignedTail?: boolean;
  /** `--allow-unauthenticated`: read encrypted frames without PayloadMac (reference files). */
  allowUnauthenticated?: boolean;
}

/** The one-word verdict of a report under the caller's options, and whether it means exit 0. */
export function sequenceVerdict(r: VerifyReport, o: Pick<SequenceVerifyOptions, 'integrityOnly'>): { verdict: string; ok: boolean } {
  const trustGiven = r.authenticityChecked;
  if (!r.intact) return { verdict: 'invalid', ok: false };
  if (trustGiven) return r.valid ? { verdict: 'valid', ok: true } : { verdict: r.trusted ? 'unsigned-tail' : 'not-trusted', ok: false };
  return { verdict: 'intact-authenticity-not-checked', ok: o.integrityOnly === true };
}

/** Verifies a sequence file; resolves to the exit status. */
export async function verifySequenceFile(path: string, io: CliIo, options: SequenceVerifyOptions): Promise<number> {
  let report: VerifyReport;
  const reader = await openSequence(path, { keys: options.keys, allowUnauthenticated: options.allowUnauthenticated === true });
  try {
    report = await verifySequence(reader, { trust: options.signers, allowUnsignedTail: options.allowUnsignedTail === true });
  } catch (e) {
    throw aboutSequence(path, e);
  } finally {
    await reader.store.close();
  }
  const { verdict, ok } = sequenceVerdict(report, options);
  if (options.json) io.stdout(safeJson({ ...report, ok, verdict }) + '\n');
  else io.stdout(textReport(report, verdict));
  return ok ? 0 : 1;
}

/** The human-readable form of a report (text from the file escaped). */
export function textReport(r: VerifyReport, verdict: string): string {
  const tail = r.signedThrough === null ? '' : r.unsignedTail === 0 ? ' (every frame)' : `, then ${r.unsignedTail} unsigned frame(s)`;
  const authenticity = !r.authenticated
    ? `not possible: ${r.legacy ? 'reference-written (legacy) digests' : `${r.type} sequences carry no signed heads`} (authenticated: false)`
    : !r.authenticityChecked
      ? 'NOT CHECKED (no --signer given: keys inside the file prove nothing about who wrote it)'
      : r.trusted
        ? `trusted: signed by a --signer key through frame ${r.signedThrough}${tail}`
        : 'NOT TRUSTED: no signed head verifies under a --signer key';
  const lines = [
    `sequence:     ${r.type}, ${r.frames} frames (0 to ${r.frames - 1})${r.encrypted ? ', encrypted' : ''}${r.legacy ? ' (legacy reference digests)' : ''}`,
    `integrity:    ${r.intact ? 'intact' : `DAMAGED (${r.errors.length} problem${r.errors.length === 1 ? '' : 's'})`}`,
    `authenticity: ${authenticity}`,
    `head:         ${r.head ?? 'none'}`,
  ];
  for (const h of r.signedHeads) {
    lines.push(`signed head:  frame ${h.frame} (covers frames 0 to ${h.frame}) by ${escapeText(h.kid)}: ${h.signature}${h.trusted ? ', trusted' : ''}`);
  }
  if (r.tornTail) {
    lines.push(`torn tail:    an incomplete frame ${r.frames} (${r.tornTail.length} bytes at offset ${r.tornTail.offset}) left by an interrupted append; `
      + 'the next append drops it');
  }
  for (const e of r.errors) lines.push(`error:        frame ${e.frame}: ${e.code}: ${escapeText(e.message)}`);
  const word: Record<string, string> = {
    valid: 'VALID', invalid: 'INVALID', 'not-trusted': 'NOT TRUSTED', 'unsigned-tail': 'NOT VALID: unsigned tail (--allow-unsigned-tail accepts it)',
    'intact-authenticity-not-checked': 'INTACT (authenticity not checked)',
  };
  lines.push(word[verdict] ?? verdict.toUpperCase());
  return lines.join('\n') + '\n';
}
