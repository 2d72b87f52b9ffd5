// Every queue the platform runs, in one list: workers, Bull Board and metrics iterate it.
import { attestationIngestQueue } from './attestation-ingest.ts';
import { consoleProjectQueue } from './console-project.ts';
import type { QueueDefinition } from './define-queue.ts';
import { evaluationRefreshQueue } from './evaluation-refresh.ts';
import { remediationDeadlineQueue } from './remediation-deadline.ts';
import { remediationExecuteQueue } from './remediation-execute.ts';
import { remediationMaterialiseQueue } from './remediation-materialise.ts';
import { schedulerRefreshQueue } from './scheduler-refresh.ts';
import { scoreRecomputeQueue } from './score-recompute.ts';
import { sseFanoutQueue } from './sse-fanout.ts';
import { trustTransitionQueue } from './trust-transition.ts';
import { vmLaunchQueue } from './vm-launch.ts';
import { workspacePromoteQueue } from './workspace-promote.ts';
import { workspaceSimulateQueue } from './workspace-simulate.ts';

export const queueCatalog: readonly QueueDefinition[] = [
  attestationIngestQueue,
  trustTransitionQueue,
  schedulerRefreshQueue,
  evaluationRefreshQueue,
  scoreRecomputeQueue,
  remediationExecuteQueue,
  remediationMaterialiseQueue,
  remediationDeadlineQueue,
  vmLaunchQueue,
  workspaceSimulateQueue,
  workspacePromoteQueue,
  sseFanoutQueue,
  consoleProjectQueue,
];

export const queueNames = queueCatalog.map((definition) => definition.name);
