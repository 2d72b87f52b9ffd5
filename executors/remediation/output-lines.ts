// Splits a child's raw output into log lines in bounded memory: a line longer than MAX_LINE_BYTES keeps as much of
// its start as fits with CUT_MARK (cut back to a UTF-8 character boundary), ends with CUT_MARK, and the rest of it is
// skipped. Linear in the input, whether or not it holds newlines.

/** The longest log line, the mark of a cut line included (the log table keeps 8192 characters). */
export const MAX_LINE_BYTES = 8192;
export const CUT_MARK = ' [line cut at 8 KiB]';

export interface LineSplitter {
  push(chunk: Buffer): void;
  /** Flush an unterminated last line. */
  end(): void;
}

/** Back off from `end` while it would split a multi-byte UTF-8 character. */
function characterBoundary(piece: Buffer, end: number): number {
  let at = end;
  while (at > 0 && at < piece.length && ((piece[at] as number) & 0xc0) === 0x80) at--;
  return at;
}

export function createLineSplitter(onLine: (line: string, cut: boolean) => void, maxLineBytes = MAX_LINE_BYTES): LineSplitter {
  const maxBytes = maxLineBytes - CUT_MARK.length;
  let parts: Buffer[] = [];
  let size = 0;
  let cut = false;
  const take = (piece: Buffer) => {
    if (cut || piece.length === 0) return;
    const room = maxBytes - size;
    const kept = piece.length <= room ? piece : piece.subarray(0, characterBoundary(piece, room));
    // A copy: a slice would pin the whole (64 KiB) chunk it came from.
    parts.push(Buffer.from(kept));
    size += kept.length;
    if (kept.length < piece.length) cut = true;
  };
  const flush = () => {
    let line = Buffer.concat(parts, size).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    onLine(cut ? `${line}${CUT_MARK}` : line, cut);
    parts = [];
    size = 0;
    cut = false;
  };
  return {
    push(chunk) {
      let start = 0;
      for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
        take(chunk.subarray(start, newline));
        flush();
        start = newline + 1;
      }
      take(chunk.subarray(start));
    },
    end() {
      if (size > 0 || cut) flush();
    },
  };
}
