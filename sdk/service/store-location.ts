import { serviceError } from './store-errors.js';

/**
 * Where a Mesh service keeps its store, as an operator names it: `mesh service start --store
 * VALUE` or the `MESH_STORE` environment variable. Parsing only — opening is the composition
 * root's business (the CLI wires `EmbeddedServiceStore` or `PostgresServiceStore` from
 * `mathmesh/adapters/postgres`), so this module imports no adapter.
 *
 * - `postgres://USER:PASS@HOST:PORT/DB` (or `postgresql://…`; libpq URI syntax, query
 *   parameters such as `sslmode` pass through to the client). A `schema=NAME` parameter picks
 *   the schema (default `mathmesh`) and is removed from the URL handed to the client.
 * - `memory:` — nothing persists (tests).
 * - `file:DIR`, or any other text: a directory for the embedded store.
 */
export type StoreLocation =
  | { readonly kind: 'embedded'; readonly dir: string }
  | { readonly kind: 'memory' }
  | {
    readonly kind: 'postgres';
    /** The URL for the client (credentials included: never print it). */
    readonly url: string;
    /** The schema (`schema=` parameter), if given. */
    readonly schema?: string;
    /** The URL with its password replaced by `***`: for logs and messages. */
    readonly display: string;
  };

const POSTGRES = /^postgres(ql)?:\/\//i;

/**
 * Parses a store location (see {@link StoreLocation}); `SERVICE_BAD_ARGUMENT` for an empty
 * value or a PostgreSQL URL without host or database. Error messages never include the password.
 */
export function parseStoreLocation(text: string): StoreLocation {
  if (typeof text !== 'string' || text.trim() === '') throw serviceError('SERVICE_BAD_ARGUMENT', 'the store location is empty');
  if (text === 'memory:') return { kind: 'memory' };
  if (text.startsWith('file:')) {
    const dir = text.slice('file:'.length);
    if (dir === '') throw serviceError('SERVICE_BAD_ARGUMENT', 'file: names no directory');
    return { kind: 'embedded', dir };
  }
  if (!POSTGRES.test(text)) return { kind: 'embedded', dir: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw serviceError('SERVICE_BAD_ARGUMENT', `the PostgreSQL URL ${redactText(text)} is not a URL (postgres://USER:PASS@HOST:PORT/DB)`);
  }
  const display = redact(url);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (url.hostname === '' || database === '' || database.includes('/')) {
    throw serviceError('SERVICE_BAD_ARGUMENT', `the PostgreSQL URL ${display} needs a host and a database (postgres://USER:PASS@HOST:PORT/DB)`);
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return { kind: 'postgres', url: url.toString(), display: redact(url), ...(schema === undefined ? {} : { schema }) };
}

/**
 * The location a service uses: `--store` if given, else `MESH_STORE`, else the embedded store
 * in `defaultDir` (the `--data` directory, `./mesh-data` by default).
 */
export function resolveStoreLocation(options: { store?: string; env?: Readonly<Record<string, string | undefined>>; defaultDir?: string } = {}): StoreLocation {
  const given = options.store ?? options.env?.MESH_STORE;
  if (given !== undefined && given !== '') return parseStoreLocation(given);
  return { kind: 'embedded', dir: options.defaultDir ?? './mesh-data' };
}

/** A URL's text with its password replaced by `***`. */
function redact(url: URL): string {
  if (url.password === '') return url.toString();
  const copy = new URL(url.toString());
  copy.password = '***';
  return copy.toString();
}

/** Best effort for text that is not a URL: drop whatever sits between `//user:` and `@`. */
function redactText(text: string): string {
  return JSON.stringify(text.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').slice(0, 200));
}
