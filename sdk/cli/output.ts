import { safeJson } from './escape.js';
import type { CliIo } from './io.js';

/**
 * How every `mesh` command prints: a result as text for people or, with `--json`, one JSON
 * object on one line for programs (same facts, escaped by `safeJson` so nothing a terminal acts
 * on gets through); warnings and diagnostics as `mesh: …` lines on stderr, never mixed into a
 * result. Commands whose payload goes to standard output (`-`) print their result to stderr.
 */

/** Prints a command's result: `value` as JSON with `json`, else `text` (nothing when empty). */
export function printResult(write: (text: string) => void, json: boolean, value: Record<string, unknown>, text: string): void {
  if (json) write(safeJson(value) + '\n');
  else if (text !== '') write(text + '\n');
}

/** A warning: the command goes on, and says what the user may not expect. */
export function warn(io: CliIo, text: string): void {
  io.stderr(`mesh: warning: ${text}\n`);
}
