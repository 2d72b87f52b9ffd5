// server_reference_measurements: the measurement values an instance of a server must report to be trusted.
// Creating needs no version; replacing needs the version the caller read.
import { AppError } from '../core/errors.ts';
import type { Queryable } from './db.ts';

export interface ReferenceMeasurements {
  server_id: number;
  owner_id: string;
  measurements: Record<string, string>;
  version: number;
  updated_at: Date;
}

export async function findReferenceMeasurements(sql: Queryable, ownerId: string, serverId: number): Promise<ReferenceMeasurements | undefined> {
  const [row] = await sql<ReferenceMeasurements[]>`
    SELECT * FROM server_reference_measurements WHERE server_id = ${serverId} AND owner_id = ${ownerId}`;
  return row;
}

export async function putReferenceMeasurements(
  sql: Queryable,
  input: { ownerId: string; serverId: number; measurements: Record<string, string>; version?: number },
): Promise<{ row: ReferenceMeasurements; created: boolean }> {
  const json = sql.json(input.measurements);
  if (input.version === undefined) {
    const [row] = await sql<ReferenceMeasurements[]>`
      INSERT INTO server_reference_measurements (server_id, owner_id, measurements)
      SELECT s.id, s.owner_id, ${json} FROM servers s WHERE s.id = ${input.serverId} AND s.owner_id = ${input.ownerId}
      ON CONFLICT (server_id) DO NOTHING
      RETURNING *`;
    if (row !== undefined) return { row, created: true };
  } else {
    const [row] = await sql<ReferenceMeasurements[]>`
      UPDATE server_reference_measurements SET measurements = ${json}, version = version + 1, updated_at = now()
      WHERE server_id = ${input.serverId} AND owner_id = ${input.ownerId} AND version = ${input.version}
      RETURNING *`;
    if (row !== undefined) return { row, created: false };
  }
  const current = await findReferenceMeasurements(sql, input.ownerId, input.serverId);
  if (current === undefined) {
    const [server] = await sql`SELECT 1 FROM servers WHERE id = ${input.serverId} AND owner_id = ${input.ownerId}`;
    if (server === undefined) throw new AppError('server-not-found', `server ${input.serverId} does not exist`);
    throw new AppError('version-conflict', `server ${input.serverId} has no reference measurements yet; send no version`, { extras: { current_version: null } });
  }
  throw new AppError('version-conflict', `reference measurements of server ${input.serverId} are at version ${current.version}`, {
    extras: { current_version: current.version },
  });
}
