import { MeshError } from '../errors.js';
import { MESH_CLASSES, type ClassDefinition } from './classes.js';

/**
 * The class table (classes.ts) resolved for the codec: member types parsed, inherited members
 * placed first, alias names indexed, subclass relations computed. Built once, on first use (an
 * import runs no code); a table that contradicts itself throws `MESH_BAD_ARGUMENT` naming the class.
 */

/** Scalar member types and their wire forms (mesh-model.md §0 type vocabulary). */
export type ScalarKind = 'String' | 'Integer' | 'Float' | 'Boolean' | 'Binary' | 'DateTime';

/** A member's type. */
export type MemberType =
  | { readonly kind: 'scalar'; readonly scalar: ScalarKind }
  /** An untagged object of exactly this class. */
  | { readonly kind: 'struct'; readonly className: string }
  /** A one-member object naming this class or a subclass. */
  | { readonly kind: 'tagged'; readonly className: string }
  /** A DARE envelope; `payload` is the class its payload holds (tagged), when the schema says. */
  | { readonly kind: 'envelope'; readonly payload: string | undefined };

/** One member of a class, inherited members included. */
export interface MemberInfo {
  /** Wire name (also the property name of the TypeScript object). */
  readonly name: string;
  readonly type: MemberType;
  /** A list (`[]` in the table): a JSON array on the wire. */
  readonly list: boolean;
  /** The class that declares it. */
  readonly declaredBy: string;
}

/** A resolved class. */
export interface ClassInfo {
  readonly name: string;
  readonly doc: string;
  readonly abstract: boolean;
  readonly parent: string | undefined;
  /** Every member in wire order: the root ancestor's first. */
  readonly members: readonly MemberInfo[];
  readonly byName: ReadonlyMap<string, MemberInfo>;
  /** Older wire name → member (inherited aliases included). */
  readonly aliases: ReadonlyMap<string, MemberInfo>;
  /** This class and its ancestors, nearest first. */
  readonly lineage: readonly string[];
  /** Encoding of the payload when this class is sealed (mesh-model.md §5.4). */
  readonly payload: 'json' | 'jsonb';
}

const SCALARS: ReadonlySet<string> = new Set(['String', 'Integer', 'Float', 'Boolean', 'Binary', 'DateTime']);
const TABLE: Readonly<Record<string, ClassDefinition>> = MESH_CLASSES;

function schemaError(className: string, message: string): never {
  throw new MeshError('MESH_BAD_ARGUMENT', `mesh schema: ${className}: ${message}`, { className });
}

/** Parses a member type of the table (`KeyData`, `Tagged<Key>[]`, `Enveloped<ProfileDevice>` …). */
export function parseMemberType(text: string, where = 'member'): { type: MemberType; list: boolean } {
  const list = text.endsWith('[]');
  const base = list ? text.slice(0, -2) : text;
  const generic = /^(Tagged|Enveloped)<([A-Za-z][A-Za-z0-9]*)>$/.exec(base);
  let type: MemberType;
  if (SCALARS.has(base)) type = { kind: 'scalar', scalar: base as ScalarKind };
  else if (base === 'Envelope') type = { kind: 'envelope', payload: undefined };
  else if (generic !== null) type = generic[1] === 'Tagged' ? { kind: 'tagged', className: generic[2]! } : { kind: 'envelope', payload: generic[2]! };
  else if (/^[A-Za-z][A-Za-z0-9]*$/.test(base)) type = { kind: 'struct', className: base };
  else return schemaError(where, `cannot read member type '${text}'`);
  return { type, list };
}

interface Model {
  readonly classes: ReadonlyMap<string, ClassInfo>;
  /** Class → every class that has it in its lineage (itself included). */
  readonly families: ReadonlyMap<string, readonly string[]>;
}

let model: Model | undefined;

function build(): Model {
  const classes = new Map<string, ClassInfo>();
  const resolving = new Set<string>();
  const resolve = (name: string): ClassInfo => {
    const done = classes.get(name);
    if (done !== undefined) return done;
    const def = TABLE[name];
    if (def === undefined) return schemaError(name, 'no such class');
    if (resolving.has(name)) return schemaError(name, 'inherits from itself');
    resolving.add(name);
    const parent = def.inherits === undefined ? undefined : resolve(def.inherits);
    const members: MemberInfo[] = [...(parent?.members ?? [])];
    const byName = new Map(parent?.byName ?? []);
    for (const [member, text] of Object.entries(def.members ?? {})) {
      if (byName.has(member)) schemaError(name, `member ${member} is declared twice`);
      const { type, list } = parseMemberType(text, `${name}.${member}`);
      const info: MemberInfo = { name: member, type, list, declaredBy: name };
      members.push(info);
      byName.set(member, info);
    }
    const aliases = new Map(parent?.aliases ?? []);
    for (const [alias, target] of Object.entries(def.aliases ?? {})) {
      const info = byName.get(target);
      if (info === undefined) schemaError(name, `alias ${alias} names no member ${target}`);
      if (byName.has(alias)) schemaError(name, `alias ${alias} is also a member`);
      aliases.set(alias, info);
    }
    const info: ClassInfo = {
      name, doc: def.doc, abstract: def.abstract === true, parent: parent?.name, members, byName, aliases,
      lineage: [name, ...(parent?.lineage ?? [])], payload: def.payload ?? parent?.payload ?? 'json',
    };
    resolving.delete(name);
    classes.set(name, info);
    return info;
  };
  for (const name of Object.keys(TABLE)) resolve(name);
  const ordered = new Map(Object.keys(TABLE).map((n) => [n, classes.get(n)!] as const));
  const families = new Map<string, string[]>();
  for (const c of ordered.values()) {
    for (const ancestor of c.lineage) {
      const f = families.get(ancestor) ?? [];
      f.push(c.name);
      families.set(ancestor, f);
    }
  }
  // Every class a member refers to must exist.
  for (const c of ordered.values()) {
    for (const m of c.members) {
      const ref = m.type.kind === 'struct' || m.type.kind === 'tagged' ? m.type.className : m.type.kind === 'envelope' ? m.type.payload : undefined;
      if (ref !== undefined && !classes.has(ref)) schemaError(c.name, `member ${m.name} refers to unknown class ${ref}`);
    }
  }
  return { classes: ordered, families };
}

function current(): Model {
  model ??= build();
  return model;
}

/** The resolved class, or `undefined` for a name the schema does not define. */
export function classInfo(name: string): ClassInfo | undefined {
  return current().classes.get(name);
}

/** Every class name, in table order. */
export function classNames(): string[] {
  return [...current().classes.keys()];
}

/** True when `name` is `base` or inherits from it. */
export function isKindOf(name: string, base: string): boolean {
  return current().classes.get(name)?.lineage.includes(base) ?? false;
}

/** `base` and every class that inherits from it, in table order. */
export function family(base: string): readonly string[] {
  return current().families.get(base) ?? [];
}
