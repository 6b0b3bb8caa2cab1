import type { DareEnvelope } from '../../sdk/dare/index.js';
import { classInfo, family, type MemberType, type MeshObjectBase } from '../../sdk/mesh/index.js';
import { prng, seeded } from './random.js';

/**
 * Random Mesh objects generated from the schema itself (mesh-model.md §0 types), for property
 * tests of the codec: every member of the class may appear, with values of its declared type.
 */

const STRINGS = ['', 'alice@example.com', 'MARP-HH6B-D2JW-WLQ6-RWPQ-2SLS-AI2V', 'quote " backslash \\ slash /', 'tab\tnew\nline', 'ünïcödé ☃ 😀', '\u0000\u001f'];

export interface Arbitrary {
  object(className: string, depth?: number): MeshObjectBase;
}

export function meshArbitrary(seed: number): Arbitrary {
  const int = prng(seed);
  const bytes = seeded(seed ^ 0x5a5a5a5a);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const scalar = (kind: string): unknown => {
    switch (kind) {
      case 'String':
        return int(3) === 0 ? pick(STRINGS) : `s${int(1_000_000)}-${String.fromCodePoint(0x20 + int(0x2000))}`;
      case 'Integer':
        return pick([0, 1, -1, 255, 256, 65536, -70000, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, int(1000)]);
      case 'Float':
        return pick([0, 1.5, -2.25, 51.5074, -0.1275, 1e-7, 123456.789, 42]);
      case 'Boolean':
        return int(2) === 0;
      case 'Binary':
        return bytes(int(70));
      case 'DateTime':
        return new Date(Date.UTC(2000 + int(60), int(12), 1 + int(28), int(24), int(60), int(60)));
      default:
        throw new Error(kind);
    }
  };
  const envelope = (): DareEnvelope => {
    const env: DareEnvelope = { header: { dig: 'S512', contentMetaData: bytes(1 + int(40)) }, payload: bytes(int(100)) };
    if (int(2) === 0) env.trailer = { payloadDigest: bytes(64) };
    return env;
  };
  const value = (type: MemberType, depth: number): unknown => {
    switch (type.kind) {
      case 'scalar':
        return scalar(type.scalar);
      case 'envelope':
        return envelope();
      case 'struct':
        return object(type.className, depth + 1);
      case 'tagged':
        return object(pick(family(type.className)), depth + 1);
    }
  };
  const object = (className: string, depth = 0): MeshObjectBase => {
    const info = classInfo(className)!;
    const out: Record<string, unknown> = { $class: className };
    for (const m of info.members) {
      const nested = m.type.kind === 'struct' || m.type.kind === 'tagged';
      if (int(3) === 0 || (nested && depth >= 3)) continue;
      out[m.name] = m.list ? Array.from({ length: int(4) }, () => value(m.type, depth)) : value(m.type, depth);
    }
    return out as unknown as MeshObjectBase;
  };
  return { object };
}
