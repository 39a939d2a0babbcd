// Small helpers for async byte streams. A ChunkReader re-chunks input of any piece sizes without
// accumulating: it keeps only the pieces needed for the next read, so memory does not grow with input.

/** Pulls pieces from a source on demand and hands out exact-length reads. */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly pieces: Uint8Array[] = [];
  private head = 0; // offset into pieces[0]
  private buffered = 0;
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Bytes buffered now. */
  get available(): number {
    return this.buffered;
  }

  /** True once the source is exhausted (what is buffered is all there is). */
  get ended(): boolean {
    return this.done;
  }

  /** Pulls until at least `n` bytes are buffered or the source ends; returns the bytes buffered. */
  async ensure(n: number): Promise<number> {
    while (this.buffered < n && !this.done) {
      const r = await this.iterator.next();
      if (r.done) {
        this.done = true;
        break;
      }
      if (!(r.value instanceof Uint8Array)) throw new TypeError(`stream expected Uint8Array pieces, got ${typeof r.value}`);
      if (r.value.length === 0) continue;
      this.pieces.push(r.value);
      this.buffered += r.value.length;
    }
    return this.buffered;
  }

  /** Returns the next `n` buffered bytes without consuming them (a copy only when they span pieces). */
  peek(n: number): Uint8Array {
    return this.take(n, false);
  }

  /**
   * Consumes `n` buffered bytes. The result is a view into the source's piece when it lies within one
   * piece, else a fresh copy; callers must not keep it past the next source read if the source reuses buffers.
   */
  read(n: number): Uint8Array {
    return this.take(n, true);
  }

  /** Consumes and discards everything the source still has; returns how many bytes that was. */
  async drain(): Promise<number> {
    let total = this.buffered;
    this.pieces.length = 0;
    this.head = 0;
    this.buffered = 0;
    while (!this.done) {
      const r = await this.iterator.next();
      if (r.done) this.done = true;
      else total += r.value.length;
    }
    return total;
  }

  private take(n: number, consume: boolean): Uint8Array {
    if (n > this.buffered) throw new RangeError(`"n" expected at most ${this.buffered} buffered bytes, got ${n}`);
    const first = this.pieces[0];
    if (n === 0) return new Uint8Array(0);
    if (first.length - this.head >= n) {
      const view = first.subarray(this.head, this.head + n);
      if (consume) this.advance(n);
      return view;
    }
    const out = new Uint8Array(n);
    let copied = 0;
    let index = 0;
    let offset = this.head;
    while (copied < n) {
      const piece = this.pieces[index];
      const count = Math.min(piece.length - offset, n - copied);
      out.set(piece.subarray(offset, offset + count), copied);
      copied += count;
      index++;
      offset = 0;
    }
    if (consume) this.advance(n);
    return out;
  }

  private advance(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const left = this.pieces[0].length - this.head;
      if (n < left) {
        this.head += n;
        return;
      }
      n -= left;
      this.pieces.shift();
      this.head = 0;
    }
  }
}

/** Yields `bytes` in pieces of `pieceSize` (views, no copies). */
export async function* bytesToStream(bytes: Uint8Array, pieceSize = 1 << 16): AsyncIterable<Uint8Array> {
  if (bytes.length === 0) return;
  for (let i = 0; i < bytes.length; i += pieceSize) yield bytes.subarray(i, Math.min(bytes.length, i + pieceSize));
}

/** Collects a stream into one array, allocating once at the end. */
export async function collectStream(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const p of stream) {
    parts.push(p);
    total += p.length;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
