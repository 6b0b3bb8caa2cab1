import { base64urlDecode } from '../../encoding/base64url.js';
import { parseJson } from '../../encoding/json-reader.js';
import { describeJsonValue, isJsonObject, type JsonObject } from '../../encoding/json-value.js';
import { SequenceError } from './errors.js';

/**
 * Sequence headers (dare.md §9.1, §9.2): the JSON header of every frame carries `SequenceInfo`;
 * frame 0 also names the container type and the policy.
 */

/** The five container types (dare.md §9.4). */
export type ContainerType = 'List' | 'Digest' | 'Chain' | 'Tree' | 'Merkle';
export const CONTAINER_TYPES: readonly ContainerType[] = ['List', 'Digest', 'Chain', 'Tree', 'Merkle'];

/** Types whose frames carry a PayloadDigest trailer. */
export const hasDigest = (t: ContainerType): boolean => t === 'Digest' || t === 'Chain' || t === 'Merkle';
/** Types whose frames carry TreePosition. */
export const hasTreePosition = (t: ContainerType): boolean => t === 'Tree' || t === 'Merkle';

/** `SequenceInfo` (dare.md §9.2). Integers are int32 in the reference; we accept any safe integer. */
export interface SequenceInfo {
  readonly DataEncoding?: string;
  readonly ContainerType?: string;
  readonly Index: number;
  readonly TreePosition?: number;
  readonly ExchangePosition?: number;
  readonly IndexPosition?: number;
  readonly IsMeta?: boolean;
  readonly Default?: boolean;
}

/** Parses a header or trailer record (JSON text, reference layout tolerated). */
export function parseRecordJson(bytes: Uint8Array, what: string, frame: number): JsonObject {
  let v: unknown;
  try {
    v = parseJson(bytes);
  } catch (e) {
    throw new SequenceError('DARE_BAD_HEADER', `${what} is not JSON`, { frame, cause: e });
  }
  if (!isJsonObject(v)) throw new SequenceError('DARE_BAD_HEADER', `${what} is not a JSON object`, { frame });
  return v;
}

const intField = (o: JsonObject, name: string, frame: number): number | undefined => {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new SequenceError('DARE_BAD_HEADER', `SequenceInfo.${name} is not a non-negative integer`, { frame });
  }
  return v;
};

/** The `SequenceInfo` of a header; throws DARE_BAD_HEADER when absent or malformed. */
export function sequenceInfoOf(header: JsonObject, frame: number): SequenceInfo {
  const si = header['SequenceInfo'];
  if (!isJsonObject(si)) throw new SequenceError('DARE_BAD_HEADER', 'header has no SequenceInfo', { frame });
  const index = intField(si, 'Index', frame);
  if (index === undefined) throw new SequenceError('DARE_BAD_HEADER', 'SequenceInfo has no Index', { frame });
  const str = (n: string): string | undefined => (typeof si[n] === 'string' ? (si[n] as string) : undefined);
  const bool = (n: string): boolean | undefined => (typeof si[n] === 'boolean' ? (si[n] as boolean) : undefined);
  const info: Record<string, unknown> = { Index: index };
  const put = (n: string, v: unknown): void => {
    if (v !== undefined) info[n] = v;
  };
  put('DataEncoding', str('DataEncoding'));
  put('ContainerType', str('ContainerType'));
  put('TreePosition', intField(si, 'TreePosition', frame));
  put('ExchangePosition', intField(si, 'ExchangePosition', frame));
  put('IndexPosition', intField(si, 'IndexPosition', frame));
  put('IsMeta', bool('IsMeta'));
  put('Default', bool('Default'));
  return info as unknown as SequenceInfo;
}

/** The container type named in frame 0's SequenceInfo. */
export function containerTypeOf(info: SequenceInfo): ContainerType {
  const t = info.ContainerType;
  if (!CONTAINER_TYPES.includes(t as ContainerType)) {
    throw new SequenceError('DARE_BAD_TYPE', t === undefined ? 'SequenceInfo names no ContainerType (or not as a string)' : `unknown ContainerType ${describeJsonValue(t)}`, { frame: 0 });
  }
  return t as ContainerType;
}

/** A base64url binary member of a header/trailer, or undefined. */
export function binaryField(o: JsonObject | undefined, name: string, frame: number): Uint8Array | undefined {
  const v = o?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new SequenceError('DARE_BAD_HEADER', `${name} is not a base64url string`, { frame });
  try {
    return base64urlDecode(v);
  } catch (e) {
    throw new SequenceError('DARE_BAD_HEADER', `${name} is not base64url`, { frame, cause: e });
  }
}
