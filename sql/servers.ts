// Queries over `servers`; every one is scoped by owner, and every write checks the version it was given.
import { AppError } from '../core/errors.ts';
import type { CreateServerBody, Server, UpdateServerBody } from '../core/schemas/servers.ts';
import type { Queryable } from './db.ts';

export async function insertServer(sql: Queryable, ownerId: string, body: CreateServerBody): Promise<Server> {
  const rows = await sql<Server[]>`
    INSERT INTO servers (owner_id, name, description, image, isolation_tier, memory_mib, vcpu_count, metadata)
    VALUES (${ownerId}, ${body.name}, ${body.description}, ${body.image}, ${body.isolation_tier ?? null},
            ${body.memory_mib ?? null}, ${body.vcpu_count ?? null}, ${sql.json(body.metadata as never)})
    ON CONFLICT (owner_id, name) DO NOTHING
    RETURNING *`;
  const row = rows[0];
  if (row === undefined) throw new AppError('already-exists', `a server named ${body.name} already exists`);
  return row;
}

export async function listServers(sql: Queryable, ownerId: string, options: { limit: number; after?: number }): Promise<Server[]> {
  return sql<Server[]>`
    SELECT * FROM servers
    WHERE owner_id = ${ownerId} ${options.after === undefined ? sql`` : sql`AND id > ${options.after}`}
    ORDER BY id
    LIMIT ${options.limit + 1}`;
}

export async function findServer(sql: Queryable, ownerId: string, id: number): Promise<Server | undefined> {
  const [row] = await sql<Server[]>`SELECT * FROM servers WHERE id = ${id} AND owner_id = ${ownerId}`;
  return row;
}

export async function getServer(sql: Queryable, ownerId: string, id: number): Promise<Server> {
  const row = await findServer(sql, ownerId, id);
  if (row === undefined) throw new AppError('server-not-found', `server ${id} does not exist`);
  return row;
}

/** Throws version-conflict (with the current version) or server-not-found when nothing matched. */
export async function explainMissedWrite(sql: Queryable, ownerId: string, id: number, expected: number): Promise<never> {
  const current = await findServer(sql, ownerId, id);
  if (current === undefined) throw new AppError('server-not-found', `server ${id} does not exist`);
  throw new AppError('version-conflict', `server ${id} is at version ${current.version}, not ${expected}`, {
    extras: { current_version: current.version },
  });
}

export async function updateServer(sql: Queryable, ownerId: string, id: number, body: UpdateServerBody): Promise<Server> {
  const { version } = body;
  try {
    // Absent fields keep their value: the update schema never sends null.
    const [row] = await sql<Server[]>`
      UPDATE servers SET
        name = coalesce(${body.name ?? null}, name),
        description = coalesce(${body.description ?? null}, description),
        image = coalesce(${body.image ?? null}, image),
        isolation_tier = coalesce(${body.isolation_tier ?? null}, isolation_tier),
        memory_mib = coalesce(${body.memory_mib ?? null}::integer, memory_mib),
        vcpu_count = coalesce(${body.vcpu_count ?? null}::integer, vcpu_count),
        metadata = coalesce(${body.metadata === undefined ? null : sql.json(body.metadata as never)}::jsonb, metadata),
        version = version + 1,
        updated_at = now()
      WHERE id = ${id} AND owner_id = ${ownerId} AND version = ${version}
      RETURNING *`;
    return row ?? (await explainMissedWrite(sql, ownerId, id, version));
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError('already-exists', `a server named ${String(body.name)} already exists`, { cause: error });
    }
    throw error;
  }
}

export async function deleteServer(sql: Queryable, ownerId: string, id: number, version?: number): Promise<void> {
  const result = await sql`
    DELETE FROM servers WHERE id = ${id} AND owner_id = ${ownerId}
    ${version === undefined ? sql`` : sql`AND version = ${version}`}`;
  if (result.count === 0) await explainMissedWrite(sql, ownerId, id, version ?? 0);
}

export async function setServerPlacement(
  sql: Queryable,
  ownerId: string,
  id: number,
  status: Server['status'],
  notes: string[],
): Promise<Server> {
  const [row] = await sql<Server[]>`
    UPDATE servers SET status = ${status}, placement_notes = ${sql.json(notes)}, version = version + 1, updated_at = now()
    WHERE id = ${id} AND owner_id = ${ownerId}
    RETURNING *`;
  if (row === undefined) throw new AppError('server-not-found', `server ${id} does not exist`);
  return row;
}
