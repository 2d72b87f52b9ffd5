// runtime_vm_remediation_playbooks: the owner's playbook catalog. Deletion is soft so runs keep their playbook.
import { AppError } from '../core/errors.ts';
import type { CreatePlaybookBody, Playbook, UpdatePlaybookBody } from '../core/schemas/remediation.ts';
import type { Queryable } from './db.ts';

export async function insertPlaybook(sql: Queryable, ownerId: string, body: CreatePlaybookBody): Promise<Playbook> {
  const [row] = await sql<Playbook[]>`
    INSERT INTO runtime_vm_remediation_playbooks
      (owner_id, playbook_key, display_name, description, executor_type, owner_assignment, approval_required,
       sla_duration_seconds, timeout_seconds, retry_limit, plan, selector, metadata)
    VALUES (${ownerId}, ${body.playbook_key}, ${body.display_name}, ${body.description}, ${body.executor_type},
       ${body.owner_assignment ?? null}, ${body.approval_required}, ${body.sla_duration_seconds}, ${body.timeout_seconds},
       ${body.retry_limit}, ${sql.json(body.plan as never)}, ${sql.json(body.selector as never)}, ${sql.json(body.metadata as never)})
    ON CONFLICT DO NOTHING
    RETURNING *`;
  if (row === undefined) throw new AppError('already-exists', `a playbook with key ${body.playbook_key} already exists`);
  return row;
}

export async function listPlaybooks(sql: Queryable, ownerId: string, options: { limit: number; after?: number }): Promise<Playbook[]> {
  return sql<Playbook[]>`
    SELECT * FROM runtime_vm_remediation_playbooks
    WHERE owner_id = ${ownerId} AND deleted_at IS NULL ${options.after === undefined ? sql`` : sql`AND id > ${options.after}`}
    ORDER BY id
    LIMIT ${options.limit + 1}`;
}

/** Every live playbook that may be picked on quarantine (selection itself is core/playbook-selection.ts). */
export async function listQuarantinePlaybooks(sql: Queryable, ownerId: string): Promise<Playbook[]> {
  return sql<Playbook[]>`
    SELECT * FROM runtime_vm_remediation_playbooks
    WHERE owner_id = ${ownerId} AND deleted_at IS NULL AND (selector ->> 'on_quarantine')::boolean IS TRUE
    ORDER BY id`;
}

export async function findPlaybook(sql: Queryable, ownerId: string, ref: { id?: number; key?: string }): Promise<Playbook | undefined> {
  const [row] = await sql<Playbook[]>`
    SELECT * FROM runtime_vm_remediation_playbooks
    WHERE owner_id = ${ownerId} AND deleted_at IS NULL
      AND ${ref.id !== undefined ? sql`id = ${ref.id}` : sql`playbook_key = ${ref.key ?? ''}`}`;
  return row;
}

export async function getPlaybook(sql: Queryable, ownerId: string, id: number): Promise<Playbook> {
  const row = await findPlaybook(sql, ownerId, { id });
  if (row === undefined) throw new AppError('playbook-not-found', `playbook ${id} does not exist`);
  return row;
}

async function explainMissedWrite(sql: Queryable, ownerId: string, id: number, expected: number): Promise<never> {
  const current = await getPlaybook(sql, ownerId, id);
  throw new AppError('version-conflict', `playbook ${id} is at version ${current.version}, not ${expected}`, {
    extras: { current_version: current.version },
  });
}

export async function updatePlaybook(sql: Queryable, ownerId: string, id: number, body: UpdatePlaybookBody): Promise<Playbook> {
  const json = (value: unknown) => (value === undefined ? null : sql.json(value as never));
  const [row] = await sql<Playbook[]>`
    UPDATE runtime_vm_remediation_playbooks SET
      display_name = coalesce(${body.display_name ?? null}, display_name),
      description = coalesce(${body.description ?? null}, description),
      owner_assignment = coalesce(${body.owner_assignment ?? null}, owner_assignment),
      approval_required = coalesce(${body.approval_required ?? null}::boolean, approval_required),
      sla_duration_seconds = coalesce(${body.sla_duration_seconds ?? null}::integer, sla_duration_seconds),
      timeout_seconds = coalesce(${body.timeout_seconds ?? null}::integer, timeout_seconds),
      retry_limit = coalesce(${body.retry_limit ?? null}::integer, retry_limit),
      plan = coalesce(${json(body.plan)}::jsonb, plan),
      selector = coalesce(${json(body.selector)}::jsonb, selector),
      metadata = coalesce(${json(body.metadata)}::jsonb, metadata),
      version = version + 1,
      updated_at = now()
    WHERE id = ${id} AND owner_id = ${ownerId} AND deleted_at IS NULL AND version = ${body.version}
    RETURNING *`;
  return row ?? (await explainMissedWrite(sql, ownerId, id, body.version));
}

export async function deletePlaybook(sql: Queryable, ownerId: string, id: number, version?: number): Promise<void> {
  const result = await sql`
    UPDATE runtime_vm_remediation_playbooks SET deleted_at = now(), version = version + 1, updated_at = now()
    WHERE id = ${id} AND owner_id = ${ownerId} AND deleted_at IS NULL
      ${version === undefined ? sql`` : sql`AND version = ${version}`}`;
  if (result.count === 0) await explainMissedWrite(sql, ownerId, id, version ?? 0);
}
