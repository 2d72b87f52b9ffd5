// The trust fabric's processors, registered into the worker's handler map in one call.
import { attestationIngestQueue } from '../queues/attestation-ingest.ts';
import { evaluationRefreshQueue } from '../queues/evaluation-refresh.ts';
import { schedulerRefreshQueue } from '../queues/scheduler-refresh.ts';
import { scoreRecomputeQueue } from '../queues/score-recompute.ts';
import { trustTransitionQueue } from '../queues/trust-transition.ts';
import { createAttestationIngestHandler } from './attestation-ingest.ts';
import type { WorkerDeps } from './deps.ts';
import { createEvaluationRefreshHandler } from './evaluation-refresh.ts';
import { createSchedulerRefreshHandler } from './scheduler-refresh.ts';
import { createScoreRecomputeHandler } from './score-recompute.ts';
import { createTrustTransitionHandler } from './trust-transition.ts';
import type { JobHandler } from './worker-host.ts';

export function registerTrustHandlers(handlers: Map<string, JobHandler<never>>, deps: WorkerDeps): void {
  handlers.set(attestationIngestQueue.name, createAttestationIngestHandler(deps) as JobHandler<never>);
  handlers.set(trustTransitionQueue.name, createTrustTransitionHandler(deps) as JobHandler<never>);
  handlers.set(schedulerRefreshQueue.name, createSchedulerRefreshHandler(deps) as JobHandler<never>);
  handlers.set(evaluationRefreshQueue.name, createEvaluationRefreshHandler(deps) as JobHandler<never>);
  handlers.set(scoreRecomputeQueue.name, createScoreRecomputeHandler(deps) as JobHandler<never>);
}
