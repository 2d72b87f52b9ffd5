// Server-Sent Events written straight to the socket: headers through the Node response, then each event-loop turn's
// frames in one socket write per connection (a writev when the turn queued several), heartbeats from one timer per
// interval shared by every connection (only to those that were quiet), TCP keep-alive, and dropping a client whose
// unsent bytes pass the limit.
// Shared bytes (http/sse-bytes.ts: a run of frames, a heartbeat) are written as they are, already chunk-framed.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from 'koa';
import { AppError } from '../core/errors.ts';
import { runSlice, sharedBytes, type FrameRun, type SharedBytes } from './sse-bytes.ts';

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
  /** Write one event; false when the caller should wait for `onDrain` before more (`full`). */
  send(event: SseEventFrame): boolean;
  /**
   * Write frames `from`… of a shared run, each in turn while less than half the byte limit is buffered (the first
   * always), hanging up (`slow`) on one that would pass the limit. Returns the index after the last frame written.
   * All of the run from 0 is written as the run's own bytes, not a copy.
   */
  sendRun(run: FrameRun, from: number): number;
  /** Half the byte limit is buffered: wait for `onDrain` (so a fast reader gets a whole page per catch-up, not 16 KiB). */
  full(): boolean;
  comment(text: string): void;
  /** Bytes written and not yet taken by the kernel: this turn's pending frames plus the socket's buffer. */
  buffered(): number;
  close(reason?: SseCloseReason): void;
  onClose(listener: (reason: SseCloseReason) => void): void;
  /** Called once, when the bytes buffered at the time of the call have been taken by the kernel. */
  onDrain(listener: () => void): void;
}

export function formatSseEvent({ id, event, data, retry }: SseEventFrame): string {
  let frame = retry === undefined ? '' : `retry: ${retry}\n`;
  if (id !== undefined) frame += `id: ${id}\n`;
  if (event !== undefined) frame += `event: ${event}\n`;
  return `${frame}data: ${JSON.stringify(data)}\n\n`;
}

const frames = new WeakMap<object, Buffer>();

/** The frame of a stream log row, serialised on first use and kept with the row object (one per group read). */
export function streamEventFrame(row: { id: number; event: string; payload: unknown }): Buffer {
  let frame = frames.get(row);
  if (frame === undefined) {
    frame = Buffer.from(formatSseEvent({ id: row.id, event: row.event, data: row.payload }));
    frames.set(row, frame);
  }
  return frame;
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

interface Writer {
  flush(): void;
  heartbeat(frame: SharedBytes): void;
  /** Heartbeat ticks (half an interval each) since the connection last wrote. */
  quiet: number;
}

// Connections with frames pending this turn, written together in one setImmediate.
const dirty = new Set<Writer>();
let flushScheduled = false;
function flushDirty(): void {
  flushScheduled = false;
  for (const writer of dirty) writer.flush();
  dirty.clear();
}
function markDirty(writer: Writer): void {
  dirty.add(writer);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushDirty);
  }
}

// One heartbeat timer per interval, running while at least one connection uses it, one frame per beat. It ticks
// every half interval and beats only the connections that wrote nothing for two ticks: never more than an interval
// of silence, and no heartbeat burst across every connection while events are flowing (it would delay them).
const beats = new Map<number, { timer: NodeJS.Timeout; writers: Set<Writer> }>();
function joinHeartbeat(intervalMs: number, writer: Writer): () => void {
  let beat = beats.get(intervalMs);
  if (beat === undefined) {
    const writers = new Set<Writer>();
    const timer = setInterval(() => {
      let frame: SharedBytes | undefined;
      for (const each of writers) {
        each.quiet += 1;
        if (each.quiet < 2) continue;
        frame ??= sharedBytes(`: heartbeat ${new Date().toISOString()}\n\n`);
        each.heartbeat(frame);
      }
    }, intervalMs / 2);
    beat = { timer, writers };
    beats.set(intervalMs, beat);
  }
  const { writers, timer } = beat;
  writers.add(writer);
  return () => {
    writers.delete(writer);
    if (writers.size === 0 && beats.get(intervalMs)?.writers === writers) {
      clearInterval(timer);
      beats.delete(intervalMs);
    }
  };
}

/**
 * One socket write for the turn's frames (corked into one writev when there are several), chunk-framed when the
 * response is chunked. Returns what to wait on for a drain when the write filled the buffer, else undefined.
 */
