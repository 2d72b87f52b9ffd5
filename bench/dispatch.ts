// bench:dispatch — latency from enqueueing a remediation run to its executor process starting (p50, p99), against
// a bare execa spawn of the same command and against the same command started in the sandbox directly
// (runSandboxed: bwrap as the sandbox user, what every attempt pays), in the same run; the dispatch overhead is the difference
// to the sandboxed start. Also runs completed per second at concurrency 1, 2 and 16, and commits per run.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import pino from 'pino';
import { parseConfig } from '../core/config.ts';
import { createClients, startWorkers } from '../platform.ts';
import type { RedisClient } from '../queues/redis.ts';
import { createSql, type Sql } from '../sql/db.ts';
import { migrate } from '../sql/migrate.ts';
import { insertPlaybook } from '../sql/remediation-playbooks.ts';
import { createRun } from '../sql/remediation-run-actions.ts';
import { insertServer } from '../sql/servers.ts';
import { transact, type Db } from '../sql/transact.ts';
import { insertVmInstance } from '../sql/vm-instances.ts';
import { createPlaybookBody } from '../core/schemas/remediation.ts';
import { runSandboxed, sandboxOptions } from '../executors/remediation/sandbox.ts';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const RUNS = Number(process.env.BENCH_RUNS ?? 64);
const POLL_MS = 20;
const dbUrl = (name: string) => Object.assign(new URL(BASE_URL), { pathname: `/${name}` }).toString();
const nowNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Committed transactions in the database so far (pg_stat_database, flushed first). */
async function commits(database: string): Promise<number> {
  const admin = createSql(dbUrl('postgres'), { max: 1 });
  try {
    await admin`SELECT pg_stat_force_next_flush()`.catch(() => undefined);
    const [row] = await admin<{ n: string }[]>`SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = ${database}`;
    return Number(row?.n ?? 0);
  } finally {
    await admin.end();
  }
}

async function instances(sql: Sql, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = await insertServer(sql, 'bench', { name: `s-${randomBytes(4).toString('hex')}`, description: '', image: 'x', metadata: {} });
    const vm = await insertVmInstance(sql, { ownerId: 'bench', serverId: server.id, driver: 'http', domainName: `d-${server.id}`, memoryMib: 64, vcpuCount: 1, isolationTier: 'none', actor: 'bench', freshnessSeconds: 3600 });
    ids.push(vm.id);
  }
  return ids;
}

/** Statements the platform's clients sent, by their first words (BENCH_STATEMENTS=1 prints the table). */
const statements = new Map<string, number>();
let counting = false;
const countStatement = (_connection: number, query: string) => {
  if (!counting) return;
  const key = query.replace(/\s+/g, ' ').trim().slice(0, 90);
  statements.set(key, (statements.get(key) ?? 0) + 1);
};
const BENCH_OWN = ['SELECT line FROM runtime_vm_remediation_log_events', 'SELECT status FROM runtime_vm_remediation_runs WHERE id', 'SELECT * FROM runtime_vm_remediation_playbooks WHERE id'];

