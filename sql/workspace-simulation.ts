// A workspace simulation's two transactions: starting it (gate running, sandbox execution row, job) in the request,
// and recording what the dry run found (per-task results, diff, gate verdict, snapshot) in the job.
import type { AuthClaims } from '../core/schemas/common.ts';
import { simulationVerdict } from '../core/simulation-results.ts';
import { bindingChanges } from '../core/workspace-bindings.ts';
import { isSatisfied } from '../core/workspace-gate.ts';
import type { SimulationOutcome } from '../executors/remediation/simulator.ts';
import { simulateJobId, workspaceSimulateQueue } from '../queues/workspace-simulate.ts';
import type { UnitOfWork } from './unit-of-work.ts';
import { emitWorkspaceEvent, insertSnapshot, lockPair, stepRevision, writePair, type Expected, type GatePair } from './workspace-gates.ts';
import { finishSandboxExecution, insertSandboxExecution, lockSandboxExecution, type SandboxExecutionRow } from './workspace-sandbox.ts';
import { currentBindings, readTargets, readWorkspacePlaybook } from './workspace-targets.ts';
import { getRevision, getWorkspace } from './workspaces.ts';

export const simulatorKind = (executorType: string) => (executorType === 'ansible' ? 'ansible-check-diff' : `${executorType}-plan-mode`);

export async function startSimulation(uow: UnitOfWork, auth: AuthClaims, id: number, rid: number, expected: Expected, notes: string[]): Promise<{ pair: GatePair; execution: SandboxExecutionRow }> {
  const pair = await lockPair(uow.tx, auth.owner, id, rid, expected);
  const next = stepRevision(pair.revision, [{ kind: 'gate', gate: 'simulation', event: 'start' }]);
  const playbook = await readWorkspacePlaybook(uow.tx, pair.workspace);
  const targets = await readTargets(uow.tx, auth.owner, pair.revision.targets);
  const written = await writePair(uow.tx, pair, next, {});
  const execution = await insertSandboxExecution(uow.tx, {
    workspaceId: id, revisionId: rid, requestedBy: auth.sub, simulatorKind: simulatorKind(playbook.executor_type),
    bindings: currentBindings(pair.revision, playbook, targets), gateContext: { executor_type: playbook.executor_type, notes },
  });
  uow.enqueue(workspaceSimulateQueue, { sandbox_execution_id: execution.id, owner_id: auth.owner }, { jobId: simulateJobId(execution.id) });
  emitWorkspaceEvent(uow, written, 'gate.simulation', { status: 'running', sandbox_execution_id: execution.id });
  return { pair: written, execution };
}

/** Record a finished dry run; a revision that moved on meanwhile keeps the result as history only. */
export async function recordSimulation(uow: UnitOfWork, executionId: number, outcome: SimulationOutcome): Promise<{ status: string } | { skipped: string }> {
  const { tx } = uow;
  const execution = await lockSandboxExecution(tx, executionId);
  if (execution === undefined) return { skipped: 'unknown-execution' };
  if (execution.execution_state === 'completed' || execution.execution_state === 'failed') return { skipped: 'already-recorded' };
  const [owner] = await tx<{ owner_id: string }[]>`SELECT owner_id FROM runtime_vm_remediation_workspaces WHERE id = ${execution.workspace_id}`;
  const workspace = await getWorkspace(tx, owner!.owner_id, execution.workspace_id, true);
  const revision = await getRevision(tx, workspace, execution.revision_id, true);
  const playbook = await readWorkspacePlaybook(tx, workspace);
  const targets = await readTargets(tx, workspace.owner_id, revision.targets);
  const changes = bindingChanges('simulation', execution, currentBindings(revision, playbook, targets));
  const verdict = simulationVerdict(outcome.tasks, { ran: outcome.ran, allowUnsimulated: revision.allow_unsimulated && isSatisfied(revision.policy_status) });
  const event = changes.length > 0 ? 'stale' : verdict.event;
  const live = revision.simulation_status === 'running' && ['validating', 'ready', 'draft'].includes(revision.state);
  const gateStatus = live ? stepRevision(revision, [{ kind: 'gate', gate: 'simulation', event, hard: true }]).gates.simulation : 'stale';
  const finished = await finishSandboxExecution(tx, executionId, {
    state: outcome.ran ? 'completed' : 'failed', gateStatus, tasks: outcome.tasks, diff: { unified: outcome.diff },
    outcome: { detail: outcome.detail, verdict: verdict.reason, ...(changes.length > 0 ? { changed_bindings: changes } : {}) },
  });
  const snapshot = await insertSnapshot(tx, revision, {
    gate: 'simulation', status: gateStatus, bindings: execution, sandboxExecutionId: executionId,
    gateContext: { simulator_kind: execution.simulator_kind, verdict: verdict.reason, tasks: finished.tasks.map((task) => `${task.host}:${task.task}=${task.result}`) },
    notes: changes.length > 0 ? ['the facts the simulation read changed while it ran'] : [], recordedBy: execution.requested_by,
  });
  if (!live) return { status: gateStatus };
  const next = stepRevision(revision, [{ kind: 'gate', gate: 'simulation', event, hard: true }]);
  const written = await writePair(tx, { workspace, revision }, next, { simulated_at: new Date() });
  emitWorkspaceEvent(uow, written, 'gate.simulation', { status: next.gates.simulation, sandbox_execution_id: executionId, snapshot_id: snapshot.id, verdict: verdict.reason });
  return { status: next.gates.simulation };
}
