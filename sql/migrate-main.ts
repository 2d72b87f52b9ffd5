// `npm run migrate`: create the database if needed and apply pending migrations.
import { createSql, ensureDatabase } from './db.ts';
import { migrate } from './migrate.ts';
import { loadConfigOrExit } from '../boot.ts';

const config = loadConfigOrExit();
await ensureDatabase(config.DATABASE_URL);
const sql = createSql(config.DATABASE_URL, { max: 1, applicationName: 'mcp-runtime-migrate' });
try {
  const applied = await migrate(sql);
  process.stdout.write(applied.length === 0 ? 'schema up to date\n' : `applied ${applied.join(', ')}\n`);
} finally {
  await sql.end();
}
