import type { DareEnvelope } from '../dare/envelope.js';
import { isEmptyHeader } from '../dare/header.js';
import { ProtocolError } from './errors.js';

/**
 * How a store frame travels in `ContainerUpdate.Envelopes` (protocol.md §3, T7 Download, T8
 * Transact): as the payload of an envelope with an empty header and no trailer —
 * `[{}, "<base64url of the frame's bytes>"]` on the wire.
 *
 * Why not the frame's own header, payload and trailer as the envelope's parts (REF's layout):
 * every device's copy of a store is byte for byte the service's, and the Merkle tree commits to
 * each frame's header and trailer *bytes* (dare.md §9.4). Re-encoding a parsed header
 * (member order, number and binary forms) would change those bytes, so a frame is carried whole.
 * REF's wire binding is not ours anyway (protocol.md §2, D-1); its frames are still readable as
 * sequences.
 */

/** A frame as the envelope that carries it. */
export function frameEnvelope(frame: Uint8Array): DareEnvelope {
  return { header: {}, payload: frame };
}

/**
 * The frame an envelope of `ContainerUpdate.Envelopes` carries (see the module notes).
 * `PROTOCOL_BAD_ARGUMENT` for an envelope with a header or trailer: not a carried frame.
 */
export function frameOfEnvelope(envelope: DareEnvelope, where = 'envelope'): Uint8Array {
  if (!isEmptyHeader(envelope.header) || (envelope.trailer !== undefined && !isEmptyHeader(envelope.trailer))) {
    throw new ProtocolError('PROTOCOL_BAD_ARGUMENT', `${where}: a frame travels as [{}, frame bytes], with no header or trailer members`);
  }
  return envelope.payload;
}
