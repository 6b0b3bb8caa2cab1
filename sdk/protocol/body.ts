/**
 * Reading a body stream with a byte cap (Fetch `ReadableStream`, every runtime): the reader stops
 * — and cancels the stream — as soon as the count passes the cap, so an oversize body is never
 * held whole. Shared by the fetch client and the fetch-style server handler.
 */

/** The stream's bytes, or `undefined` once more than `max` bytes arrived (the stream is cancelled). */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | undefined> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** A declared Content-Length over `max` (a missing or unparsable one is not: the capped read decides). */
export function declaredOver(contentLength: string | null, max: number): boolean {
  if (contentLength === null || !/^\d+$/.test(contentLength.trim())) return false;
  return Number(contentLength.trim()) > max;
}

/** The bytes as a view on a plain ArrayBuffer (what Fetch bodies and byte-sequence serializers take); copied only when shared. */
export function ownBytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b);
}
