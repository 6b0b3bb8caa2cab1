import { base64urlDecode, base64urlEncode } from '../../encoding/base64url.js';
import { parseJson } from '../../encoding/json-reader.js';
import { isJsonObject } from '../../encoding/json-value.js';
import { bytesEqual } from '../../encoding/bytes.js';
import { MerkleCompactRange } from '../../crypto/index.js';
import { chainDigest, legacyChainDigest, legacyTreeDigest, payloadDigest, treeHasher } from './digests.js';
import { SequenceError, type SequenceErrorCode } from './errors.js';
import { hasDigest, hasTreePosition } from './info.js';
import { detectLegacy } from './legacy.js';
import { signKeysOf } from './policy-keys.js';
import { storedDigest, type SequenceFrame, type SequenceReader } from './reader.js';
import { verifySignedHead } from './signed-head.js';
import { previousFrame } from './tree-position.js';

/**
 * Full verification of a sequence (issue 6 `mesh dare verify`): framing, indices, TreePosition
 * pointers, payload digests, the chain, the RFC 9162 heads, signed heads, and — with keys —
 * decryption of every encrypted frame. Reports every problem with its frame instead of stopping
 * at the first; reference-written files (legacy digests, dare.md §9.4) are checked against the
 * reference's formulas and flagged `legacy`, not failed.
 */

/** Options of {@link verifySequence}. */
export interface VerifyOptions {
  /** Trusted Ed448 public keys for signed heads; default: frame 0's `policy.SignKeys`. */
  signerKeys?: readonly Uint8Array[];
  /** Decrypt encrypted frames (needs the reader to have keys). Default: when the reader has keys. */
  decrypt?: boolean;
}

/** One problem found. */
export interface VerifyIssue {
  readonly frame: number;
  readonly code: SequenceErrorCode;
  readonly message: string;
}

/** A signed head found in the file. */
export interface SignedHeadReport {
  readonly frame: number;
  readonly treeSize: number;
  readonly typ: string;
  readonly kid: string;
  readonly valid: boolean;
}

/** The verification report (JSON fields of `mesh dare verify`). */
export interface VerifyReport {
  /** Complete frames, frame 0 included. */
  readonly frames: number;
  readonly type: string;
  readonly valid: boolean;
  /** Last frame's TreeDigest (Merkle) or ChainDigest (Chain), base64url; null otherwise. */
  readonly head: string | null;
  readonly signedHeads: SignedHeadReport[];
  readonly tornTail: { offset: number; length: number } | null;
  /** True for reference-written Chain/Merkle values (they authenticate nothing). */
  readonly legacy: boolean;
  readonly encrypted: boolean;
  readonly errors: VerifyIssue[];
}

