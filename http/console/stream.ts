// GET /api/console/lifecycle/stream: a snapshot of the owner's projection at cursor N (then `snapshot-complete`
// with id N), then every `delta` after N from the commit-ordered log, `heartbeat`s carrying the cursor. A resume
// at a cursor still retained continues exactly there; one below retention (or past the head) gets one `reset`
// with backoff advice and a fresh snapshot on the same connection. The API only reads the projection: the
// console-project job writes it (docs/console.md).
import type { Context } from 'koa';
import type { Logger } from 'pino';
import { randomInt } from 'node:crypto';
import type { WorkspaceDelta } from '../../core/console-delta.ts';
import { clientDelta, deltaForState, type LoggedDelta } from '../../core/console-log-delta.ts';
import { readConsoleSnapshot, type SnapshotFilter } from '../../sql/console-snapshot.ts';
import type { Sql } from '../../sql/db.ts';
import type { StreamEvent } from '../../sql/stream-events.ts';
import { formatSseEvent, openSse, resumeId, type SseConnection, type SseOptions } from '../sse.ts';
import type { StreamHub } from '../stream-hub.ts';
import type { StreamRun, StreamView } from '../stream-run.ts';
import type { FirstProjection } from './first-projection.ts';

/** Workspaces per `snapshot` event: a large fleet arrives in parts, the marker closes it. */
const SNAPSHOT_PART = 100;
/** Reconnect advice after a reset: full jitter over this window spreads a fleet of tabs. */
const RESET_RETRY_MS = { min: 1000, max: 5000 };

export interface ConsoleStreamDeps extends SseOptions {
  sql: Sql;
  hub: StreamHub;
  consoleProjection: FirstProjection;
  logger: Logger;
}

const now = () => new Date().toISOString();

/** The client's delta for a logged one (`lifecycleState`: as a client filtered by it sees it), or null for none. */
export function deltaEnvelope(event: StreamEvent, lifecycleState?: string) {
  const logged = event.payload as unknown as LoggedDelta;
  const delta: WorkspaceDelta | null = lifecycleState === undefined ? clientDelta(logged) : deltaForState(logged, lifecycleState);
  if (delta === null) return null;
  return {
    type: 'delta' as const,
    emitted_at: new Date(event.created_at).toISOString(),
    cursor: event.id,
    delta: { workspaces: delta.removed ? [] : [delta], removed_workspace_ids: delta.removed ? [delta.workspace_id] : [] },
  };
}

async function sendSnapshot(connection: SseConnection, deps: ConsoleStreamDeps, ownerId: string, filter: SnapshotFilter): Promise<number> {
  const snapshot = await readConsoleSnapshot(deps.sql, ownerId, filter);
  const parts = Math.max(1, Math.ceil(snapshot.entries.length / SNAPSHOT_PART));
  for (let part = 0; part < parts; part++) {
    const workspaces = snapshot.entries.slice(part * SNAPSHOT_PART, (part + 1) * SNAPSHOT_PART);
    const versions = Object.fromEntries(workspaces.map((entry) => [String(entry.workspace.id), snapshot.versions[String(entry.workspace.id)] ?? 0]));
    connection.send({ event: 'snapshot', data: { type: 'snapshot', emitted_at: now(), cursor: snapshot.cursor, part: part + 1, parts, page: { workspaces, versions } } });
  }
  connection.send({ id: snapshot.cursor, event: 'snapshot-complete', data: { type: 'snapshot-complete', emitted_at: now(), cursor: snapshot.cursor, workspaces: snapshot.entries.length } });
  return snapshot.cursor;
}

/**
 * `delta` frames of the owner's events as a client with this filter sees them (none where its envelope is null);
 * one view per distinct filter, so the hub builds each envelope once per read for every client of the filter.
 */
function consoleView({ workspaceKey, lifecycleState }: SnapshotFilter): StreamView {
  // The hub asks `matches` for every row of a read, then `frame` for those it took: build each envelope once.
  const envelopes = new WeakMap<StreamEvent, ReturnType<typeof deltaEnvelope>>();
  const envelopeOf = (event: StreamEvent) => {
    if (!envelopes.has(event)) envelopes.set(event, deltaEnvelope(event, lifecycleState));
    return envelopes.get(event) ?? null;
  };
  return {
    key: `console:${JSON.stringify([workspaceKey ?? null, lifecycleState ?? null])}`,
    matches: (event) => (workspaceKey === undefined || event.payload.workspace_key === workspaceKey) && envelopeOf(event) !== null,
    frame: (event) => Buffer.from(formatSseEvent({ id: event.id, event: 'delta', data: envelopeOf(event) })),
  };
}

export interface ConsoleStreamOptions extends SnapshotFilter {
  ownerId: string;
}

export async function serveConsoleStream(ctx: Context, deps: ConsoleStreamDeps, options: ConsoleStreamOptions): Promise<undefined> {
  const { hub } = deps;
  const resume = resumeId(ctx);
  const [lowWater, latest] = await Promise.all([hub.lowWater('console'), hub.head('console')]);
  const head = Math.max(latest, lowWater);
  const exact = resume !== undefined && resume >= lowWater && resume <= head;
  if (!exact) await deps.consoleProjection.ensure(options.ownerId);
  const connection = openSse(ctx, deps);
  let startId: number;
  try {
    if (resume !== undefined && !exact) {
      const retry = randomInt(RESET_RETRY_MS.min, RESET_RETRY_MS.max);
      const reason = resume < lowWater ? 'retention' : 'unknown-cursor';
      connection.send({ event: 'reset', retry, data: { type: 'reset', emitted_at: now(), reason, requested_id: resume, oldest_id: lowWater + 1, head_id: head, retry_ms: retry, backoff: { initial_ms: RESET_RETRY_MS.min, max_ms: 30_000, jitter: 'full' } } });
    }
    startId = exact ? resume : await sendSnapshot(connection, deps, options.ownerId, options);
  } catch (error) {
    connection.send({ event: 'error', data: { type: 'error', emitted_at: now(), code: 'snapshot-failed', detail: 'the snapshot could not be read; reconnect' } });
    connection.close();
    deps.logger.error({ err: error, ownerId: options.ownerId }, 'console snapshot failed');
    return undefined;
  }
  const client = {
    topic: 'console' as const,
    ownerId: options.ownerId,
    lastId: startId,
    view: consoleView(options),
    deliver: (run: StreamRun, from: number) => connection.sendRun(run, from),
    full: () => connection.full(),
    buffered: () => connection.buffered(),
    onDrain: (listener: () => void) => connection.onDrain(listener),
    drop: () => connection.close('slow'),
    closed: () => connection.closed,
  };
  const remove = hub.add(client);
  // The heartbeat's id is the highest id the hub offered this client: every event up to it was sent or filtered.
  const heartbeat = setInterval(() => connection.send({ id: client.lastId, event: 'heartbeat', data: { type: 'heartbeat', emitted_at: now(), cursor: client.lastId } }), deps.heartbeatMs);
  connection.onClose((reason) => {
    clearInterval(heartbeat);
    remove(reason === 'slow' ? 'slow' : undefined);
  });
  return undefined;
}
