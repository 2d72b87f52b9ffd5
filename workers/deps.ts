// What job processors are built from; the worker composition root creates these, tests create their own.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import type { VmProvisioner } from '../executors/vm/provisioner.ts';
import type { Queues } from '../queues/queues.ts';
import type { Sql } from '../sql/db.ts';

export interface WorkerDeps {
  config: Config;
  sql: Sql;
  /** Non-blocking client for publishing doorbells and small reads. */
  redis: Redis;
  queues: Queues;
  logger: Logger;
  /** Set when the vm-launch queue is hosted (see platform.ts startWorkers). */
  provisioner?: VmProvisioner;
}
