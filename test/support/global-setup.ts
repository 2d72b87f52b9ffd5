// Once per test run: build a migrated template database of this run's own (so concurrent runs on one machine
// cannot drop each other's), hand its name to the test files, and drop it when the run ends.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { createSql } from '../../sql/db.ts';
import { migrate } from '../../sql/migrate.ts';
import { databaseUrl } from './env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

async function withAdmin(work: (admin: postgres.Sql) => Promise<unknown>): Promise<void> {
  const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = `mcp_test_template_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin`CREATE DATABASE ${admin(template)}`);
  const sql = createSql(databaseUrl(template), { max: 1 });
  try {
    await migrate(sql);
  } finally {
    await sql.end();
  }
  project.provide('templateDatabase', template);
  return () => withAdmin((admin) => admin`DROP DATABASE IF EXISTS ${admin(template)} WITH (FORCE)`);
}