async function phase(database: string, concurrency: number, work: (db: Db, playbook: { id: number }) => Promise<void>) {
  const config = parseConfig({ DATABASE_URL: dbUrl(database), REDIS_URL, QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`, LOG_LEVEL: 'silent', OUTBOX_SWEEP_MS: '50', WORKER_CONCURRENCY: String(concurrency), REMEDIATION_WORKDIR: `/tmp/mcp-bench-dispatch-${process.pid}` });
  const clients = await createClients(config, pino({ level: 'silent' }), 'bench-dispatch', { debug: countStatement });
  const workers = await startWorkers(clients, ['remediation-execute', 'sse-fanout']);
  const body = createPlaybookBody.parse({ playbook_key: `date-${concurrency}-${randomBytes(3).toString('hex')}`, executor_type: 'shell', approval_required: false, retry_limit: 0, plan: { command: 'date', args: ['+%s%N'] } });
  const playbook = await insertPlaybook(clients.sql, 'bench', body);
  try {
    await work(clients.db, playbook);
  } finally {
    await workers.close();
    // The phase's queues go with it: the shared Redis is not the bench's to fill.
    const keys = await scanAll(clients.redis, `${clients.queues.keyPrefix}*`);
    for (let i = 0; i < keys.length; i += 500) await clients.redis.unlink(...keys.slice(i, i + 500));
    await clients.close();
  }
}

async function scanAll(redis: RedisClient, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

async function enqueue(db: Db, playbook: { id: number }, vm: number) {
  const full = await db.sql<{ id: number; version: number; approval_required: boolean; sla_duration_seconds: number; retry_limit: number; owner_assignment: string | null }[]>`SELECT * FROM runtime_vm_remediation_playbooks WHERE id = ${playbook.id}`;
  return transact(db, (uow) => createRun(uow, { ownerId: 'bench', vmInstanceId: vm, playbook: full[0]!, requestedBy: 'bench', trigger: 'manual', metadata: {}, approvalTtlSeconds: 60 }, 'throw'));
}

async function main() {
  const database = `mcp_bench_dispatch_${randomBytes(4).toString('hex')}`;
  const admin = createSql(dbUrl('postgres'), { max: 1 });
  await admin`CREATE DATABASE ${admin(database)}`;
  const sql = createSql(dbUrl(database), { max: 4 });
  await migrate(sql);
  await mkdir(`/tmp/mcp-bench-dispatch-${process.pid}`, { recursive: true });
  try {
    const vms = await instances(sql, Math.max(SAMPLES, RUNS));
    // Baseline: the same command spawned directly, process start measured the same way.
    const bare: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = nowNs();
      const { stdout } = await execa('date', ['+%s%N']);
      bare.push(Number(BigInt(stdout.trim()) - t0) / 1e6);
    }
    // Baseline 2: the same command through the sandbox directly (the worker's launcher, in a work directory like an
    // attempt's), one sample right before each dispatch sample: this machine's speed drifts by tens of per cent within
    // a minute, and a baseline taken in a phase of its own compared two different machines.
    const sandbox = sandboxOptions(parseConfig({}));
    const sandboxed: number[] = [];
    const scratch = `/tmp/mcp-bench-dispatch-${process.pid}/direct`;
    const sandboxedStart = async (i: number) => {
      const workdir = `${scratch}-${i}`;
      await mkdir(workdir, { recursive: true });
      let line = '';
      const t0 = nowNs();
      await runSandboxed(sandbox, { command: 'date', args: ['+%s%N'], env: {}, workdir, cwd: workdir, network: 'none' }, {
        context: { signal: new AbortController().signal, timeoutMs: 10_000, onLog: (entry) => void (entry.stream === 'stdout' && (line = entry.line)) },
        outputCapBytes: 1 << 20,
      });
      sandboxed.push(Number(BigInt(line.trim()) - t0) / 1e6);
    };
    const dispatched: number[] = [];
    // Every statement of the bench's own poll is a transaction too: counted, and taken off.
    let polls = 0;
    const commitsBefore = await commits(database);
    await phase(database, 1, async (db, playbook) => {
      const s = db.sql;
      counting = true;
      for (let i = 0; i < SAMPLES; i++) {
        // Before and after in turn: whatever the previous run left running (its outcome, namespace teardown in the
        // kernel) falls on either measurement as often.
        if (i % 2 === 0) await sandboxedStart(i);
        const t0 = nowNs();
        const run = await enqueue(db, playbook, vms[i]!);
        for (;;) {
          polls += 1;
          const [row] = await s<{ line: string }[]>`SELECT line FROM runtime_vm_remediation_log_events WHERE run_id = ${run!.id} AND stream = 'stdout'`;
          if (row) {
            dispatched.push(Number(BigInt(row.line.trim()) - t0) / 1e6);
            break;
          }
          // The process's own clock is the measurement, so the poll only needs to notice it; polled every 2 ms it
          // took a share of the two cores from the path it measures.
          await sleep(POLL_MS);
        }
        // The next sample starts from a quiet system: this run's outcome transaction is not on its path.
        for (;;) {
          polls += 1;
          const [row] = await s<{ status: string }[]>`SELECT status FROM runtime_vm_remediation_runs WHERE id = ${run!.id}`;
          if (row!.status === 'succeeded' || row!.status === 'failed') break;
          await sleep(POLL_MS);
        }
        if (i % 2 === 1) await sandboxedStart(i);
      }
      counting = false;
    });
    let perRun = 0;
    const table: [string, number][] = [];
    for (const [query, n] of statements) {
      if (BENCH_OWN.some((own) => query.startsWith(own))) continue;
      perRun += n / SAMPLES;
      table.push([query, n / SAMPLES]);
    }
    if (process.env.BENCH_STATEMENTS === '1') for (const [query, n] of table.sort((a, b) => b[1] - a[1])) console.error(n.toFixed(2).padStart(6), query);
    const commitsPerRun = (await commits(database)) - commitsBefore - polls;
    const throughput: Record<string, number> = {};
    for (const concurrency of process.env.BENCH_THROUGHPUT === '0' ? [] : [1, 2, 16]) {
      await phase(database, concurrency, async (db, playbook) => {
        const s = db.sql;
        await s`UPDATE runtime_vm_remediation_runs SET status = 'succeeded' WHERE status IN ('pending', 'queued', 'running', 'retry-scheduled')`;
        const started = performance.now();
        const ids = (await Promise.all(vms.slice(0, RUNS).map((vm) => enqueue(db, playbook, vm)))).map((run) => run!.id);
        for (;;) {
          const [row] = await s<{ n: number }[]>`SELECT count(*)::int AS n FROM runtime_vm_remediation_runs WHERE id = ANY(${ids}::bigint[]) AND status IN ('succeeded', 'failed')`;
          if (row!.n === ids.length) break;
          await sleep(10);
        }
        throughput[`c${concurrency}`] = ids.length / ((performance.now() - started) / 1000);
      });
    }
    const result = {
      date: new Date().toISOString(),
      samples: SAMPLES,
      runs: RUNS,
      bare_spawn_ms: { p50: quantile(bare, 0.5), p99: quantile(bare, 0.99) },
      sandboxed_spawn_ms: { p50: quantile(sandboxed, 0.5), p99: quantile(sandboxed, 0.99) },
      enqueue_to_start_ms: { p50: quantile(dispatched, 0.5), p99: quantile(dispatched, 0.99) },
      ratio_p50: quantile(dispatched, 0.5) / quantile(bare, 0.5),
      ratio_p50_vs_sandboxed: quantile(dispatched, 0.5) / quantile(sandboxed, 0.5),
      dispatch_overhead_ms_p50: quantile(dispatched, 0.5) - quantile(sandboxed, 0.5),
      commits_per_run: commitsPerRun / SAMPLES,
      statements_per_run: perRun,
      runs_per_second: throughput,
      scaling_c2_over_c1: (throughput.c2 ?? 0) / (throughput.c1 ?? 1),
      scaling_c16_over_c1: (throughput.c16 ?? 0) / (throughput.c1 ?? 1),
    };
    console.log(JSON.stringify(result, null, 2));
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/dispatch.json', JSON.stringify(result, null, 2) + '\n');
  } finally {
    await sql.end();
    await admin`DROP DATABASE IF EXISTS ${admin(database)} WITH (FORCE)`;
    await admin.end();
  }
}

await main();
