// Server-Sent Events written straight to the Node response: headers, framed events with ids, heartbeats, TCP
// keep-alive, and dropping a client whose unsent bytes pass the limit.
import type { Context } from 'koa';
import { AppError } from '../core/errors.ts';

/** Why a connection ended: the peer left, it fell too far behind (`slow`), or the server ended it. */
export type SseCloseReason = 'client' | 'slow' | 'server';

export interface SseEventFrame {
  id?: number | string;
  event?: string;
  data: unknown;
  /** Reconnection delay the browser's EventSource adopts (SSE `retry:`). */
  retry?: number;
}

export interface SseConnection {
  readonly closed: boolean;
  /**
   * Write one event; false when the caller should wait for `onDrain` before more: the socket asked for a drain
   * and half the byte limit is already buffered (so a fast reader gets a whole page per catch-up, not 16 KiB).
   */
  send(event: SseEventFrame): boolean;
  comment(text: string): void;
  /** Bytes written and not yet taken by the kernel: the response's buffer plus the socket's. */
  buffered(): number;
  close(reason?: SseCloseReason): void;
  onClose(listener: (reason: SseCloseReason) => void): void;
  onDrain(listener: () => void): void;
}

export function formatSseEvent({ id, event, data, retry }: SseEventFrame): string {
  let frame = retry === undefined ? '' : `retry: ${retry}\n`;
  if (id !== undefined) frame += `id: ${id}\n`;
  if (event !== undefined) frame += `event: ${event}\n`;
  return `${frame}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * The id a client resumes after: `Last-Event-ID` header, else the `cursor` query parameter. Anything but a
 * non-negative safe integer is a 400 before the stream opens (a silently ignored id would restart at the head).
 */
export function resumeId(ctx: Context): number | undefined {
  const header = ctx.get('last-event-id');
  const cursor = typeof ctx.query.cursor === 'string' ? ctx.query.cursor : '';
  const [raw, path] = header !== '' ? [header, 'header.last-event-id'] : [cursor, 'query.cursor'];
  if (raw === '') return undefined;
  const id = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isSafeInteger(id)) return id;
  throw new AppError('validation-failed', `${path} must be a stream event id`, {
    errors: [{ path, code: 'invalid-event-id', message: 'must be a non-negative integer event id' }],
  });
}

export interface SseOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** Idle time before TCP keep-alive probes start (then 10 probes 1 s apart), so a vanished peer is noticed. */
  keepAliveMs: number;
}

export function openSse(ctx: Context, options: SseOptions): SseConnection {
  const { res } = ctx;
  const socket = ctx.req.socket;
  socket.setTimeout(0);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, options.keepAliveMs);
  // Written to the response directly (no intermediate stream): `res.writableLength` is every byte we hold.
  ctx.status = 200;
  ctx.respond = false;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });

  const listeners: ((reason: SseCloseReason) => void)[] = [];
  let closed = false;
  const close = (reason: SseCloseReason = 'server') => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    // A dropped client's buffered bytes are released now, not after it finally reads them.
    if (reason === 'slow') res.destroy();
    else res.end();
    for (const listener of listeners) listener(reason);
  };
  const write = (chunk: string): boolean => {
    if (closed) return false;
    if (res.writableLength + Buffer.byteLength(chunk) > options.maxBufferedBytes) {
      close('slow');
      return false;
    }
    return res.write(chunk);
  };
  const heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), options.heartbeatMs);
  res.on('close', () => close('client'));
  res.on('error', () => close('client'));
  write('retry: 2000\n\n');

  return {
    get closed() {
      return closed;
    },
    send: (event) => write(formatSseEvent(event)) || (!closed && res.writableLength < options.maxBufferedBytes / 2),
    comment: (text) => void write(`: ${text.replace(/\n/g, ' ')}\n\n`),
    buffered: () => res.writableLength,
    close,
    onClose: (listener) => void listeners.push(listener),
    onDrain: (listener) => void res.once('drain', listener),
  };
}
