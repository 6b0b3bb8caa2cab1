import type { Evaluator } from '../types.js';
import { meshKeyKinds } from './mesh-keys.js';
import { meshMessageKinds } from './mesh-messages.js';
import { meshObjectKinds } from './mesh-objects.js';
import { meshStoreKinds } from './mesh-stores.js';

/** The kinds of mesh-kinds.md (`shared/vectors/mesh/mesh.json`); `mesh-activate` is registered with keys.json's kinds. */
export const MESH_KINDS: readonly string[] = [
  'mesh-escrow-recover', 'mesh-seed-key', 'mesh-keydata', 'mesh-profile', 'mesh-signed-object', 'mesh-message-envelope',
  'mesh-sign-reproduce', 'mesh-message-id', 'mesh-connection-witness', 'mesh-pin', 'mesh-publication', 'mesh-decrypt',
  'mesh-device-chain', 'mesh-sequence-frame', 'mesh-object-schema',
];

/** Every Mesh object-model evaluator. */
export function meshKinds(): Record<string, Evaluator> {
  return { ...meshKeyKinds(), ...meshObjectKinds(), ...meshMessageKinds(), ...meshStoreKinds() };
}
