/**
 * The Mesh host (sdk/mesh/host) on each runtime's home adapters: memory everywhere, the Node
 * folder on Node, OPFS and IndexedDB in Chromium. Test names end in ` (<home>)`, stripped by
 * scripts/test-runtimes.mjs when it compares a runtime's test set with Node's.
 */
import { MemoryHome } from '../../adapters/home/memory.js';
import { MeshError, MeshHost, storeSequenceName, type CatalogedCredential, type HomeStorage } from '../../sdk/mesh/index.js';
import type { Suite } from './harness.js';

/** How a runtime makes fresh homes of one adapter. */
export interface HomeFactory {
  readonly label: string;
  /** A new, empty home (a unique name per call). */
  make(): Promise<HomeStorage>;
}

export function memoryHomeFactory(): HomeFactory {
  return { label: 'memory', make: async () => new MemoryHome() };
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

async function codeOf(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (e instanceof MeshError) return e.code;
    throw e;
  }
  return 'no-throw';
}

/** The host suite over the given home factories. */
export function hostSuite(factories: readonly HomeFactory[]): Suite {
  return ({ describe, it, expect }) => {
    describe('mesh host homes', () => {
      for (const f of factories) {
        const at = ` (${f.label})`;

        it(`the home contract: records replaced whole, exclusive create, listing, sequences${at}`, async () => {
          const home = await f.make();
          expect(await home.readRecord('a/b.json')).toBe(undefined);
          await home.writeRecord('a/b.json', bytes('one'));
          await home.writeRecord('a/b.json', bytes('two'));
          expect(text(await home.readRecord('a/b.json'))).toBe('two');
          expect(await home.createRecord('a/c.json', bytes('first'))).toBe(true);
          expect(await home.createRecord('a/c.json', bytes('second'))).toBe(false);
          expect(text(await home.readRecord('a/c.json'))).toBe('first');
          const seq = await home.openSequence('a/s/x.dare', { write: true });
          await seq.append(bytes('frame'));
          await seq.close();
          expect(await home.list('a')).toEqual(['b.json', 'c.json', 's']);
          const r = await home.openSequence('a/s/x.dare');
          expect(text(await r.read(0, r.size))).toBe('frame');
          await r.close();
          expect((await home.openSequence('a/s/absent.dare')).size).toBe(0);
          await home.deleteRecord('a/b.json');
          await home.deleteSequence('a/s/x.dare');
          expect(await home.readRecord('a/b.json')).toBe(undefined);
          expect((await home.openSequence('a/s/x.dare')).size).toBe(0);
          expect(await codeOf(() => home.writeRecord('../escape', bytes('x')))).toBe('MESH_BAD_ARGUMENT');
        });

        it(`an account: create under a passphrase, reopen, escrow, recover on a second home${at}`, async () => {
          const home = await f.make();
          const host = await MeshHost.open(home, { passphrase: 'portable', kdf: { logN: 10 } });
          const alice = await host.createAccount('alice@example.com');
          const c = await alice.catalog('credential');
          await c.put({ $class: 'CatalogedCredential', Service: 'ftp.example.com', Username: 'alice1', Password: 'pw' });
          await c.close();
          expect(await codeOf(async () => (await MeshHost.open(home, { passphrase: 'wrong' })).account())).toBe('MESH_BAD_PASSPHRASE');
          const again = await (await MeshHost.open(home, { passphrase: 'portable' })).account();
          const c2 = await again.catalog('credential');
          expect(c2.list().map((e) => e.Password)).toEqual(['pw']);
          await c2.close();
          const shares = again.escrow({ shares: 3, quorum: 2 });
          const other = await MeshHost.open(await f.make(), { kdf: { logN: 10 } });
          const recovered = await other.recoverAccount(shares.slice(1), {
            stores: async (label) => {
              const s = await home.openSequence(storeSequenceName(alice.udf, label));
              try {
                return s.size === 0 ? undefined : await s.read(0, s.size);
              } finally {
                await s.close();
              }
            },
          });
          expect(recovered.udf).toBe(alice.udf);
          const c3 = await recovered.catalog('credential');
          expect(c3.list().map((e) => e.Password)).toEqual(['pw']);
          await c3.close();
        });
      }
    });
  };
}
