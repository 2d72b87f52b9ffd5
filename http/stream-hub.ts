// Per-process hub for SSE clients: one Redis subscription per API node; each doorbell makes the (topic, owner)
// group catch up from the durable stream log, so a client on any node gets every event, in order, exactly once.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { StreamTopic } from '../queues/sse-fanout.ts';
import type { Sql } from '../sql/db.ts';
import { latestStreamEventId, readStreamEvents, type StreamEvent } from '../sql/stream-events.ts';
import { streamChannel, type StreamDoorbell } from '../workers/sse-fanout.ts';

const PAGE = 500;

export interface StreamClient {
  topic: StreamTopic;
  ownerId: string;
  /** Only this subject's events (e.g. one run), when set. */
  subjectId?: string;
  /** Highest event id this client has been offered. */
  lastId: number;
  matches(event: StreamEvent): boolean;
  deliver(event: StreamEvent): void;
  closed(): boolean;
}

interface Group {
  clients: Set<StreamClient>;
  running: Promise<void> | undefined;
  again: boolean;
}

export interface StreamHub {
  /** Register a client; it is caught up from `client.lastId` at once. Returns the unsubscribe function. */
  add(client: StreamClient): () => void;
  /** Current head of a topic: where a client that wants only new events starts. */
  head(topic: StreamTopic): Promise<number>;
  /** Catch every group up now (also run on a timer, so a lost doorbell only delays delivery). */
  sweep(): void;
  /** How many (topic, owner) groups are held: one per group with at least one client. */
  groupCount(): number;
  close(): Promise<void>;
}

export async function createStreamHub(deps: { sql: Sql; subscriber: Redis; prefix: string; logger: Logger; sweepMs: number }): Promise<StreamHub> {
  const { sql, subscriber, logger } = deps;
  const groups = new Map<string, Group>();
  const key = (topic: string, ownerId: string) => `${topic}\u0000${ownerId}`;

  async function catchUp(group: Group, topic: StreamTopic, ownerId: string): Promise<void> {
    for (;;) {
      const live = [...group.clients].filter((client) => !client.closed());
      if (live.length === 0) return;
      const from = Math.min(...live.map((client) => client.lastId));
      const subjects = new Set(live.map((client) => client.subjectId));
      const only = subjects.size === 1 ? [...subjects][0] : undefined;
      const rows = await readStreamEvents(sql, { topic, ownerId, afterId: from, limit: PAGE, ...(only ? { subjectId: only } : {}) });
      for (const row of rows) {
        for (const client of live) {
          if (row.id <= client.lastId || client.closed()) continue;
          client.lastId = row.id;
          if ((client.subjectId === undefined || client.subjectId === row.subject_id) && client.matches(row)) client.deliver(row);
        }
      }
      if (rows.length < PAGE) return;
    }
  }

  function kick(topic: StreamTopic, ownerId: string): void {
    const group = groups.get(key(topic, ownerId));
    if (group === undefined) return;
    if (group.running) {
      group.again = true;
      return;
    }
    group.running = catchUp(group, topic, ownerId)
      .catch((error: unknown) => logger.error({ err: error, topic }, 'stream catch-up failed'))
      .finally(() => {
        group.running = undefined;
        // The last client may have left while this ran; unsubscribe could not drop the group then.
        if (group.clients.size === 0) {
          if (groups.get(key(topic, ownerId)) === group) groups.delete(key(topic, ownerId));
          return;
        }
        if (group.again) {
          group.again = false;
          kick(topic, ownerId);
        }
      });
  }

  const channel = streamChannel(deps.prefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      const doorbell = JSON.parse(message) as StreamDoorbell;
      kick(doorbell.topic as StreamTopic, doorbell.owner_id);
    } catch (error) {
      logger.warn({ err: error }, 'ignoring malformed stream doorbell');
    }
  });
  await subscriber.subscribe(channel);

  const sweep = () => {
    for (const [groupKey] of groups) {
      const [topic, ownerId] = groupKey.split('\u0000') as [StreamTopic, string];
      kick(topic, ownerId);
    }
  };
  const timer = setInterval(sweep, deps.sweepMs);

  return {
    add(client) {
      const groupKey = key(client.topic, client.ownerId);
      let group = groups.get(groupKey);
      if (group === undefined) {
        group = { clients: new Set(), running: undefined, again: false };
        groups.set(groupKey, group);
      }
      group.clients.add(client);
      kick(client.topic, client.ownerId);
      return () => {
        group.clients.delete(client);
        if (group.clients.size === 0 && group.running === undefined) groups.delete(groupKey);
      };
    },
    head: (topic) => latestStreamEventId(sql, topic),
    sweep,
    groupCount: () => groups.size,
    async close() {
      clearInterval(timer);
      await Promise.all([...groups.values()].map((group) => group.running));
      // Closing anyway: a failed unsubscribe only matters to a connection we are about to drop.
      await subscriber.unsubscribe(channel).catch((error: unknown) => logger.debug({ err: error }, 'unsubscribe on close failed'));
    },
  };
}
