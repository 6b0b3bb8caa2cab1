import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Garbage collection paced by the bytes a command streams, so that a file of any size runs in
 * the same few MiB of buffers. Each payload chunk leaves a chunk-sized buffer behind (what
 * node:crypto returns for the chunk it encrypts or decrypts: it cannot write into a buffer of
 * ours). V8 sees that memory only as "external" bytes and collects it late — after about 32 MiB
 * of young buffers, or 64 MiB of external growth — and the allocator keeps the pages it handed
 * out, so a streamed gigabyte peaked 30–40 MiB above what the stream holds live. Collecting the
 * young generation every {@link MINOR_EVERY} bytes (longer than a chunk stays in flight, so a
 * chunk lives through at most one and is not promoted) and the whole heap every
 * {@link MAJOR_EVERY} (for the chunks promoted anyway) keeps the garbage to a few chunks, for
 * about 160 collections per GiB.
 *
 * The collector is V8's `gc` function, exposed by flag at the first use (the CLI owns its
 * process; the SDK never does this). The `mesh` launcher (bin/mesh.js) also stops V8 from
 * growing the young generation for `mesh dare` commands (`--semi-space-growth-factor=1`, set
 * before the CLI's code loads, which is when it grows): it otherwise doubles to 2 × 16 MiB
 * during a stream — an 8–12 MiB higher peak for nothing, as only a few chunks' JS objects live
 * there. Where the flags cannot be set (a runtime without V8 flags), pacing is off and memory
 * is what the runtime's own collector makes of it.
 */
export type GcPacer = (bytes: number) => void;

type Collect = (options?: { type?: 'minor' | 'major' }) => void;

/** Young-generation collection after this many bytes streamed. */
export const MINOR_EVERY = 8 * 1024 * 1024;
/** Full collection after this many bytes streamed. */
export const MAJOR_EVERY = 32 * 1024 * 1024;

let collect: Collect | null | undefined;

function collector(): Collect | undefined {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      // A new context is given the `gc` function the flag exposes (the current one was made before).
      const gc: unknown = runInNewContext('gc');
      collect = typeof gc === 'function' ? (gc as Collect) : null;
    } catch {
      collect = null;
    }
  }
  return collect ?? undefined;
}

/** A pacer for one stream: call it with the size of each chunk read. */
export function gcPacer(): GcPacer {
  const gc = collector();
  if (gc === undefined) return () => undefined;
  let sinceMinor = 0;
  let sinceMajor = 0;
  return (bytes) => {
    sinceMinor += bytes;
    sinceMajor += bytes;
    if (sinceMajor >= MAJOR_EVERY) {
      sinceMajor = 0;
      sinceMinor = 0;
      gc({ type: 'major' });
    } else if (sinceMinor >= MINOR_EVERY) {
      sinceMinor = 0;
      gc({ type: 'minor' });
    }
  };
}
