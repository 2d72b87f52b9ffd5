// Builds the remediation processors (dispatch, deadlines, quarantine → run) from the worker's dependencies.
import { createExecutorSet } from '../executors/remediation/registry.ts';
import { sandboxOptions } from '../executors/remediation/sandbox.ts';
import { createSecretResolver } from '../executors/remediation/secrets.ts';
import { remediationDeadlineQueue } from '../queues/remediation-deadline.ts';
import { remediationExecuteQueue } from '../queues/remediation-execute.ts';
import { remediationMaterialiseQueue } from '../queues/remediation-materialise.ts';
import type { WorkerDeps } from './deps.ts';
import { createCancelBus } from './remediation-cancel-bus.ts';
import { createRemediationDeadlineHandler } from './remediation-deadline.ts';
import { createRemediationExecuteHandler } from './remediation-execute.ts';
import { createRemediationMaterialiseHandler } from './remediation-materialise.ts';
import { setHandler, type HandlerMap } from './worker-host.ts';

export function registerRemediationHandlers(handlers: HandlerMap, deps: WorkerDeps): void {
  const { config } = deps;
  const backoff = { baseMs: config.REMEDIATION_RETRY_BASE_MS, maxMs: config.REMEDIATION_RETRY_MAX_MS };
  // Secrets are looked up when an attempt runs: the file is re-read each time, and nothing lands in job data.
  const resolveSecret = createSecretResolver({ file: config.REMEDIATION_SECRETS_FILE, env: process.env });
  const executors = createExecutorSet({
    outputCapBytes: config.REMEDIATION_OUTPUT_CAP_BYTES,
    resolveSecret,
    sandbox: sandboxOptions(config),
    ansiblePlaybookRoot: config.REMEDIATION_ANSIBLE_PLAYBOOK_ROOT,
    cloudAllowLoopback: config.REMEDIATION_CLOUD_ALLOW_LOOPBACK,
  });
  const dispatch = createRemediationExecuteHandler({
    sql: deps.sql,
    db: deps.db,
    logger: deps.logger,
    executors,
    cancelBus: createCancelBus({ redis: deps.redis, prefix: deps.queues.prefix, logger: deps.logger }),
    workdir: config.REMEDIATION_WORKDIR,
    backoff,
    watchdogGraceMs: config.REMEDIATION_WATCHDOG_GRACE_SECONDS * 1000,
    // Only the backstop for a lost pub/sub message; not worth a knob.
    cancelPollMs: 1_000,
    leaseMs: config.REMEDIATION_LEASE_MS,
  });
  setHandler(handlers, remediationExecuteQueue, dispatch);
  setHandler(handlers, remediationDeadlineQueue, createRemediationDeadlineHandler({ db: deps.db, backoff }));
  setHandler(handlers, remediationMaterialiseQueue, createRemediationMaterialiseHandler({ db: deps.db, approvalTtlSeconds: config.REMEDIATION_APPROVAL_TTL_SECONDS }));
}
