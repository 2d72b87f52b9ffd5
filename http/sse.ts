// Server-Sent Events on a raw Koa response: headers, framed events with ids, heartbeats, and dropping slow clients.
import type { Context } from 'koa';
import { PassThrough } from 'node:stream';

export interface SseConnection {
  readonly closed: boolean;
  send(event: { id?: number | string; event?: string; data: unknown }): void;
  comment(text: string): void;
  close(): void;
  onClose(listener: () => void): void;
}

/** The id a client resumes after: `Last-Event-ID` header, else the `cursor` query parameter. */
export function resumeId(ctx: Context): number | undefined {
  const raw = ctx.get('last-event-id') || (typeof ctx.query.cursor === 'string' ? ctx.query.cursor : '');
  if (raw === '') return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

export function openSse(ctx: Context, options: { heartbeatMs: number; maxBufferedBytes: number }): SseConnection {
  const stream = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.req.socket.setKeepAlive(true);
  ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  ctx.status = 200;
  ctx.body = stream;

  const listeners: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    stream.end();
    for (const listener of listeners) listener();
  };
  const write = (chunk: string) => {
    if (closed) return;
    // A client that cannot keep up is dropped instead of buffering without bound for everyone.
    if (ctx.res.writableLength + stream.readableLength > options.maxBufferedBytes) {
      close();
      return;
    }
    stream.write(chunk);
  };
  const heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), options.heartbeatMs);
  ctx.req.on('close', close);
  stream.on('error', close);
  write('retry: 2000\n\n');

  return {
    get closed() {
      return closed;
    },
    send({ id, event, data }) {
      let frame = '';
      if (id !== undefined) frame += `id: ${id}\n`;
      if (event !== undefined) frame += `event: ${event}\n`;
      frame += `data: ${JSON.stringify(data)}\n\n`;
      write(frame);
    },
    comment: (text) => write(`: ${text.replace(/\n/g, ' ')}\n\n`),
    close,
    onClose: (listener) => listeners.push(listener),
  };
}
