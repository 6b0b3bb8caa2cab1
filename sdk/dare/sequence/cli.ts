import type { CliIo } from '../../cli/io.js';
import { NodeFileStore } from '../../../adapters/store/node-fs.js';
import type { DarePrivateKey, DarePublicKey } from '../keys.js';
import { SequenceError } from './errors.js';
import { SequenceReader } from './reader.js';
import { verifySequence, type VerifyReport } from './verify.js';

/**
 * `mesh dare verify FILE` for sequence files (issue 6): the envelope command hands sequence files
 * here (sdk/cli/dare.ts). JSON output fields: `frames`, `valid`, `head`, `signedHeads`,
 * `tornTail`, `legacy`, `errors: [{frame, code}]` (plus `type`, `encrypted`, and each error's
 * `message`). Exit status 0 when valid, 1 when not, 2 when the file cannot be opened.
 */
export async function verifySequenceFile(
  path: string, io: CliIo, options: { signers: DarePublicKey[]; keys: DarePrivateKey[]; json: boolean },
): Promise<number> {
  let report: VerifyReport;
  try {
    const store = await NodeFileStore.openRead(path);
    try {
      const reader = await SequenceReader.open(store, { keys: options.keys });
      const signers = options.signers.filter((k) => k.algorithm === 'Ed448').map((k) => k.publicKey);
      report = await verifySequence(reader, signers.length > 0 ? { signerKeys: signers } : {});
    } finally {
      await store.close();
    }
  } catch (e) {
    if (e instanceof SequenceError) {
      io.stderr(`mesh: ${e.code}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (options.json) io.stdout(JSON.stringify(report) + '\n');
  else io.stdout(textReport(report));
  return report.valid ? 0 : 1;
}

/** The human-readable form of a report. */
export function textReport(r: VerifyReport): string {
  const lines = [
    `sequence:   ${r.type}, ${r.frames} frames${r.encrypted ? ', encrypted' : ''}${r.legacy ? ' (legacy reference digests)' : ''}`,
    `head:       ${r.head ?? 'none'}`,
    `signed:     ${r.signedHeads.length === 0 ? 'none' : r.signedHeads.map((h) => `frame ${h.frame} ${h.valid ? 'valid' : 'INVALID'}`).join(', ')}`,
  ];
  if (r.tornTail) lines.push(`torn tail:  ${r.tornTail.length} bytes at offset ${r.tornTail.offset}`);
  for (const e of r.errors) lines.push(`error:      frame ${e.frame}: ${e.code}: ${e.message}`);
  lines.push(r.valid ? 'VALID' : 'INVALID');
  return lines.join('\n') + '\n';
}