/** Verifies every frame of an opened sequence. */
export async function verifySequence(reader: SequenceReader, options: VerifyOptions = {}): Promise<VerifyReport> {
  const errors: VerifyIssue[] = [];
  const issue = (frame: number, e: unknown): void => {
    if (e instanceof SequenceError) errors.push({ frame, code: e.code, message: e.message });
    else errors.push({ frame, code: 'DARE_BAD_FRAME', message: e instanceof Error ? e.message : String(e) });
  };
  const type = reader.type;
  const legacyFlag = detectLegacy(type, reader.first);
  const legacy = legacyFlag === true;
  const trusted = options.signerKeys ?? safe(() => signKeysOf(reader.policy), []);
  const range = new MerkleCompactRange(treeHasher);
  let chain: Uint8Array | undefined;
  let head: Uint8Array | null = null;
  let encrypted = false;
  const signedHeads: SignedHeadReport[] = [];

  for (let i = 0; i < reader.frameCount; i++) {
    let f: SequenceFrame;
    try {
      f = await reader.frame(i);
    } catch (e) {
      issue(i, e);
      if (hasDigest(type)) range.append(new Uint8Array(64)); // keep leaf numbering; later heads then fail too
      continue;
    }
    const errorsBefore = errors.length;
    try {
      checkHeader(f);
    } catch (e) {
      issue(i, e);
    }
    if (hasTreePosition(type) && i > 0) {
      const want = reader.starts[previousFrame(i)];
      if (f.info.TreePosition !== want) issue(i, new SequenceError('DARE_BAD_POSITION', `TreePosition ${f.info.TreePosition} should be ${want}`, { frame: i }));
    }
    if (f.encrypted) {
      encrypted = true;
      if (options.decrypt ?? true) {
        try {
          await reader.plaintext(f);
        } catch (e) {
          if (!(e instanceof SequenceError && e.code === 'DARE_NO_KEY' && options.decrypt === undefined)) issue(i, e);
        }
      }
    }
    if (hasDigest(type)) {
      const pd = payloadDigest(f.payload);
      const stored = safe(() => storedDigest(f, 'PayloadDigest'), undefined);
      if (!stored || !bytesEqual(stored, pd)) issue(i, new SequenceError('DARE_BAD_DIGEST', stored ? 'PayloadDigest does not match the payload' : 'PayloadDigest missing', { frame: i }));
      let value: Uint8Array | undefined;
      let expected: Uint8Array | undefined;
      if (type === 'Chain') {
        chain = chainDigest(chain, pd);
        expected = legacy ? legacyChainDigest(pd) : chain;
        value = safe(() => storedDigest(f, 'ChainDigest'), undefined);
        if (!value || !bytesEqual(value, expected)) issue(i, new SequenceError('DARE_BAD_CHAIN', value ? 'ChainDigest does not match' : 'ChainDigest missing', { frame: i }));
      } else if (type === 'Merkle') {
        range.append(pd);
        expected = legacy ? legacyTreeDigest(i, pd) : range.root();
        value = safe(() => storedDigest(f, 'TreeDigest'), undefined);
        if (!value || !bytesEqual(value, expected)) issue(i, new SequenceError('DARE_BAD_TREE', value ? 'TreeDigest does not match the RFC 9162 head' : 'TreeDigest missing', { frame: i }));
      }
      if (expected) head = expected;
      const sigs = f.trailer?.['signatures'];
      if (Array.isArray(sigs) && expected) {
        for (const s of sigs) {
          if (!isJsonObject(s) || (s['typ'] !== 'Tree' && s['typ'] !== 'Chain')) continue;
          let sig: Uint8Array;
          try {
            sig = base64urlDecode(String(s['signature']));
          } catch {
            sig = new Uint8Array(0);
          }
          const kid = typeof s['kid'] === 'string' ? s['kid'] : '';
          const signed = { treeSize: i + 1, typ: s['typ'] as 'Tree' | 'Chain', head: expected, kid, signature: sig };
          const valid = errors.length === errorsBefore && trusted.some((k) => verifySignedHead(signed, k));
          signedHeads.push({ frame: i, treeSize: i + 1, typ: signed.typ, kid, valid });
          if (!valid && errors.length === errorsBefore) issue(i, new SequenceError('DARE_BAD_SIGNATURE', 'signed head does not verify under a trusted key', { frame: i }));
        }
      }
    }
  }
  if (reader.tornTail) {
    errors.push({ frame: reader.frameCount, code: 'DARE_TRUNCATED_FRAME', message: `torn tail of ${reader.tornTail.length} bytes at offset ${reader.tornTail.offset}` });
  }
  if (reader.damage) errors.push({ frame: reader.frameCount, code: reader.damage.code, message: reader.damage.message });
  if (legacyFlag === undefined && (type === 'Chain' || type === 'Merkle') && !errors.some((e) => e.frame === 0)) {
    errors.unshift({ frame: 0, code: type === 'Chain' ? 'DARE_BAD_CHAIN' : 'DARE_BAD_TREE', message: 'frame 0 integrity value matches neither form' });
  }
  return {
    frames: reader.frameCount, type, valid: errors.length === 0, head: head && (type === 'Chain' || type === 'Merkle') ? base64urlEncode(head) : null,
    signedHeads, tornTail: reader.tornTail ? { ...reader.tornTail } : null, legacy, encrypted, errors,
  };
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** Header checks beyond what decoding does: `dig`, ContentMetaData. */
function checkHeader(f: SequenceFrame): void {
  const dig = f.header['dig'];
  if (dig !== undefined && dig !== 'S512') throw new SequenceError('DARE_BAD_HEADER', `unsupported dig '${String(dig)}'`, { frame: f.index });
  const cm = f.header['ContentMetaData'];
  if (cm !== undefined) {
    let ok = false;
    try {
      ok = typeof cm === 'string' && isJsonObject(parseJson(base64urlDecode(cm)));
    } catch {
      ok = false;
    }
    if (!ok) throw new SequenceError('DARE_BAD_HEADER', 'ContentMetaData is not a JSON object', { frame: f.index });
  }
}
