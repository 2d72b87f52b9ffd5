// Per-process hub for SSE clients: one Redis subscription per API node; each doorbell makes the groups of that
// (topic, owner) catch up from the durable stream log, so a client on any node gets every event, in order, once.
// A group is (topic, owner, subject): a one-run client reads only its run's rows, never the owner's history.
// A new client is caught up alone (its own reads from its own cursor) and joins the group's reads once it is level;
// the rows of one group read are offered to every member as one run per view (http/stream-offer.ts), so each event
// is filtered and serialised once per view and read, and each member is written the same bytes.
import type { RedisClient } from '../queues/redis.ts';
import type { Logger } from 'pino';
import type { StreamTopic } from '../queues/sse-fanout.ts';
import type { Sql } from '../sql/db.ts';
import { latestStreamEventId, readStreamEvents, type StreamEvent } from '../sql/stream-events.ts';
import { streamLowWater } from '../sql/stream-retention.ts';
import { streamChannel, type StreamDoorbell } from '../workers/sse-fanout.ts';
import { offer, offerContext, type Member, type StreamClient } from './stream-offer.ts';
import type { StreamMetrics } from './stream-metrics.ts';

const PAGE = 500;

export type { StreamClient } from './stream-offer.ts';

interface Group {
  topic: StreamTopic;
  ownerId: string;
  subjectId: string | undefined;
  members: Set<Member>;
  running: Promise<void> | undefined;
  again: boolean;
  /** Catch-ups of single joining members still running. */
  joins: number;
  /** Where the group's reads stand: every row of the group from the last read's start up to here was read. */
  head: number;
  /** The last group catch-up read to the end of the log (not stopped early, not failed), and none runs now. */
  level: boolean;
}

export interface StreamHubStats {
  groups: number;
  clients: number;
  /** Rows read from the log by catch-ups, all groups. */
  rowsRead: number;
  /** Log reads made (one page each), all groups. */
  reads: number;
  /** Catch-ups running now: group reads plus new clients being caught up alone. */
  catchingUp: number;
  /** Clients dropped for being too far behind. */
  dropped: number;
}

export interface StreamHub {
  /** Register a client; it is caught up from `client.lastId` at once. Returns the function that removes it. */
  add(client: StreamClient): (reason?: 'slow') => void;
  /** Current head of a topic: where a client that wants only new events starts. */
  head(topic: StreamTopic): Promise<number>;
  /** Ids up to this were pruned by retention: a resume below it has missed events. */
  lowWater(topic: StreamTopic): Promise<number>;
  /** Catch every group up now (also run on a timer, so a lost doorbell only delays delivery). */
  sweep(): void;
  /** How many (topic, owner, subject) groups are held: one per group with at least one client. */
  groupCount(): number;
  stats(): StreamHubStats;
  close(): Promise<void>;
}

export interface StreamHubDeps {
  sql: Sql;
  subscriber: RedisClient;
  prefix: string;
  logger: Logger;
  sweepMs: number;
  maxBufferedBytes: number;
  metrics?: StreamMetrics;
}

