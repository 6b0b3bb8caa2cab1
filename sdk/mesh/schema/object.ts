import type { DareEnvelope } from '../../dare/envelope.js';
import type { JsonObject } from '../../encoding/json-value.js';

/**
 * The shape every Mesh object shares (the generated interfaces of types.ts extend it): the
 * class name in `$class`, members under their wire names, and — only when a reader met them —
 * the members the schema does not describe and the order they came in, so that writing the
 * object back loses nothing (mesh-model.md §0: readers ignore unknown fields, we keep them).
 * Names starting with `$` never occur on the wire.
 */
export interface MeshObjectBase<N extends string = string> {
  readonly $class: N;
  /** What a reader kept beyond the schema; absent for objects built in code. */
  $wire?: WireRecord;
}

/**
 * Members a reader met that the schema does not describe (raw JSON values as read: a JSON-B
 * data item stays bytes, JSON base64 stays text) and the order of every member as read,
 * including older alias names (`AccountEncryption` for `CommonEncryption`).
 */
export interface WireRecord {
  readonly order: readonly string[];
  readonly extra: JsonObject;
}

/**
 * A class used as an untagged member (`"ProfileSignature": {...}`, not `{"KeyData": {...}}`):
 * the wire does not name the class, so `$class` is optional when building one.
 */
export type Untagged<T extends MeshObjectBase> = Omit<T, '$class'> & { readonly $class?: T['$class'] };

declare const payloadClass: unique symbol;

/**
 * A DARE envelope whose payload is a tagged `T` (`Enveloped<ProfileDevice>`, mesh-model.md §0).
 * At run time it is a plain {@link DareEnvelope}; the type parameter records what opening it gives.
 */
export type Enveloped<T> = DareEnvelope & { readonly [payloadClass]?: T };
