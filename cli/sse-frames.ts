// The one Server-Sent Events frame parser (CLI watch commands, tests, benchmarks): frames that carry JSON data,
// per the WHATWG event-stream rules — any line ending, `field:value` with one optional space, multi-line data
// joined by "\n", comments skipped, and a frame without an `id:` keeping the last id seen (the browser's rule).
export interface SseFrame {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** Incremental parser: feed decoded text, get the complete frames it closed; `end` marks the end of the body. A
 * `retry:` field (the server's reconnection time in ms) is told to `onRetry`. */
export function createSseParser(onRetry?: (ms: number) => void): (text: string, end?: boolean) => SseFrame[] {
  let buffer = '';
  let lastId: string | undefined;
  let fields: { id?: string; event?: string; data: string[] } = { data: [] };
  return (text, end = false) => {
    buffer += text;
    const frames: SseFrame[] = [];
    // A trailing "\r" may be the first half of "\r\n": keep it until the next chunk (or the end) says.
    const lines = buffer.split(end ? /\r\n|\r|\n/ : /\r\n|\r(?!$)|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (fields.id !== undefined) lastId = fields.id;
        if (fields.data.length > 0) {
          frames.push({ id: lastId ?? '', event: fields.event ?? 'message', data: JSON.parse(fields.data.join('\n')) as Record<string, unknown> });
        }
        fields = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'data') fields.data.push(value);
      else if (name === 'id' || name === 'event') fields[name] = value;
      else if (name === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value));
    }
    return frames;
  };
}

/** Frames of a streaming response body, in order; ends when the body does (or throws when it is aborted). */
export async function* readSseFrames(response: Response, onRetry?: (ms: number) => void): AsyncGenerator<SseFrame> {
  if (response.body === null) return;
  const decoder = new TextDecoder();
  const parse = createSseParser(onRetry);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    yield* parse(decoder.decode(chunk, { stream: true }));
  }
  yield* parse(decoder.decode(), true);
}
