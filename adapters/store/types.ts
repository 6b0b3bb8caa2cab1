/**
 * The store contract, re-exported for adapter users. It is defined by the SDK that consumes it
 * (`sdk/dare/sequence/store.ts`); adapters implement it and never define their own.
 */
export type { SequenceStore, Durability, StoreOpenOptions, StoreErrorCode } from '../../sdk/dare/sequence/store.js';
