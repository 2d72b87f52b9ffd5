// workspace-simulate processor: run one revision's dry run in the sandbox (executors/remediation/simulator.ts),
// then record it (sql/workspace-simulation.ts). A repeated job finds the execution recorded and does nothing.
import type { z } from 'zod';
import { simulationDir } from '../executors/remediation/attempt-dir.ts';
import type { Simulator } from '../executors/remediation/simulator.ts';
import type { workspaceSimulateJob } from '../queues/workspace-simulate.ts';
import type { Sql } from '../sql/db.ts';
import { transact, type Db } from '../sql/transact.ts';
import { markSandboxRunning } from '../sql/workspace-sandbox.ts';
import { recordSimulation } from '../sql/workspace-simulation.ts';
import type { ExecutorType } from '../core/remediation-plan.ts';

interface Subject {
  state: string;
  plan: Record<string, unknown>;
  executor_type: ExecutorType;
  timeout_seconds: number;
  workspace_id: number;
  revision_id: number;
}

export function createWorkspaceSimulateHandler(deps: { sql: Sql; db: Db; simulator: Simulator; workdir: string }) {
  return async (data: z.infer<typeof workspaceSimulateJob>, _job: unknown, signal: AbortSignal | undefined) => {
    const [subject] = await deps.sql<Subject[]>`
      SELECT e.execution_state AS state, r.plan, w.executor_type, p.timeout_seconds, e.workspace_id, e.revision_id
      FROM runtime_vm_remediation_workspace_sandbox_executions e
      JOIN runtime_vm_remediation_workspace_revisions r ON r.id = e.revision_id
      JOIN runtime_vm_remediation_workspaces w ON w.id = e.workspace_id
      JOIN runtime_vm_remediation_playbooks p ON p.id = w.playbook_id
      WHERE e.id = ${data.sandbox_execution_id} AND w.owner_id = ${data.owner_id}`;
    if (subject === undefined) return { skipped: 'unknown-execution' };
    if (subject.state === 'completed' || subject.state === 'failed') return { skipped: 'already-recorded' };
    await markSandboxRunning(deps.sql, data.sandbox_execution_id);
    const workdir = await simulationDir(deps.workdir, data.sandbox_execution_id);
    const outcome = await deps.simulator.simulate(subject.executor_type, subject.plan, {
      signal: signal ?? new AbortController().signal,
      onLog: () => {},
      ownerId: data.owner_id,
      attempt: 1,
      idempotencyKey: `workspace-simulation-${data.sandbox_execution_id}`,
      timeoutMs: subject.timeout_seconds * 1000,
      variables: { workspace_id: String(subject.workspace_id), revision_id: String(subject.revision_id), simulation_id: String(data.sandbox_execution_id) },
      workdir,
    });
    return transact(deps.db, (uow) => recordSimulation(uow, data.sandbox_execution_id, outcome));
  };
}
