import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSql, ensureDatabase } from '../../sql/db.ts';
import { listMigrations, migrate } from '../../sql/migrate.ts';
import { databaseUrl } from '../support/env.ts';

const name = `mcp_test_migrate_${randomBytes(4).toString('hex')}`;
const url = databaseUrl(name);

afterAll(async () => {
  const admin = postgres(databaseUrl('postgres'), { max: 1 });
  await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
  await admin.end();
});

describe('migrations', () => {
  it('create the database, apply every migration on an empty database, then re-apply as a no-op', async () => {
    await ensureDatabase(url);
    const sql = createSql(url, { max: 2 });
    try {
      const files = await listMigrations();
      expect(await migrate(sql)).toHaveLength(files.length);
      expect(await migrate(sql)).toEqual([]);
      const tables = await sql<{ table_name: string }[]>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
      expect(tables.map((row) => row.table_name)).toEqual(
        expect.arrayContaining([
          'servers', 'outbox', 'stream_events', 'runtime_vm_instances', 'runtime_vm_trust_history', 'runtime_vm_trust_registry',
          'evaluation_certifications', 'capability_intelligence_scores', 'build_artifact_runs', 'runtime_vm_remediation_playbooks',
          'runtime_vm_remediation_runs', 'runtime_vm_remediation_artifacts', 'runtime_vm_accelerator_posture',
          'runtime_vm_remediation_workspaces', 'runtime_vm_remediation_workspace_revisions',
          'runtime_vm_remediation_workspace_sandbox_executions', 'runtime_vm_remediation_workspace_validation_snapshots',
          'runtime_vm_remediation_promotions', 'runtime_vm_remediation_promotion_runs',
        ]),
      );
    } finally {
      await sql.end();
    }
  });

  it('is safe when two processes migrate at once', async () => {
    const other = `${name}_race`;
    const otherUrl = databaseUrl(other);
    await ensureDatabase(otherUrl);
    const a = createSql(otherUrl, { max: 1 });
    const b = createSql(otherUrl, { max: 1 });
    try {
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      const files = await listMigrations();
      expect([first.length, second.length].sort()).toEqual([0, files.length]);
    } finally {
      await a.end();
      await b.end();
      const admin = postgres(databaseUrl('postgres'), { max: 1 });
      await admin`DROP DATABASE IF EXISTS ${admin(other)} WITH (FORCE)`;
      await admin.end();
    }
  });
});
