// bench:console — the lifecycle console page at 10k workspaces and 100k runs: p50/p95 through our page function
// against the same nine statements run bare in psql (PREPARE/EXECUTE, \timing), statements per page, and stream
// delta latency from a run's commit (the POST's answer) to the delta's arrival at an SSE client, p50/p99.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import pino from 'pino';
import { readSseFrames } from '../cli/sse-frames.ts';
import { parseConfig } from '../core/config.ts';
import { signToken } from '../http/tokens.ts';
import { createClients, startApi, startWorkers } from '../platform.ts';
import { readConsolePage } from '../sql/console-page.ts';
import { projectConsole, projectMarked } from '../sql/console-projection.ts';
import { createSql, ensureDatabase } from '../sql/db.ts';
import { migrate } from '../sql/migrate.ts';
import { createDb } from '../sql/transact.ts';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 10_000);
const RUNS_PER_WORKSPACE = Number(process.env.BENCH_RUNS_PER_WORKSPACE ?? 10);
const PAGES = Number(process.env.BENCH_PAGES ?? 60);
const DELTAS = Number(process.env.BENCH_DELTAS ?? 30);
const SECRET = 'bench-secret-0123456789abcdef';
const dbUrl = (name: string) => Object.assign(new URL(BASE_URL), { pathname: `/${name}` }).toString();

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const round = (value: number) => Math.round(value * 100) / 100;

async function seed(sql: ReturnType<typeof createSql>): Promise<void> {
  await sql`INSERT INTO servers (owner_id, name, image) SELECT 'bench', 'srv-' || i, 'img:1' FROM generate_series(1, 100) AS i`;
  await sql`
    INSERT INTO runtime_vm_instances (owner_id, server_id, driver, domain_name, memory_mib, vcpu_count)
    SELECT 'bench', id, 'http', 'dom-' || id, 512, 1 FROM servers WHERE owner_id = 'bench'`;
  await sql`INSERT INTO runtime_vm_trust_registry (vm_instance_id, owner_id, server_id) SELECT id, owner_id, server_id FROM runtime_vm_instances`;
  await sql`INSERT INTO capability_intelligence_scores (owner_id, server_id, score) SELECT 'bench', id, 80 FROM servers`;
  await sql`
    INSERT INTO build_artifact_runs (owner_id, server_id, manifest_digest, manifest_tag, status, completed_at, duration_seconds, metadata)
    SELECT 'bench', s.id, 'sha256:' || s.id || '-' || k, 'v' || k, 'ready', now(), 90, '{"track_name":"stable","track_tier":"tier-1"}'
    FROM servers s, generate_series(1, 3) AS k`;
  await sql`INSERT INTO runtime_vm_remediation_playbooks (owner_id, playbook_key, executor_type) VALUES ('bench', 'bench-pb', 'shell')`;
  await sql`
    INSERT INTO runtime_vm_remediation_workspaces (owner_id, workspace_key, display_name, created_by)
    SELECT 'bench', 'ws-' || i, 'Workspace ' || i, 'bench' FROM generate_series(1, ${WORKSPACES}) AS i`;
  await sql`
    INSERT INTO runtime_vm_remediation_workspace_revisions (workspace_id, revision_number, created_by)
    SELECT id, 1, 'bench' FROM runtime_vm_remediation_workspaces`;
  await sql`UPDATE runtime_vm_remediation_workspaces w SET active_revision_id = r.id FROM runtime_vm_remediation_workspace_revisions r WHERE r.workspace_id = w.id`;
  await sql`
    INSERT INTO runtime_vm_remediation_runs (owner_id, vm_instance_id, playbook_id, playbook_version, status, approval_state, requested_by, sla_deadline, started_at, completed_at, attempt, metadata)
    SELECT 'bench', (SELECT min(id) FROM runtime_vm_instances) + (w.id % 100), (SELECT id FROM runtime_vm_remediation_playbooks), 1, 'succeeded', 'auto-approved', 'bench',
      now(), now() - interval '3 minutes', now(), 1, jsonb_build_object('workspace_key', w.workspace_key)
    FROM runtime_vm_remediation_workspaces w, generate_series(1, ${RUNS_PER_WORKSPACE})`;
  await sql`
    INSERT INTO runtime_vm_remediation_attempts (run_id, attempt, status, idempotency_key, finished_at)
    SELECT id, 1, 'succeeded', 'k-' || id, now() FROM runtime_vm_remediation_runs`;
  await sql`ANALYZE`;
}

