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
  /** Environment (MESH_HOME, MESH_PASSPHRASE…); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Asks for a secret without echo; `undefined` when there is no terminal to ask on. */
  promptSecret?(question: string): Promise<string | undefined>;
  /** scrypt cost of new homes and exports (tests lower it; sdk/mesh/host/kdf.ts keeps the floor). */
  kdfLogN?: number;
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
  env: process.env,
  promptSecret: promptOnTerminal,
};

/**
 * Reads a line from the terminal with echo off (raw mode), the question on stderr. No terminal
 * (piped input, CI): `undefined`, and the command says which variable to set instead.
 */
async function promptOnTerminal(question: string): Promise<string | undefined> {
  const input = process.stdin;
  if (!input.isTTY || typeof input.setRawMode !== 'function') return undefined;
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  try {
    return await new Promise<string | undefined>((resolve) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return done(text);
          if (ch === '\u0003' || ch === '\u0004') return done(undefined);
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else text += ch;
        }
      };
      const done = (v: string | undefined): void => {
        input.off('data', onData);
        resolve(v);
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    process.stderr.write('\n');
  }
}

/** Thrown by a command to end with a status and a message on stderr (no stack trace). */
export class CliExit extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'CliExit';
  }
}
