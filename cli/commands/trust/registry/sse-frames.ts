// Parses an SSE response body into frames that carry an id and JSON data (comments and retry hints are skipped).
export interface SseFrame {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

export async function* readSseFrames(response: Response): AsyncGenerator<SseFrame> {
  if (response.body === null) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields = new Map<string, string>();
      for (const raw of frame.split('\n')) {
        if (raw.startsWith(':')) continue;
        const colon = raw.indexOf(':');
        if (colon > 0) fields.set(raw.slice(0, colon), raw.slice(colon + 1).replace(/^ /, ''));
      }
      const id = fields.get('id');
      const data = fields.get('data');
      if (id !== undefined && data !== undefined) yield { id, event: fields.get('event') ?? 'message', data: JSON.parse(data) as Record<string, unknown> };
    }
  }
}
