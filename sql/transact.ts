// Run a write transaction whose side effects should go out promptly: stream events are appended as the
// transaction's last statement, and after commit its outbox rows are handed straight to the queues (fast path),
// its NOTIFYs go out through the pool's coalescing doorbell, and SSE nodes are rung over Redis. The relay remains
// the guarantee for outbox rows: it re-enqueues every unmarked row under the same jobId (a BullMQ duplicate).
import type { Sql, TransactionSql } from './db.ts';
import { createCoalescingDoorbell, createDoorbell, outboxRing, type Doorbell, type Notification } from './doorbell.ts';
import { takeWrittenOutboxRows, type OutboxRow } from './outbox.ts';
import { appendStreamEventsLocked, type NewStreamEvent } from './stream-events.ts';

export type OutboxPublisher = (rows: OutboxRow[]) => Promise<void>;
/** Rings every API node's stream hub: one `{ topic, owner_id, id }` per (topic, owner), id = highest appended. */
export type StreamPublisher = (doorbells: { topic: string; owner_id: string; id: number }[]) => Promise<void>;

interface PoolHooks {
  publishOutbox?: OutboxPublisher;
  notify: Doorbell<Notification>;
  stream?: Doorbell<{ topic: string; owner_id: string; id: number }>;
}

/** What a transaction opened by `transact()` sends after it commits. */
export interface AfterCommit {
  /** NOTIFY after commit (coalesced with other transactions' doorbells). */
  notify(notification: Notification): void;
  /**
   * Append a stream event as the transaction's last statement and ring the stream hubs after commit.
   * Undefined when this pool has no stream publisher: write an `sse-fanout` outbox row instead.
   */
  stream?: (event: NewStreamEvent, dedupeKey: string) => void;
}

// One set of hooks per pool: under load, commits that land while a doorbell is in flight share the next ring.
const pools = new WeakMap<Sql, PoolHooks>();
const scopes = new WeakMap<object, AfterCommit>();

function hooksFor(sql: Sql): PoolHooks {
  let hooks = pools.get(sql);
  if (hooks === undefined) {
    // Best effort: the relay's timer sweep picks outbox rows up regardless; external listeners read history.
    hooks = { notify: createDoorbell(sql, () => {}) };
    pools.set(sql, hooks);
  }
  return hooks;
}

/** Let `transact()` on this pool enqueue committed outbox rows itself instead of waiting for the relay. */
export function setOutboxPublisher(sql: Sql, publish: OutboxPublisher): void {
  hooksFor(sql).publishOutbox = publish;
}

/** Let `transact()` on this pool append stream events itself and ring the hubs (else they go via `sse-fanout`). */
export function setStreamPublisher(sql: Sql, publish: StreamPublisher): void {
  // A lost ring only delays delivery until the hubs' sweep; the rows are the record.
  hooksFor(sql).stream = createCoalescingDoorbell((batch) => {
    const latest = new Map<string, { topic: string; owner_id: string; id: number }>();
    for (const bell of batch) {
      const key = `${bell.topic}\u0000${bell.owner_id}`;
      if ((latest.get(key)?.id ?? 0) < bell.id) latest.set(key, bell);
    }
    return publish([...latest.values()]);
  }, () => {});
}

/** The after-commit hooks of a transaction opened by `transact()`; undefined for any other handle (savepoints too). */
export function afterCommit(tx: object): AfterCommit | undefined {
  return scopes.get(tx);
}

/** Resolves when this pool's doorbells have sent everything rung so far (tests, benchmarks). */
export async function doorbellsSettled(sql: Sql): Promise<void> {
  const hooks = hooksFor(sql);
  await Promise.all([hooks.notify.settled(), hooks.stream?.settled()]);
}

export async function transact<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  const hooks = hooksFor(sql);
  const notifications: Notification[] = [];
  const events: (NewStreamEvent & { dedupe_key: string })[] = [];
  let transaction: TransactionSql | undefined;
  let appended: { topic: string; owner_id: string; id: number }[] = [];
  const result = (await sql.begin(async (tx) => {
    transaction = tx;
    const streams = hooks.stream;
    scopes.set(tx, {
      notify: (notification) => notifications.push(notification),
      ...(streams ? { stream: (event: NewStreamEvent, key: string) => events.push({ ...event, dedupe_key: key }) } : {}),
    });
    const value = await work(tx);
    // Last statement: the per-topic lock it takes is held only through commit.
    appended = await appendStreamEventsLocked(tx, events);
    return value;
  })) as T;
  const rows = transaction ? takeWrittenOutboxRows(transaction) : [];
  let published = false;
  if (rows.length > 0 && hooks.publishOutbox) {
    // A failed fast path only costs latency: the relay enqueues the same rows under the same jobIds.
    published = await hooks.publishOutbox(rows).then(() => true, () => false);
  }
  // The relay's ring is skipped only when the fast path took every row this transaction is known to have written
  // (rows written through a savepoint are not tracked, so an empty list still rings).
  hooks.notify.ring(published ? notifications : [outboxRing, ...notifications]);
  hooks.stream?.ring(appended.map((row) => ({ topic: row.topic, owner_id: row.owner_id, id: row.id })));
  return result;
}
