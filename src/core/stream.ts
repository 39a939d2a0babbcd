// Small helpers for async byte streams. A ChunkReader re-chunks input of any piece sizes without
// accumulating: it keeps only the bytes needed for the next read, so memory does not grow with input.

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Pulls pieces from a source on demand and hands out exact-length reads. It never keeps a source's
 * piece across a pull: bytes still unread when it must pull again are first copied into its own spill
 * buffer, so a source may reuse a piece's memory as soon as the next piece is requested.
 */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  // Buffered bytes are spill[spillStart..spillEnd] followed by piece[pieceStart..]; only `piece` is the source's.
  private spill: Uint8Array = EMPTY;
  private spillStart = 0;
  private spillEnd = 0;
  private piece: Uint8Array = EMPTY;
  private pieceStart = 0;
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Bytes buffered now. */
  get available(): number {
    return this.spillEnd - this.spillStart + (this.piece.length - this.pieceStart);
  }

  /** True once the source is exhausted (what is buffered is all there is). */
  get ended(): boolean {
    return this.done;
  }

  /** Pulls until at least `n` bytes are buffered or the source ends; returns the bytes buffered. */
  async ensure(n: number): Promise<number> {
    while (this.available < n && !this.done) {
      this.spillPiece();
      const r = await this.iterator.next();
      if (r.done) {
        this.done = true;
        break;
      }
      if (!(r.value instanceof Uint8Array)) throw new TypeError(`stream expected Uint8Array pieces, got ${typeof r.value}`);
      this.piece = r.value;
      this.pieceStart = 0;
    }
    return this.available;
  }

  /** Returns the next `n` buffered bytes without consuming them (a copy only when they span the buffers). */
  peek(n: number): Uint8Array {
    return this.take(n, false);
  }

  /**
   * Consumes `n` buffered bytes. The result is a view into the source's piece, or into the spill buffer
   * (bytes that span both are first moved there); callers must not keep it past the next `ensure`,
   * `peek` or `read` (the spill buffer is reused, and so may the source reuse its pieces).
   */
  read(n: number): Uint8Array {
    return this.take(n, true);
  }

  /**
   * Tells the source that no more pieces are wanted (its `return()`: a file reader closes its
   * descriptor there) and drops the buffers. Every reader that stops early must call it, on failure
   * paths too, or a long-lived host (the extension) leaks a descriptor per damaged file. Idempotent;
   * a source that already ended is not told again. An error from `return()` itself is ignored: the
   * caller is already reporting why it stopped.
   */
  async close(): Promise<void> {
    const wasDone = this.done;
    this.done = true;
    this.spill = this.piece = EMPTY;
    this.spillStart = this.spillEnd = this.pieceStart = 0;
    if (wasDone) return;
    try {
      await this.iterator.return?.();
    } catch {
      // see above
    }
  }

  /** Consumes and discards everything the source still has; returns how many bytes that was. */
  async drain(): Promise<number> {
    let total = this.available;
    this.spillStart = this.spillEnd = 0;
    this.piece = EMPTY;
    this.pieceStart = 0;
    while (!this.done) {
      const r = await this.iterator.next();
      if (r.done) this.done = true;
      else total += r.value.length;
    }
    return total;
  }

  /** Moves the unread rest of the source's piece into the spill buffer. */
  private spillPiece(): void {
    this.moveToSpill(this.piece.length - this.pieceStart);
    this.piece = EMPTY;
    this.pieceStart = 0;
  }

  /** Moves the next `count` bytes of the source's piece to the end of the spill buffer, growing it only when needed. */
  private moveToSpill(count: number): void {
    if (count === 0) return;
    const spilled = this.spillEnd - this.spillStart;
    if (this.spill.length - this.spillEnd < count) {
      if (spilled + count <= this.spill.length) {
        this.spill.copyWithin(0, this.spillStart, this.spillEnd);
      } else {
        const grown = new Uint8Array(Math.max(spilled + count, 2 * this.spill.length));
        grown.set(this.spill.subarray(this.spillStart, this.spillEnd));
        this.spill = grown;
      }
      this.spillStart = 0;
      this.spillEnd = spilled;
    }
    this.spill.set(this.piece.subarray(this.pieceStart, this.pieceStart + count), this.spillEnd);
    this.spillEnd += count;
    this.pieceStart += count;
  }

  private take(n: number, consume: boolean): Uint8Array {
    if (n > this.available) throw new RangeError(`"n" expected at most ${this.available} buffered bytes, got ${n}`);
    if (n === 0) return new Uint8Array(0);
    let spilled = this.spillEnd - this.spillStart;
    if (spilled > 0 && spilled < n) {
      // Spans both: assemble it in the spill buffer, reused, rather than in a fresh array per read.
      this.moveToSpill(n - spilled);
      spilled = n;
    }
    const out = spilled === 0 ? this.piece.subarray(this.pieceStart, this.pieceStart + n) : this.spill.subarray(this.spillStart, this.spillStart + n);
    if (consume) {
      const fromSpill = Math.min(spilled, n);
      this.spillStart += fromSpill;
      if (this.spillStart === this.spillEnd) this.spillStart = this.spillEnd = 0;
      this.pieceStart += n - fromSpill;
    }
    return out;
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
