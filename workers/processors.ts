// Maps every queue to its processor. `worker --queues a,b` hosts a subset of this list.
import { queueCatalog } from '../queues/catalog.ts';
import { consoleProjectQueue } from '../queues/console-project.ts';
import { sseFanoutQueue } from '../queues/sse-fanout.ts';
import { createConsoleProjectHandler } from './console-project.ts';
import type { WorkerDeps } from './deps.ts';
import { createSseFanoutHandler } from './sse-fanout.ts';
import { registerTrustHandlers } from './trust-processors.ts';
import { registerRemediationHandlers } from './remediation-processors.ts';
import { registerWorkspaceHandlers } from './workspace-processors.ts';
import { vmLaunchQueue } from '../queues/vm-launch.ts';
import { createVmLaunchHandler } from './vm-launch.ts';
import { setHandler, type HandlerMap, type HostedQueue } from './worker-host.ts';

export function createHandlers(deps: WorkerDeps): HandlerMap {
  const handlers: HandlerMap = new Map();
  setHandler(handlers, sseFanoutQueue, createSseFanoutHandler({ publisher: deps.redis, prefix: deps.queues.prefix }));
  registerTrustHandlers(handlers, deps);
  registerRemediationHandlers(handlers, deps);
  registerWorkspaceHandlers(handlers, deps);
  setHandler(handlers, consoleProjectQueue, createConsoleProjectHandler({ db: deps.db }));
  if (deps.provisioner) setHandler(handlers, vmLaunchQueue, createVmLaunchHandler({ ...deps, provisioner: deps.provisioner }));
  return handlers;
}

/** Hosted queues for `names` (all queues when empty). Callers validate names against the catalog first. */
export function selectHostedQueues(deps: WorkerDeps, names: string[]): HostedQueue[] {
  const handlers = createHandlers(deps);
  const wanted = queueCatalog.filter((definition) => names.length === 0 || names.includes(definition.name));
  return wanted.flatMap((definition) => {
    const handler = handlers.get(definition.name);
    if (handler === undefined) {
      deps.logger.warn({ queue: definition.name }, 'no processor registered for this queue; not hosting it');
      return [];
    }
    return [{ definition, handler }];
  });
}
