// Random changes to one owner's console data for the delta-log property, written with SQL (the property needs
// deletions and raw status flips no route makes), each answering the console marks a writer of it would leave.
import fc from 'fast-check';
import type { ConsoleMark } from '../../core/console-marks.ts';
import type { Sql } from '../../sql/db.ts';
import { seedRun, seedWorkspace } from './support.ts';

export type Change =
  | { kind: 'workspace' }
  | { kind: 'run'; workspace: number }
  | { kind: 'status'; run: number; status: string }
  | { kind: 'delete-run'; run: number }
  | { kind: 'trust'; state: string }
  | { kind: 'promotion'; workspace: number; allowed: boolean }
  | { kind: 'posture'; promotion: number; allowed: boolean }
  | { kind: 'delete-promotion'; promotion: number }
  | { kind: 'remove-workspace'; workspace: number };

export const change: fc.Arbitrary<Change> = fc.oneof(
  fc.constant({ kind: 'workspace' as const }),
  fc.record({ kind: fc.constant('run' as const), workspace: fc.nat(4) }),
  fc.record({ kind: fc.constant('status' as const), run: fc.nat(9), status: fc.constantFrom('succeeded', 'failed', 'cancelled') }),
  fc.record({ kind: fc.constant('delete-run' as const), run: fc.nat(9) }),
  fc.record({ kind: fc.constant('trust' as const), state: fc.constantFrom('quarantined', 'restored', 'suspect') }),
  fc.record({ kind: fc.constant('promotion' as const), workspace: fc.nat(4), allowed: fc.boolean() }),
  fc.record({ kind: fc.constant('posture' as const), promotion: fc.nat(4), allowed: fc.boolean() }),
  fc.record({ kind: fc.constant('delete-promotion' as const), promotion: fc.nat(4) }),
  fc.record({ kind: fc.constant('remove-workspace' as const), workspace: fc.nat(4) }),
);

const pick = <T>(items: T[], index: number): T | undefined => (items.length === 0 ? undefined : items[index % items.length]);

/** One owner's world: apply changes to it; each answers the marks its writer would have left. */
export function createWorld(sql: Sql, owner: string, instanceId: number, playbookId: number) {
  const workspaces: { id: number; key: string; revisionId: number }[] = [];
  const runs: { id: number }[] = [];
  const promotions: { id: number; workspaceId: number }[] = [];
  let made = 0;
  const mark = (kind: ConsoleMark['kind'], subject_id: number): ConsoleMark => ({ owner_id: owner, kind, subject_id });
  return async function apply(step: Change): Promise<ConsoleMark[]> {
    const workspace = pick(workspaces, 'workspace' in step ? step.workspace : 0);
    if (step.kind === 'workspace' || workspace === undefined) {
      const key = `w-${made++}`;
      const created = { key, ...(await seedWorkspace(sql, { owner, key })) };
      workspaces.push(created);
      return [mark('workspace', created.id)];
    }
    if (step.kind === 'run') {
      const id = await seedRun(sql, { owner, instanceId, playbookId, workspaceKey: workspace.key });
      runs.push({ id });
      return [mark('run', id)];
    }
    const run = pick(runs, 'run' in step ? step.run : 0);
    if (step.kind === 'status' && run) {
      await sql`UPDATE runtime_vm_remediation_runs SET status = ${step.status}, version = version + 1 WHERE id = ${run.id}`;
      return [mark('run', run.id)];
    }
    if (step.kind === 'delete-run' && run) {
      runs.splice(runs.indexOf(run), 1);
      // Once gone the run names no workspace: its deleter marks the workspaces it showed in.
      const shown = await sql<{ workspace_id: number }[]>`SELECT workspace_id FROM lifecycle_console_workspace_runs WHERE run_id = ${run.id}`;
      await sql`DELETE FROM runtime_vm_remediation_runs WHERE id = ${run.id}`;
      return shown.map((row) => mark('workspace', Number(row.workspace_id)));
    }
    if (step.kind === 'trust') {
      await sql`UPDATE runtime_vm_trust_registry SET lifecycle_state = ${step.state}, version = version + 1 WHERE vm_instance_id = ${instanceId}`;
      return [mark('vm_instance', instanceId)];
    }
    if (step.kind === 'promotion') {
      const [row] = await sql<{ id: number }[]>`
        INSERT INTO runtime_vm_remediation_promotions (owner_id, workspace_id, revision_id, playbook_id, requested_by, posture_verdict)
        VALUES (${owner}, ${workspace.id}, ${workspace.revisionId}, ${playbookId}, 'alice', ${sql.json({ allowed: step.allowed })}) RETURNING id`;
      promotions.push({ id: row!.id, workspaceId: workspace.id });
      await sql`
        INSERT INTO runtime_vm_remediation_promotion_runs (promotion_id, owner_id, workspace_id, runtime_vm_instance_id, ordinal, playbook_id, remediation_run_id)
        VALUES (${row!.id}, ${owner}, ${workspace.id}, ${instanceId}, 1, ${playbookId}, ${runs[0]?.id ?? null})`;
      // The staged run now shows in this workspace too: its run mark resolves to both.
      return [mark('workspace', workspace.id), ...(runs[0] ? [mark('run', runs[0].id)] : [])];
    }
    // A promotion's deleter marks the runs it staged too: they show its verdict in whichever workspace names them.
    const staged = async (where: 'id' | 'workspace_id', id: number) =>
      (
        await sql<{ run_id: number }[]>`
          SELECT DISTINCT pr.remediation_run_id AS run_id FROM runtime_vm_remediation_promotion_runs pr
          JOIN runtime_vm_remediation_promotions p ON p.id = pr.promotion_id
          WHERE p.${sql(where)} = ${id} AND pr.remediation_run_id IS NOT NULL`
      ).map((row) => mark('run', Number(row.run_id)));
    const promotion = pick(promotions, 'promotion' in step ? step.promotion : 0);
    if (step.kind === 'posture' && promotion) {
      await sql`UPDATE runtime_vm_remediation_promotions SET posture_verdict = ${sql.json({ allowed: step.allowed, veto_reasons: step.allowed ? [] : ['drift'] })}, status = 'running' WHERE id = ${promotion.id}`;
      return [mark('workspace', promotion.workspaceId)];
    }
    if (step.kind === 'delete-promotion' && promotion) {
      promotions.splice(promotions.indexOf(promotion), 1);
      const runMarks = await staged('id', promotion.id);
      await sql`DELETE FROM runtime_vm_remediation_promotions WHERE id = ${promotion.id}`;
      return [mark('workspace', promotion.workspaceId), ...runMarks];
    }
    if (step.kind === 'remove-workspace') {
      workspaces.splice(workspaces.indexOf(workspace), 1);
      const runMarks = await staged('workspace_id', workspace.id);
      await sql`DELETE FROM runtime_vm_remediation_promotions WHERE workspace_id = ${workspace.id}`;
      await sql`DELETE FROM runtime_vm_remediation_workspaces WHERE id = ${workspace.id}`;
      return [mark('workspace', workspace.id), ...runMarks];
    }
    return [];
  };
}
