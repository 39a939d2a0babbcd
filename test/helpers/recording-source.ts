// A byte source in pieces of a given size that records whether it was closed (`return()`) or read to
// its end: a Node file reader closes its descriptor in `return()`, so a reader that forgets to call it
// leaks one descriptor per failure in the long-lived extension host.
export interface SourceState {
  returned: number;
  ended: boolean;
}

export function recordingSource(bytes: Uint8Array, pieceSize: number): { source: AsyncIterable<Uint8Array>; state: SourceState } {
  const state: SourceState = { returned: 0, ended: false };
  const source: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let offset = 0;
      return {
        async next() {
          if (offset >= bytes.length) {
            state.ended = true;
            return { done: true, value: undefined };
          }
          const piece = bytes.subarray(offset, offset + pieceSize);
          offset += pieceSize;
          return { done: false, value: piece };
        },
        async return() {
          state.returned++;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { source, state };
}
