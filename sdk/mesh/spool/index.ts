/** Spools (mesh-model.md §9): enveloped messages on DARE sequence replicas, with the message-state model of §9.3. */
export { Spool, SPOOL_CTY, spoolFrameOf, type SpooledMessage, type SpoolFilter } from './spool.js';
export {
  SPOOL_KINDS, INITIAL_STATUS, applyRelationship, stateOf, type MessageState, type MessageStatus, type MessageProgress, type Relationship, type SpoolKind,
} from './states.js';
