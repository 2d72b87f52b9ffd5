// Builds the workspace processors (simulation in the sandbox, promotion steps) from the worker's dependencies.
import { sandboxOptions } from '../executors/remediation/sandbox.ts';
import { createSecretResolver } from '../executors/remediation/secrets.ts';
import { createSimulator } from '../executors/remediation/simulator.ts';
import { workspacePromoteQueue } from '../queues/workspace-promote.ts';
import { workspaceSimulateQueue } from '../queues/workspace-simulate.ts';
import type { WorkerDeps } from './deps.ts';
import { setHandler, type HandlerMap } from './worker-host.ts';
import { createWorkspacePromoteHandler } from './workspace-promote.ts';
import { createWorkspaceSimulateHandler } from './workspace-simulate.ts';

export function registerWorkspaceHandlers(handlers: HandlerMap, deps: WorkerDeps): void {
  const { config } = deps;
  const simulator = createSimulator({
    outputCapBytes: config.REMEDIATION_OUTPUT_CAP_BYTES,
    sandbox: sandboxOptions(config),
    resolveSecret: createSecretResolver({ file: config.REMEDIATION_SECRETS_FILE, env: process.env }),
    ansiblePlaybookRoot: config.REMEDIATION_ANSIBLE_PLAYBOOK_ROOT,
    cloudAllowLoopback: config.REMEDIATION_CLOUD_ALLOW_LOOPBACK,
  });
  setHandler(handlers, workspaceSimulateQueue, createWorkspaceSimulateHandler({ sql: deps.sql, db: deps.db, simulator, workdir: config.REMEDIATION_WORKDIR }));
  setHandler(handlers, workspacePromoteQueue, createWorkspacePromoteHandler({ db: deps.db, approvalTtlSeconds: config.REMEDIATION_APPROVAL_TTL_SECONDS }));
}
