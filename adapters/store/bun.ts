/**
 * The {@link SequenceStore} adapter for Bun: the Node adapter, unchanged. Bun implements the
 * `node:fs` calls it makes (`openSync` with `O_CREAT|O_EXCL`-style `wx` lock files, positional
 * `writeSync`/`readSync`, `fsyncSync`, `ftruncateSync`, `process.kill(pid, 0)` for stale locks)
 * with the same semantics, and the portable sequence suite runs it under Bun
 * (test/runtimes/bun.ts) to keep that true. So the durability default (`'fsync'`: every
 * acknowledged append has been fsync'ed), group commit, the `FILE.lock` writer lock (a second
 * writer gets `DARE_LOCKED`; Node, Bun and Deno writers exclude each other) and torn-tail handling
 * are exactly those documented on {@link NodeFileStore}.
 */
export { NodeFileStore as BunFileStore } from './node-fs.js';
