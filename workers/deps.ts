// What job processors are built from; the worker composition root creates these, tests create their own.
import type { RedisClient } from '../queues/redis.ts';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import type { VmProvisioner } from '../executors/vm/provisioner.ts';
import type { Queues } from '../queues/queues.ts';
import type { Sql } from '../sql/db.ts';
import type { Db } from '../sql/transact.ts';

export interface WorkerDeps {
  config: Config;
  sql: Sql;
  /** The pool with its after-commit publishers: every write goes through `transact(db, …)`. */
  db: Db;
  /** Non-blocking client for publishing doorbells and small reads. */
  redis: RedisClient;
  queues: Queues;
  logger: Logger;
  /** Set when the vm-launch queue is hosted (see platform.ts startWorkers). */
  provisioner?: VmProvisioner;
}
