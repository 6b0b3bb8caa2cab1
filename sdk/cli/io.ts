import { createReadStream } from 'node:fs';
import { defaultRandom, type RandomSource } from '../udf/random.js';

/**
 * What the `mesh` CLI touches outside itself, injectable so tests run it in-process: output
 * streams, file input (streamed, so large files are hashed in constant memory) and randomness.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The bytes of a file, in chunks. */
  readChunks(path: string): AsyncIterable<Uint8Array>;
  random: RandomSource;
}

/** The real process: stdout/stderr, files streamed with node:fs, `crypto.getRandomValues`. */
export const nodeIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readChunks: (path) => createReadStream(path) as AsyncIterable<Uint8Array>,
  random: defaultRandom,
};

/** Thrown by a command to end with a status and a message on stderr (no stack trace). */
export class CliExit extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'CliExit';
  }
}
