import { bytesEqual } from '../../encoding/bytes.js';
import { chainDigest, frameLeaf, frameLeafHash, headerDigest, legacyChainDigest, legacyTreeDigest, payloadDigest } from './digests.js';
import type { ContainerType } from './info.js';
import { storedDigest, type SequenceFrame } from './reader.js';

/**
 * Which integrity values a Chain or Merkle file carries, decided once from frame 0 (dare.md
 * §9.4): `false` — ours (real chain, RFC 9162 heads over header and payload digests, digests.ts);
 * `true` — the reference's degenerate values (a "legacy" file: readable, reported, authenticates
 * nothing); `undefined` — neither matches (frame 0 is damaged; later frames are then checked as ours).
 */
export function detectLegacy(type: ContainerType, frame0: SequenceFrame): boolean | undefined {
  const pd = payloadDigest(frame0.payload);
  const hd = headerDigest(frame0.records.header);
  if (type === 'Chain') {
    const c = storedDigest(frame0, 'ChainDigest');
    if (!c) return undefined;
    if (bytesEqual(c, chainDigest(undefined, frameLeaf(hd, pd)))) return false;
    if (bytesEqual(c, legacyChainDigest(pd))) return true;
    return undefined;
  }
  if (type === 'Merkle') {
    const t = storedDigest(frame0, 'TreeDigest');
    if (!t) return undefined;
    if (bytesEqual(t, frameLeafHash(hd, pd))) return false;
    if (bytesEqual(t, legacyTreeDigest(0, pd))) return true;
    return undefined;
  }
  return false;
}