const literal = (value: unknown): string => {
  if (Array.isArray(value)) return `'{${value.join(',')}}'`;
  if (typeof value === 'number') return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
};

/** The same statements, run bare in one psql session: PREPARE once, EXECUTE per page, \timing per statement. */
async function psqlPage(url: string, statements: { query: string; parameters: unknown[] }[], pages: number): Promise<number[]> {
  const prepare = statements.map((statement, index) => `PREPARE q${index} AS ${statement.query};`).join('\n');
  const execute = statements.map((statement, index) => `EXECUTE q${index}(${statement.parameters.map(literal).join(', ')});`).join('\n');
  const script = `${prepare}\n\\o /dev/null\n\\timing on\n${Array.from({ length: pages }, () => execute).join('\n')}\n`;
  const { stdout } = await execa('psql', ['-X', '-q', url], { input: script });
  const times = [...stdout.matchAll(/Time: ([\d.]+) ms/g)].map((match) => Number(match[1]));
  return Array.from({ length: pages }, (_, page) => times.slice(page * statements.length, (page + 1) * statements.length).reduce((sum, time) => sum + time, 0));
}

async function deltaLatency(url: string): Promise<number[]> {
  const config = parseConfig({ DATABASE_URL: url, REDIS_URL, QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`, LOG_LEVEL: 'warn', JWT_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1', CONSOLE_RECONCILE_MS: '3600000' });
  const clients = await createClients(config, pino({ level: 'warn' }), 'mcp-bench-console');
  const api = await startApi(clients);
  // The API only reads the projection: the console-project job writes it.
  const workers = await startWorkers(clients, ['console-project']);
  const base = `http://127.0.0.1:${api.port}`;
  const token = await signToken(SECRET, { sub: 'bench', owner: 'live', roles: ['operator'] }, { expiresIn: '1h' });
  const sql = clients.sql;
  await sql`INSERT INTO runtime_vm_remediation_workspaces (owner_id, workspace_key, display_name, created_by) VALUES ('live', 'live-ws', 'Live', 'bench')`;
  const [playbook] = await sql<{ id: number }[]>`INSERT INTO runtime_vm_remediation_playbooks (owner_id, playbook_key, executor_type) VALUES ('live', 'live-pb', 'shell') RETURNING id`;
  const [server] = await sql<{ id: number }[]>`INSERT INTO servers (owner_id, name, image) VALUES ('live', 'live', 'img:1') RETURNING id`;
  const instances = await sql<{ id: number }[]>`
    INSERT INTO runtime_vm_instances (owner_id, server_id, driver, domain_name, memory_mib, vcpu_count)
    SELECT 'live', ${server!.id}, 'http', 'live-' || i, 512, 1 FROM generate_series(1, ${DELTAS}) AS i RETURNING id`;
  await sql`INSERT INTO runtime_vm_trust_registry (vm_instance_id, owner_id, server_id) SELECT id, owner_id, server_id FROM runtime_vm_instances WHERE owner_id = 'live'`;
  const controller = new AbortController();
  const response = await fetch(`${base}/api/console/lifecycle/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const arrivals = new Map<number, number>();
  let ready!: () => void;
  const opened = new Promise<void>((resolve) => (ready = resolve));
  const reading = (async () => {
    for await (const frame of readSseFrames(response)) {
      if (frame.event === 'snapshot-complete') ready();
      if (frame.event !== 'delta') continue;
      const changes = (frame.data.delta as { workspaces: { analytics_changes: { id: number; changes: { field: string }[] }[] }[] }).workspaces.flatMap((delta) => delta.analytics_changes);
      for (const change of changes) if (change.changes.some((item) => item.field === 'run')) arrivals.set(change.id, performance.now());
    }
  })().catch(() => undefined);
  await opened;
  const latencies: number[] = [];
  for (const instance of instances) {
    const posted = await fetch(`${base}/api/trust/remediation/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ playbook_id: playbook!.id, vm_instance_id: instance.id, metadata: { workspace_key: 'live-ws' } }),
    });
    const committed = performance.now();
    const { id } = (await posted.json()) as { id: number };
    while (!arrivals.has(id)) await new Promise((resolve) => setTimeout(resolve, 1));
    latencies.push(arrivals.get(id)! - committed);
  }
  controller.abort();
  await reading;
  await api.close();
  await workers.close();
  await clients.close();
  return latencies;
}