function writeShared(res: ServerResponse, parts: SharedBytes[]): Socket | ServerResponse | undefined {
  const { socket } = res;
  // A pipelined response that does not own its socket yet goes through the response, which frames and queues it.
  if (socket === null) return res.write(parts.length === 1 ? parts[0]!.body : Buffer.concat(parts.map((part) => part.body))) ? undefined : res;
  const wire = res.chunkedEncoding ? 'chunk' : 'body';
  if (parts.length === 1) return socket.write(parts[0]![wire]) ? undefined : socket;
  socket.cork();
  let room = true;
  for (const part of parts) room = socket.write(part[wire]);
  socket.uncork();
  return room ? undefined : socket;
}

export function openSse(ctx: Context, options: SseOptions): SseConnection {
  const { res } = ctx;
  const socket = ctx.req.socket;
  socket.setTimeout(0);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, options.keepAliveMs);
  ctx.status = 200;
  ctx.respond = false;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  // The head goes out now with the reconnection hint, in one write through the response; the body's later chunks
  // are written to the socket by `flush`.
  res.write('retry: 2000\n\n');

  const listeners: ((reason: SseCloseReason) => void)[] = [];
  const drainWaiters: (() => void)[] = [];
  const half = options.maxBufferedBytes / 2;
  let pending: SharedBytes[] = [];
  let pendingBytes = 0;
  let closed = false;
  let waitingForSocket = false;

  const buffered = () => pendingBytes + res.writableLength;
  const full = () => buffered() >= half;
  const fireDrain = () => {
    waitingForSocket = false;
    for (const listener of drainWaiters.splice(0)) listener();
  };
  /** Once nothing is pending, hand the waiters to the socket's drain (or now, when the kernel took everything). */
  let drainFrom: Socket | ServerResponse | undefined;
  const armDrain = () => {
    if (drainWaiters.length === 0 || waitingForSocket || pendingBytes > 0 || closed) return;
    if (drainFrom?.writableNeedDrain === true) {
      waitingForSocket = true;
      drainFrom.once('drain', fireDrain);
    } else queueMicrotask(fireDrain);
  };
  const writer: Writer = {
    flush() {
      if (closed || pending.length === 0) return;
      const parts = pending;
      pending = [];
      pendingBytes = 0;
      writer.quiet = 0;
      drainFrom = writeShared(res, parts);
      armDrain();
    },
    heartbeat: (frame) => void enqueue(frame),
    quiet: 0,
  };
  const leaveHeartbeat = joinHeartbeat(options.heartbeatMs, writer);

  const close = (reason: SseCloseReason = 'server') => {
    if (closed) return;
    if (reason !== 'slow') writer.flush();
    closed = true;
    leaveHeartbeat();
    dirty.delete(writer);
    pending = [];
    pendingBytes = 0;
    // A dropped client's buffered bytes are released now, not after it finally reads them.
    if (reason === 'slow') res.destroy();
    else res.end();
    for (const listener of listeners) listener(reason);
  };
  const push = (bytes: SharedBytes) => {
    pending.push(bytes);
    pendingBytes += bytes.body.length;
    markDirty(writer);
  };
  function enqueue(bytes: SharedBytes): boolean {
    if (closed) return false;
    if (buffered() + bytes.body.length > options.maxBufferedBytes) {
      close('slow');
      return false;
    }
    push(bytes);
    return true;
  }
  function sendRun(run: FrameRun, from: number): number {
    const count = run.ends.length;
    if (closed || from >= count) return from;
    const start = from === 0 ? 0 : run.ends[from - 1]!;
    let held = buffered();
    // The usual case: all of it fits under half the limit, and all of a run from 0 is the run's own bytes.
    if (held + run.bytes.body.length - start < half) {
      push(runSlice(run, from, count));
      return count;
    }
    let to = from;
    let end = start;
    do {
      const size = run.ends[to]! - end;
      if (held + size > options.maxBufferedBytes) {
        close('slow');
        return to;
      }
      held += size;
      end += size;
      to += 1;
    } while (to < count && held < half);
    push(runSlice(run, from, to));
    return to;
  }
  res.on('close', () => close('client'));
  res.on('error', () => close('client'));

  return {
    get closed() {
      return closed;
    },
    send: (event) => enqueue(sharedBytes(formatSseEvent(event))) && !full(),
    sendRun,
    full,
    comment: (text) => void enqueue(sharedBytes(`: ${text.replace(/\n/g, ' ')}\n\n`)),
    buffered,
    close,
    onClose: (listener) => void listeners.push(listener),
    onDrain(listener) {
      drainWaiters.push(listener);
      if (pendingBytes === 0) armDrain();
    },
  };
}
