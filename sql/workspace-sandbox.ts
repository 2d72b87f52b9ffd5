// runtime_vm_remediation_workspace_sandbox_executions: one row per simulation of a revision, created when the
// simulation is requested, finished by the simulation job with its per-task results and diff.
import type { Bindings } from '../core/workspace-bindings.ts';
import type { GateStatus } from '../core/workspace-gate.ts';
import type { SimulationTask } from '../core/schemas/workspaces.ts';
import type { Queryable } from './db.ts';

export interface SandboxExecutionRow {
  id: number;
  workspace_id: number;
  revision_id: number;
  requested_by: string;
  simulator_kind: string;
  execution_state: 'pending' | 'running' | 'completed' | 'failed';
  gate_status: GateStatus;
  plan_sha256: string;
  playbook_version: number | null;
  registry_versions: Record<string, number>;
  tasks: SimulationTask[];
  diff_snapshot: Record<string, unknown>;
  gate_context: Record<string, unknown>;
  outcome: Record<string, unknown>;
  started_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
}

export async function insertSandboxExecution(
  sql: Queryable,
  input: { workspaceId: number; revisionId: number; requestedBy: string; simulatorKind: string; bindings: Bindings; gateContext: Record<string, unknown> },
): Promise<SandboxExecutionRow> {
  const [row] = await sql<SandboxExecutionRow[]>`
    INSERT INTO runtime_vm_remediation_workspace_sandbox_executions
      (workspace_id, revision_id, requested_by, simulator_kind, gate_status, plan_sha256, playbook_version, registry_versions, gate_context)
    VALUES (${input.workspaceId}, ${input.revisionId}, ${input.requestedBy}, ${input.simulatorKind}, 'running', ${input.bindings.plan_sha256},
      ${input.bindings.playbook_version}, ${sql.json(input.bindings.registry_versions)}, ${sql.json(input.gateContext as never)})
    RETURNING *`;
  return row!;
}

export async function lockSandboxExecution(sql: Queryable, id: number): Promise<SandboxExecutionRow | undefined> {
  const [row] = await sql<SandboxExecutionRow[]>`SELECT * FROM runtime_vm_remediation_workspace_sandbox_executions WHERE id = ${id} FOR UPDATE`;
  return row;
}

export async function markSandboxRunning(sql: Queryable, id: number): Promise<void> {
  await sql`UPDATE runtime_vm_remediation_workspace_sandbox_executions SET execution_state = 'running', started_at = coalesce(started_at, now())
    WHERE id = ${id} AND execution_state = 'pending'`;
}

export async function finishSandboxExecution(
  sql: Queryable,
  id: number,
  result: { state: 'completed' | 'failed'; gateStatus: GateStatus; tasks: SimulationTask[]; diff: Record<string, unknown>; outcome: Record<string, unknown> },
): Promise<SandboxExecutionRow> {
  const [row] = await sql<SandboxExecutionRow[]>`
    UPDATE runtime_vm_remediation_workspace_sandbox_executions SET execution_state = ${result.state}, gate_status = ${result.gateStatus},
      tasks = ${sql.json(result.tasks as never)}, diff_snapshot = ${sql.json(result.diff as never)}, outcome = ${sql.json(result.outcome as never)},
      started_at = coalesce(started_at, now()), completed_at = now()
    WHERE id = ${id}
    RETURNING *`;
  return row!;
}

export async function listSandboxExecutions(sql: Queryable, workspaceId: number): Promise<SandboxExecutionRow[]> {
  return sql<SandboxExecutionRow[]>`
    SELECT * FROM runtime_vm_remediation_workspace_sandbox_executions WHERE workspace_id = ${workspaceId} ORDER BY id`;
}
