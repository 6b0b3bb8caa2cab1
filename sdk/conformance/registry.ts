import { dareKeyKinds } from './kinds/dare.js';
import { dareEnvelopeKinds } from './kinds/dare-envelope.js';
import { dareSequenceKinds } from './kinds/dare-sequence.js';
import { jsonbKinds } from './kinds/jsonb.js';
import { keysKinds } from './kinds/keys.js';
import { MESH_KINDS, meshKinds } from './kinds/mesh.js';
import { udfKinds } from './kinds/udf.js';
import type { Evaluator } from './types.js';

/**
 * Every vector kind named in the specs' vector index tables (udf.md §14, crypto.md §7,
 * dare.md §11, jsonbcd.md §7). A kind listed here without an evaluator is SKIPped ("not
 * implemented yet"); a kind in neither is unknown and fails the run.
 */
export const KNOWN_KINDS: readonly string[] = [
  // udf.md §14
  'content-digest', 'authenticator', 'udf-parse', 'oid', 'earl', 'udf-uri', 'sin', 'message-id',
  'pin-salt', 'pin-id', 'pin-id-docvariant', 'shamir-split', 'shamir-recover', 'shamir-prime-table',
  // udf.md §14 / crypto.md §7
  'derive-key', 'mesh-derive-key', 'mesh-activate', 'keypair-from-private', 'cogen-combine', 'ecdh-agreement',
  'montgomery-ladder', 'montgomery-mul-signed', 'montgomery-add', 'threshold-split', 'threshold-decrypt-combine',
  // dare.md §11
  'envelope', 'envelope_jsonb', 'recipient_unwrap', 'recipient_wrap', 'symmetric_key_id', 'eds', 'eds_encrypted',
  'payload_kdf', 'key_fingerprint', 'frame_tags', 'previous_frame', 'x448_keypair', 'ed448_keypair', 'container',
  // jsonbcd.md §7
  'jsonb_decode', 'jsonb_items', 'jsonb_roundtrip', 'jsonb_encode',
  // vectors/mesh/mesh-kinds.md
  ...MESH_KINDS,
];

/** Kind → evaluator, plus the list of kinds that are known but may not be implemented. */
export class Registry {
  private readonly evaluators = new Map<string, Evaluator>();
  private readonly known = new Set<string>(KNOWN_KINDS);

  /** Adds (or replaces) evaluators; later issues register their kinds this way. */
  register(kinds: Record<string, Evaluator>): this {
    for (const [kind, evaluator] of Object.entries(kinds)) {
      this.evaluators.set(kind, evaluator);
      this.known.add(kind);
    }
    return this;
  }

  /** Declares kinds as known (SKIPped until an evaluator is registered). */
  declare(...kinds: string[]): this {
    for (const k of kinds) this.known.add(k);
    return this;
  }

  get(kind: string): Evaluator | undefined {
    return this.evaluators.get(kind);
  }

  isKnown(kind: string): boolean {
    return this.known.has(kind);
  }

  kinds(): string[] {
    return [...this.evaluators.keys()];
  }
}

/**
 * The registry with every kind implemented so far. Later issues add one line here, e.g.
 * `.register(dareKinds())` for envelopes and containers.
 */
export function defaultRegistry(): Registry {
  return new Registry().register(udfKinds()).register(keysKinds()).register(jsonbKinds()).register(dareKeyKinds())
    .register(dareEnvelopeKinds()).register(dareSequenceKinds()).register(meshKinds());
}
