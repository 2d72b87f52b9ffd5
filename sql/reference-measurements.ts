// server_reference_measurements: the measurement values an instance of a server must report to be trusted.
// Creating needs no version; replacing needs the version the caller read. Every write also appends a
// server_reference_measurement_history row with its actor, in the same statement.
import { AppError } from '../core/errors.ts';
import type { Queryable } from './db.ts';

export interface ReferenceMeasurements {
  server_id: number;
  owner_id: string;
  measurements: Record<string, string>;
  version: number;
  updated_at: Date;
  updated_by: string | null;
}

export interface ReferenceMeasurementChange {
  id: number;
  server_id: number;
  version: number;
  measurements: Record<string, string>;
  actor: string;
  changed_at: Date;
}

export async function findReferenceMeasurements(sql: Queryable, ownerId: string, serverId: number): Promise<ReferenceMeasurements | undefined> {
  const [row] = await sql<ReferenceMeasurements[]>`
    SELECT * FROM server_reference_measurements WHERE server_id = ${serverId} AND owner_id = ${ownerId}`;
  return row;
}

async function explainMissedPut(sql: Queryable, ownerId: string, serverId: number): Promise<never> {
  const current = await findReferenceMeasurements(sql, ownerId, serverId);
  if (current === undefined) {
    const [server] = await sql`SELECT 1 FROM servers WHERE id = ${serverId} AND owner_id = ${ownerId}`;
    if (server === undefined) throw new AppError('server-not-found', `server ${serverId} does not exist`);
    throw new AppError('version-conflict', `server ${serverId} has no reference measurements yet; send no version`, { extras: { current_version: null } });
  }
  throw new AppError('version-conflict', `reference measurements of server ${serverId} are at version ${current.version}`, {
    extras: { current_version: current.version },
  });
}

export async function putReferenceMeasurements(
  sql: Queryable,
  input: { ownerId: string; serverId: number; measurements: Record<string, string>; version?: number; actor: string },
): Promise<{ row: ReferenceMeasurements; created: boolean }> {
  const json = sql.json(input.measurements);
  const write =
    input.version === undefined
      ? sql`
          INSERT INTO server_reference_measurements (server_id, owner_id, measurements, updated_by)
          SELECT s.id, s.owner_id, ${json}, ${input.actor} FROM servers s WHERE s.id = ${input.serverId} AND s.owner_id = ${input.ownerId}
          ON CONFLICT (server_id) DO NOTHING
          RETURNING *`
      : sql`
          UPDATE server_reference_measurements SET measurements = ${json}, version = version + 1, updated_at = now(), updated_by = ${input.actor}
          WHERE server_id = ${input.serverId} AND owner_id = ${input.ownerId} AND version = ${input.version}
          RETURNING *`;
  const [row] = await sql<ReferenceMeasurements[]>`
    WITH written AS (${write}),
    history AS (
      INSERT INTO server_reference_measurement_history (server_id, owner_id, version, measurements, actor, changed_at)
      SELECT server_id, owner_id, version, measurements, updated_by, updated_at FROM written
    )
    SELECT * FROM written`;
  if (row === undefined) return explainMissedPut(sql, input.ownerId, input.serverId);
  return { row, created: input.version === undefined };
}

/** Every change of a server's references, newest first. */
export async function listReferenceMeasurementHistory(sql: Queryable, ownerId: string, serverId: number, limit: number): Promise<ReferenceMeasurementChange[]> {
  return sql<ReferenceMeasurementChange[]>`
    SELECT id, server_id, version, measurements, actor, changed_at FROM server_reference_measurement_history
    WHERE owner_id = ${ownerId} AND server_id = ${serverId}
    ORDER BY version DESC LIMIT ${limit}`;
}