async function main() {
  const name = `mcp_bench_console_${randomBytes(4).toString('hex')}`;
  const url = dbUrl(name);
  await ensureDatabase(url);
  const setup = createSql(url, { max: 2 });
  await migrate(setup);
  const seeding = performance.now();
  await seed(setup);
  console.log(`seeded ${WORKSPACES} workspaces, ${WORKSPACES * RUNS_PER_WORKSPACE} runs in ${Math.round(performance.now() - seeding)} ms`);

  const captured: { query: string; parameters: unknown[] }[] = [];
  let capture = false;
  const counted = createSql(url, { max: 1, debug: (_connection, query, parameters?: unknown) => void (capture && captured.push({ query, parameters: (parameters as unknown[]) ?? [] })) });
  await counted`SELECT 1`;
  const times: number[] = [];
  const statements: number[] = [];
  let sample: typeof captured = [];
  for (let page = 0; page < PAGES; page++) {
    const afterId = Math.floor(Math.random() * (WORKSPACES - 50));
    captured.length = 0;
    capture = true;
    const started = performance.now();
    await readConsolePage(counted, { ownerId: 'bench', afterId, limit: 50, runLimit: 10 });
    times.push(performance.now() - started);
    capture = false;
    statements.push(captured.length);
    if (page === 0) sample = [...captured];
  }
  const bare = await psqlPage(url, sample, PAGES);
  const projectStarted = performance.now();
  await projectConsole(createDb(counted), 'bench');
  const projectMs = performance.now() - projectStarted;
  // The reconciliation's cost when nothing changed (reads only), and the job's path: one marked workspace.
  const reconcileStarted = performance.now();
  await projectConsole(createDb(counted), 'bench');
  const reconcileMs = performance.now() - reconcileStarted;
  const markedStarted = performance.now();
  await counted`INSERT INTO lifecycle_console_dirty (owner_id, kind, subject_id) SELECT owner_id, 'workspace', id FROM runtime_vm_remediation_workspaces WHERE owner_id = 'bench' ORDER BY id LIMIT 1`;
  await projectMarked(createDb(counted), 'bench');
  const markedMs = performance.now() - markedStarted;
  await counted.end();
  await setup.end();

  const latencies = await deltaLatency(url);
  const admin = createSql(dbUrl('postgres'), { max: 1 });
  await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
  await admin.end();

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map(round) },
    workspaces: WORKSPACES,
    runs: WORKSPACES * RUNS_PER_WORKSPACE,
    page: { limit: 50, run_limit: 10, pages: PAGES, p50_ms: round(quantile(times, 0.5)), p95_ms: round(quantile(times, 0.95)) },
    psql: { p50_ms: round(quantile(bare, 0.5)), p95_ms: round(quantile(bare, 0.95)) },
    ratio_p50: round(quantile(times, 0.5) / quantile(bare, 0.5)),
    statements_per_page: [...new Set(statements)],
    first_projection_10k_ms: Math.round(projectMs),
    reconcile_unchanged_10k_ms: Math.round(reconcileMs),
    marked_one_workspace_ms: round(markedMs),
    delta_latency: { samples: latencies.length, p50_ms: round(quantile(latencies, 0.5)), p99_ms: round(quantile(latencies, 0.99)) },
  };
  console.log(JSON.stringify(result, null, 2));
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/console.json', `${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
