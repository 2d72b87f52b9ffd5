// Maps every queue to its processor. `worker --queues a,b` hosts a subset of this list.
import { queueCatalog } from '../queues/catalog.ts';
import type { QueueDefinition } from '../queues/define-queue.ts';
import { sseFanoutQueue } from '../queues/sse-fanout.ts';
import type { WorkerDeps } from './deps.ts';
import { createSseFanoutHandler } from './sse-fanout.ts';
import type { HostedQueue, JobHandler } from './worker-host.ts';

export function createHandlers(deps: WorkerDeps): Map<string, JobHandler<never>> {
  const handlers = new Map<string, JobHandler<never>>();
  handlers.set(sseFanoutQueue.name, createSseFanoutHandler({ sql: deps.sql, publisher: deps.redis, prefix: deps.queues.prefix }) as JobHandler<never>);
  return handlers;
}

/** Hosted queues for `names` (all queues when empty); a queue without a processor yet is refused loudly. */
export function selectHostedQueues(deps: WorkerDeps, names: string[]): HostedQueue[] {
  const handlers = createHandlers(deps);
  const wanted = names.length === 0 ? queueCatalog.map((definition) => definition.name) : names;
  const unknown = wanted.filter((name) => !queueCatalog.some((definition) => definition.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown queue(s) ${unknown.join(', ')}; known: ${queueCatalog.map((d) => d.name).join(', ')}`);
  }
  return wanted.flatMap((name) => {
    const definition = queueCatalog.find((candidate) => candidate.name === name) as QueueDefinition;
    const handler = handlers.get(name);
    if (handler === undefined) {
      deps.logger.warn({ queue: name }, 'no processor registered for this queue yet; not hosting it');
      return [];
    }
    return [{ definition, handler }];
  });
}