export async function createStreamHub(deps: StreamHubDeps): Promise<StreamHub> {
  const { sql, subscriber, logger } = deps;
  const groups = new Map<string, Group>();
  const totals = { rowsRead: 0, dropped: 0 };
  let reads = 0;
  const heads = new Map<StreamTopic, Promise<number>>();
  const key = (topic: string, ownerId: string, subjectId: string | undefined) => `${topic}\u0000${ownerId}\u0000${subjectId ?? ''}`;

  function pause(group: Group, member: Member, read: number): void {
    if (member.client.closed() || member.paused) return;
    member.paused = true;
    member.debt = 0;
    member.pausedAtRead = read;
    member.client.onDrain(() => {
      member.paused = false;
      member.seen = member.client.lastId;
      member.debt = 0;
      kick(group);
    });
  }

  const read = async (group: Group, afterId: number): Promise<StreamEvent[]> => {
    const rows = await readStreamEvents(sql, {
      topic: group.topic,
      ownerId: group.ownerId,
      afterId,
      limit: PAGE,
      ...(group.subjectId === undefined ? {} : { subjectId: group.subjectId }),
    });
    totals.rowsRead += rows.length;
    deps.metrics?.rowsRead.inc(rows.length);
    return rows;
  };

  async function catchUp(group: Group): Promise<void> {
    group.level = false;
    for (let first = true; ; first = false) {
      let from = Number.POSITIVE_INFINITY;
      let stalledFrom = Number.POSITIVE_INFINITY;
      let live = 0;
      for (const member of group.members) {
        if (member.joining || member.client.closed()) continue;
        live += 1;
        if (member.paused) stalledFrom = Math.min(stalledFrom, member.seen);
        else from = Math.min(from, member.seen);
      }
      // Stalled clients alone get one page per doorbell: enough to measure their debt, never a backlog replay.
      if (live === 0 || (from === Number.POSITIVE_INFINITY && !first)) return;
      if (from === Number.POSITIVE_INFINITY) from = stalledFrom;
      const readNo = ++reads;
      const rows = await read(group, from);
      const context = offerContext(rows, readNo, deps.maxBufferedBytes, (member) => pause(group, member, readNo));
      // A client that drained while this page was read may sit below `from`: its again-kick re-reads its gap.
      for (const member of group.members) if (!member.joining && (member.paused || member.seen >= from)) offer(context, member);
      if (rows.length < PAGE) {
        // Every row of the group above `from` is now read; rows at or below it never were.
        group.head = Math.max(group.head, from, rows.at(-1)?.id ?? 0);
        group.level = true;
        return;
      }
    }
  }

  /** Catch one new member up from its own cursor, then hand it to the group's reads. */
  async function join(group: Group, member: Member): Promise<void> {
    try {
      while (group.members.has(member) && !member.client.closed() && !member.paused) {
        const readNo = ++reads;
        const rows = await read(group, member.seen);
        offer(offerContext(rows, readNo, deps.maxBufferedBytes, () => pause(group, member, readNo)), member);
        if (rows.length < PAGE) break;
      }
    } finally {
      member.joining = false;
      // Rows the group read past this member's last read (or a read still running) are picked up by one more
      // group catch-up, which starts from the lowest cursor and so from this member's.
      if (group.members.has(member) && (group.running !== undefined || !group.level || member.seen < group.head)) kick(group);
    }
  }

  const joinsRunning = new Set<Promise<void>>();
  function startJoin(group: Group, member: Member): void {
    group.joins += 1;
    const running = join(group, member)
      .catch((error: unknown) => logger.error({ err: error, topic: group.topic }, 'stream catch-up failed'))
      .finally(() => {
        joinsRunning.delete(running);
        group.joins -= 1;
        if (idle(group)) forget(group);
      });
    joinsRunning.add(running);
  }

  const idle = (group: Group) => group.members.size === 0 && group.running === undefined && group.joins === 0;

  function kick(group: Group): void {
    if (group.running) {
      group.again = true;
      return;
    }
    group.running = catchUp(group)
      .catch((error: unknown) => {
        group.level = false;
        logger.error({ err: error, topic: group.topic }, 'stream catch-up failed');
      })
      .finally(() => {
        group.running = undefined;
        // The last client may have left while this ran; removing it could not drop the group then.
        if (idle(group)) {
          forget(group);
          return;
        }
        if (group.again) {
          group.again = false;
          kick(group);
        }
      });
  }

  function forget(group: Group): void {
    const groupKey = key(group.topic, group.ownerId, group.subjectId);
    if (groups.get(groupKey) === group) groups.delete(groupKey);
  }

  const kickOwner = (topic: string, ownerId: string) => {
    for (const group of groups.values()) if (group.topic === topic && group.ownerId === ownerId) kick(group);
  };

  const channel = streamChannel(deps.prefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      const doorbell = JSON.parse(message) as StreamDoorbell;
      kickOwner(doorbell.topic, doorbell.owner_id);
    } catch (error) {
      logger.warn({ err: error }, 'ignoring malformed stream doorbell');
    }
  });
  await subscriber.subscribe(channel);

  const sweep = () => {
    for (const group of groups.values()) kick(group);
  };
  const timer = setInterval(sweep, deps.sweepMs);
  // Doorbells published while the subscription was down are gone: a resubscribed hub reads what it missed at once.
  subscriber.on('ready', sweep);

  return {
    add(client) {
      const groupKey = key(client.topic, client.ownerId, client.subjectId);
      let group = groups.get(groupKey);
      if (group === undefined) {
        group = { topic: client.topic, ownerId: client.ownerId, subjectId: client.subjectId, members: new Set(), running: undefined, again: false, joins: 0, head: 0, level: false };
        groups.set(groupKey, group);
      }
      // Level with an idle group that has read to the end: every later row is rung to the group, whose next read
      // starts at or below this client's cursor. Otherwise the client is caught up alone; either way, O(1) in the
      // group's size.
      const level = group.level && group.running === undefined && client.lastId >= group.head;
      const member: Member = { client, paused: false, seen: client.lastId, debt: 0, pausedAtRead: 0, joining: !level };
      group.members.add(member);
      if (!level) startJoin(group, member);
      return (reason) => {
        if (!group.members.delete(member)) return;
        if (reason === 'slow') {
          totals.dropped += 1;
          deps.metrics?.dropped.inc();
        }
        if (idle(group)) forget(group);
      };
    },
    head(topic) {
      // Clients connecting together share one read: each starts at a head read after its request came or
      // just before, so it misses nothing committed after it connected (at most it gets a few events more).
      let running = heads.get(topic);
      if (running === undefined) {
        running = latestStreamEventId(sql, topic).finally(() => heads.delete(topic));
        heads.set(topic, running);
      }
      return running;
    },
    lowWater: (topic) => streamLowWater(sql, topic),
    sweep,
    groupCount: () => groups.size,
    stats: () => ({
      groups: groups.size,
      clients: [...groups.values()].reduce((sum, group) => sum + group.members.size, 0),
      ...totals,
      reads,
      catchingUp: joinsRunning.size + [...groups.values()].filter((group) => group.running !== undefined).length,
    }),
    async close() {
      clearInterval(timer);
      await Promise.all(joinsRunning);
      await Promise.all([...groups.values()].map((group) => group.running));
      // Closing anyway: a failed unsubscribe only matters to a connection we are about to drop.
      await subscriber.unsubscribe(channel).catch((error: unknown) => logger.debug({ err: error }, 'unsubscribe on close failed'));
    },
  };
}
