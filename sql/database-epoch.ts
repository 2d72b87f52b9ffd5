// The database's epoch: a short token from Postgres' own identifiers (the cluster's system identifier and the
// database's oid). It is part of every BullMQ key (queues/queues.ts), so a database that is recreated — restored, or
// a new environment on the same Redis — never meets the jobs of its predecessor, whose ids restart from 1. A random
// id stored by a migration would not do: databases cloned from one template would share it.
import { createHash } from 'node:crypto';
import type { Queryable } from './db.ts';

export async function databaseEpoch(sql: Queryable): Promise<string> {
  const [row] = await sql<{ system_identifier: string; oid: string }[]>`
    SELECT (SELECT system_identifier FROM pg_control_system())::text AS system_identifier, oid::text AS oid
    FROM pg_database WHERE datname = current_database()`;
  if (row === undefined) throw new Error('current database not found in pg_database');
  return createHash('sha256').update(`${row.system_identifier}/${row.oid}`).digest('hex').slice(0, 10);
}
