// A private database per test file, cloned from the migrated template in milliseconds.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createSql, type Sql } from '../../sql/db.ts';
import { createDb, transact, type UnitOfWork } from '../../sql/transact.ts';
import { inject } from 'vitest';
import { databaseUrl } from './env.ts';

export interface TestDatabase {
  name: string;
  url: string;
  sql: Sql;
  /** A unit of work on this database without publishers: outbox rows wait for a relay, hubs see events on their sweep. */
  transact<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(databaseUrl('postgres'), { max: 1, onnotice: () => {} });
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** `name` recreates a database under a name used before (dropped first): same name, new database. */
export async function createTestDatabase(options: { template?: string; name?: string } = {}): Promise<TestDatabase> {
  const name = options.name ?? `mcp_test_${randomBytes(6).toString('hex')}`;
  const template = options.template ?? inject('templateDatabase');
  await withAdmin(async (admin) => {
    // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin`CREATE DATABASE ${admin(name)} TEMPLATE ${admin(template)}`;
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  const url = databaseUrl(name);
  const sql = createSql(url, { max: 10, applicationName: 'mcp-runtime-test' });
  const db = createDb(sql);
  return {
    name,
    url,
    sql,
    transact: (work) => transact(db, work),
    async drop() {
      await sql.end({ timeout: 1 });
      await withAdmin((admin) => admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`);
    },
  };
}
