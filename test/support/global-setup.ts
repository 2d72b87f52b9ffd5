// Once per test run: build a fresh migrated template database; each test file clones it (see db.ts).
import postgres from 'postgres';
import { createSql } from '../../sql/db.ts';
import { migrate } from '../../sql/migrate.ts';
import { BASE_DATABASE_URL, TEMPLATE_DATABASE, databaseUrl } from './env.ts';

export async function setup(): Promise<void> {
  const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
  try {
    await admin`DROP DATABASE IF EXISTS ${admin(TEMPLATE_DATABASE)} WITH (FORCE)`;
    await admin`CREATE DATABASE ${admin(TEMPLATE_DATABASE)}`;
  } finally {
    await admin.end();
  }
  const sql = createSql(databaseUrl(TEMPLATE_DATABASE), { max: 1 });
  try {
    await migrate(sql);
  } finally {
    await sql.end();
  }
  void BASE_DATABASE_URL;
}
