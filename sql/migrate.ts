// Forward-only migration runner: applies sql/migrations/NNNN_name.sql in order under an advisory lock.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Sql } from './db.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Arbitrary constant shared by every process that migrates this database.
const MIGRATION_LOCK_KEY = 7_301_955_110;

export interface Migration {
  id: number;
  name: string;
  file: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  return files.map((file) => ({ id: Number(file.slice(0, 4)), name: file.slice(5, -4), file: path.join(dir, file) }));
}

/** Apply every pending migration; returns the names applied (empty when up to date). */
export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await listMigrations(dir);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        id integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
    const rows = await tx<{ id: number }[]>`SELECT id FROM schema_migrations`;
    const applied = new Set(rows.map((row) => row.id));
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      await tx.unsafe(await readFile(migration.file, 'utf8'));
      await tx`INSERT INTO schema_migrations (id, name) VALUES (${migration.id}, ${migration.name})`;
      done.push(`${String(migration.id).padStart(4, '0')}_${migration.name}`);
    }
    return done;
  });
}
