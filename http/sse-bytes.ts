// Bytes written to many SSE connections: built once, with their HTTP/1.1 chunk framing, so a connection writes the
// same Buffer every other one writes (no copy, no allocation per connection). A run is consecutive frames in one such
// Buffer; a connection that takes only part of it (a cursor inside it, or too little room) gets its own copy.

export interface SharedBytes {
  /** The SSE bytes. */
  readonly body: Buffer;
  /** The same bytes as one HTTP/1.1 chunk (`<hex length>\r\n<body>\r\n`); `body` is a view into it. */
  readonly chunk: Buffer;
}

/** Frames serialised back to back; frame i ends at `ends[i]` (and starts where frame i − 1 ends, or at 0). */
export interface FrameRun {
  readonly bytes: SharedBytes;
  readonly ends: readonly number[];
}

export function sharedBytes(parts: readonly Buffer[] | string): SharedBytes {
  const buffers = typeof parts === 'string' ? [Buffer.from(parts)] : parts;
  let length = 0;
  for (const part of buffers) length += part.length;
  const head = `${length.toString(16)}\r\n`;
  const chunk = Buffer.allocUnsafe(head.length + length + 2);
  let at = chunk.write(head, 0, 'latin1');
  for (const part of buffers) at += part.copy(chunk, at);
  chunk.write('\r\n', at, 'latin1');
  return { body: chunk.subarray(head.length, head.length + length), chunk };
}

/** Frames `from` up to (not including) `to` of a run: the run's own bytes when that is all of it. */
export function runSlice(run: FrameRun, from: number, to: number): SharedBytes {
  if (from === 0 && to === run.ends.length) return run.bytes;
  const start = from === 0 ? 0 : run.ends[from - 1]!;
  return sharedBytes([run.bytes.body.subarray(start, run.ends[to - 1])]);
}
