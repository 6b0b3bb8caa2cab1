/**
 * Bytes pulled from a chunk source as a reader needs them (private to the streaming decoder).
 * Views it returns are valid until the next pull; bytes it keeps across a pull are copied first,
 * so the source may reuse its chunk buffers (source.ts). Memory is bounded by what the caller
 * asks to see at once, never by the input.
 */
export class ByteReader {
  /** Unconsumed bytes, oldest first; `at` indexes into the first. */
  private chunks: Uint8Array[] = [];
  private at = 0;
  private count = 0;
  /** True while the last chunk is the source's own buffer (to be copied before the next pull). */
  private lastIsSource = false;
  private done = false;
  private consumed = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Bytes available without pulling. */
  get available(): number {
    return this.count;
  }

  /** Offset of the next byte in the whole input. */
  get position(): number {
    return this.consumed;
  }

  /** True when the source has ended and every byte was consumed. */
  get atEnd(): boolean {
    return this.done && this.count === 0;
  }

  /** Pulls until `min` bytes are available or the source ends; true when they are. */
  async fill(min: number): Promise<boolean> {
    while (this.count < min && !this.done) {
      if (this.lastIsSource) {
        // The source may overwrite its buffer when asked for the next chunk: keep a copy.
        const last = this.chunks.length - 1;
        const start = last === 0 ? this.at : 0;
        this.chunks[last] = this.chunks[last]!.slice(start);
        if (last === 0) this.at = 0;
        this.lastIsSource = false;
      }
      const r = await this.source.next();
      if (r.done) {
        this.done = true;
        break;
      }
      this.chunks.push(r.value);
      this.count += r.value.length;
      this.lastIsSource = true;
    }
    return this.count >= min;
  }

  /** The byte `i` places ahead (it must be available). */
  peek(i = 0): number {
    let k = this.at + i;
    for (const c of this.chunks) {
      if (k < c.length) return c[k]!;
      k -= c.length;
    }
    throw new RangeError('ByteReader.peek past the available bytes');
  }

  /** Consumes `n` available bytes. */
  skip(n: number): void {
    while (n > 0) {
      const first = this.chunks[0]!;
      const here = Math.min(n, first.length - this.at);
      this.advance(here);
      n -= here;
    }
  }

  private advance(n: number): void {
    this.at += n;
    this.count -= n;
    this.consumed += n;
    if (this.at === this.chunks[0]!.length) {
      this.chunks.shift();
      this.at = 0;
      if (this.chunks.length === 0) this.lastIsSource = false;
    }
  }

  /** Up to `max` available bytes as a view, consumed (valid until the next pull). */
  take(max: number): Uint8Array {
    if (this.count === 0 || max <= 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    const n = Math.min(max, first.length - this.at);
    const v = first.subarray(this.at, this.at + n);
    this.advance(n);
    return v;
  }

  /** Every available byte, contiguous, not consumed (valid until the next pull). */
  window(): Uint8Array {
    if (this.chunks.length === 0) return new Uint8Array(0);
    if (this.chunks.length > 1) {
      const joined = new Uint8Array(this.count);
      let o = 0;
      for (const [i, c] of this.chunks.entries()) {
        const part = i === 0 ? c.subarray(this.at) : c;
        joined.set(part, o);
        o += part.length;
      }
      this.chunks = [joined];
      this.at = 0;
      this.lastIsSource = false;
    }
    return this.chunks[0]!.subarray(this.at);
  }

  /**
   * Skips whitespace (JSON's four, and 0C / 08 as JSON-B readers do), pulling as needed. True
   * when it skipped a 0C or 08, which JSON text does not allow.
   */
  async skipSpace(): Promise<boolean> {
    let jsonbOnly = false;
    for (;;) {
      while (this.count > 0) {
        const c = this.peek(0);
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x0c && c !== 0x08) return jsonbOnly;
        if (c === 0x0c || c === 0x08) jsonbOnly = true;
        this.skip(1);
      }
      if (!(await this.fill(1))) return jsonbOnly;
    }
  }

  /** Stops the source early (an error or a cancelled consumer). */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.source.return?.(undefined);
  }
}
