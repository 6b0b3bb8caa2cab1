import { createReadStream } from 'node:fs';
import { defaultRandom, type RandomSource } from '../udf/random.js';

/**
 * What the `mesh` CLI touches outside itself, injectable so tests run it in-process: text output,
 * the bytes of standard input and output (`-` as a file argument), file input for hashing
 * (streamed, so large files are hashed in constant memory) and randomness.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The bytes of a file, in chunks. */
  readChunks(path: string): AsyncIterable<Uint8Array>;
  /** Standard input, in chunks (`-` as an input file). */
  stdin(): AsyncIterable<Uint8Array>;
  /** Writes bytes to standard output (`-` as an output file); resolves when they are taken (backpressure). */
  writeStdout(bytes: Uint8Array): Promise<void>;
  random: RandomSource;
}

/** The real process: stdout/stderr, files streamed with node:fs, `crypto.getRandomValues`. */
export const nodeIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readChunks: (path) => createReadStream(path) as AsyncIterable<Uint8Array>,
  stdin: () => process.stdin as AsyncIterable<Uint8Array>,
  writeStdout: (bytes) => new Promise<void>((resolve, reject) => {
    const out = process.stdout;
    const onError = (e: Error) => reject(e);
    out.once('error', onError);
    // The callback runs once the bytes are handed to the OS (or failed): one chunk in flight at a time.
    out.write(bytes, (e) => {
      out.removeListener('error', onError);
      if (e) reject(e);
      else resolve();
    });
  }),
  random: defaultRandom,
};

/** Thrown by a command to end with a status and a message on stderr (no stack trace). */
export class CliExit extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'CliExit';
  }
}
