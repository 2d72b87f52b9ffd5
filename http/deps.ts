// What the HTTP app is built from. The composition root (http/main.ts) creates these; tests create their own.
import type { RedisClient } from '../queues/redis.ts';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import type { Queues } from '../queues/queues.ts';
import type { Sql } from '../sql/db.ts';
import type { Db } from '../sql/transact.ts';
import type { FirstProjection } from './console/first-projection.ts';
import type { Metrics } from './metrics.ts';
import type { StreamHub } from './stream-hub.ts';

export interface AppDeps {
  config: Config;
  sql: Sql;
  /** The pool with its after-commit publishers: every write goes through `transact(db, …)`. */
  db: Db;
  redis: RedisClient;
  queues: Queues;
  hub: StreamHub;
  logger: Logger;
  metrics: Metrics;
  consoleProjection: FirstProjection;
}
