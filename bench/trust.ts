// bench:trust — end-to-end attestation ingest (HTTP POST → job → transaction → SSE delivery) in outcomes/s, as a
// ratio to pgbench's TPC-B-like tps on the same server in the same run, with 1, 2 and 4 worker processes; commits
// per outcome (pg_stat_database); POST→SSE latency at half of the measured maximum; and the NOTIFY cost on trust
// writes (with ÷ without), in-transaction vs after-commit. Each round runs on a fresh copy of the seeded database
// (nothing left over from earlier phases) and the load generator (bench/trust-load.ts) runs in its own process.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import pino from 'pino';
import { parseConfig } from '../core/config.ts';
import { cpuByGroup } from './proc-cpu.ts';
import { signToken } from '../http/tokens.ts';
import { createClients, startApi, type Clients } from '../platform.ts';
import { createSql, type Sql } from '../sql/db.ts';
import { migrate } from '../sql/migrate.ts';
import { insertServer } from '../sql/servers.ts';
import { insertVmInstance } from '../sql/vm-instances.ts';
import { createDb, doorbellsSettled, transact } from '../sql/transact.ts';
import { applyTrustEvent } from '../sql/trust-registry.ts';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OUTCOMES = Number(process.env.BENCH_OUTCOMES ?? 2000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const INSTANCES = 200;
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 6);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
/** Reports per request: 1 = one POST per outcome; more = POST /api/trust/attestations/batch (a verifier serving a fleet). */
const POST_BATCHES = (process.env.BENCH_POST_BATCHES ?? '1,64').split(',').map(Number);
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 10);
const MODES = ['off', 'after-commit', 'transaction'] as const;
const WRITER_OUTCOMES = 1500;
const WRITER_CONCURRENCY = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const dbUrl = (name: string) => Object.assign(new URL(BASE_URL), { pathname: `/${name}` }).toString();
const admin = createSql(dbUrl('postgres'), { max: 1 });

async function pgbenchTps(): Promise<number> {
  const name = `mcp_bench_pgbench_${randomBytes(4).toString('hex')}`;
  await admin`CREATE DATABASE ${admin(name)}`;
  try {
    const url = new URL(dbUrl(name));
    const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres')];
    await execa('pgbench', [...conn, '-i', '-q', '-s', '8', name]);
    const run = await execa('pgbench', [...conn, '-n', '-c', '8', '-j', '2', '-T', String(PGBENCH_SECONDS), name]);
    const match = /tps = ([\d.]+)/.exec(run.stdout);
    if (!match?.[1]) throw new Error(`cannot read pgbench output:\n${run.stdout}`);
    return Number(match[1]);
  } finally {
    await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
  }
}

/** Committed transactions in the database so far (pg_stat_database; flushed at most every stats interval). */
async function commits(database: string): Promise<number> {
  await admin`SELECT pg_stat_force_next_flush()`.catch(() => undefined);
  const [row] = await admin<{ n: string }[]>`SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = ${database}`;
  return Number(row?.n ?? 0);
}

/**
 * NOTIFY cost where it is paid: trust writes (applyTrustEvent, 8 concurrent writers, like pgbench's clients)
 * with no doorbell, with the doorbell after commit (coalesced), and with pg_notify inside the transaction.
 */
async function writerRate(database: string, vms: number[], mode: (typeof MODES)[number]): Promise<number> {
  const sql = createSql(dbUrl(database), { max: WRITER_CONCURRENCY });
  const db = createDb(sql);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WRITER_CONCURRENCY }, async () => {
      while (next < WRITER_OUTCOMES) {
        const vm = vms[next++ % vms.length]!;
        // transact(): NOTIFYs after commit go through the db's coalescing doorbell with the outbox relay's ring.
        await transact(db, (uow) =>
          applyTrustEvent(uow, {
            ownerId: 'bench',
            vmInstanceId: vm,
            event: { kind: 'attestation', status: 'trusted', observedAt: new Date() },
            actor: 'bench',
            notify: mode === 'transaction' ? 'transaction' : mode === 'after-commit' ? 'writer' : 'off',
          }),
        );
      }
    }),
  );
  await doorbellsSettled(db);
  const rate = WRITER_OUTCOMES / ((performance.now() - t0) / 1000);
  await sql.end();
  return rate;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** A fresh copy of the seeded database per round: every round starts drained (no outbox, inbox or stream backlog). */
async function freshDatabase(template: string): Promise<string> {
  const name = `${template}_r${randomBytes(3).toString('hex')}`;
  await admin`CREATE DATABASE ${admin(name)} TEMPLATE ${admin(template)}`;
  // Statement counts for profiling: every statement of the round goes to the server log, tagged with the database.
  if (process.env.BENCH_LOG_STATEMENTS) await admin`ALTER DATABASE ${admin(name)} SET log_statement = 'all'`;
  return name;
}

/** Nothing left to do: every inbox row processed, every outbox row relayed, no job waiting, running or delayed. */
async function drained(sql: Sql, clients: Clients): Promise<void> {
  for (;;) {
    const [row] = await sql<{ inbox: number; outbox: number }[]>`
      SELECT (SELECT count(*)::int FROM attestation_inbox WHERE processed_at IS NULL) AS inbox,
        (SELECT count(*)::int FROM outbox WHERE relayed_at IS NULL) AS outbox`;
    // evaluation-refresh keeps one delayed job per instance on its cadence for ever: its delayed jobs are the
    // schedule, not work left over.
    const counts = await Promise.all(
      clients.queues.all().map((queue) => (queue.name === 'evaluation-refresh' ? queue.getJobCounts('waiting', 'active') : queue.getJobCounts('waiting', 'active', 'delayed'))),
    );
    const jobs = counts.reduce((sum, count) => sum + (count.waiting ?? 0) + (count.active ?? 0) + (count.delayed ?? 0), 0);
    if (row?.inbox === 0 && row.outbox === 0 && jobs === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface LoadResult {
  seconds: number;
  post_seconds: number;
  failures: number;
  latencies: number[];
  /** The load generator's own CPU from its first request to the last delivery (start-up and payloads excluded). */
  cpu_ms: number;
}

/** The processes of a round: the API (this process), the workers, the round database's backends and Redis. */
async function roundProcesses(clients: Clients, database: string, workerPids: number[]): Promise<Record<string, number[]>> {
  const backends = await admin<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = ${database}`;
  const info = await clients.redis.info('server');
  const redisPid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
  return { api: [process.pid], workers: workerPids, postgres: backends.map((row) => row.pid), redis: redisPid ? [redisPid] : [] };
}

/** Runs the load generator (bench/trust-load.ts) in its own process and reads its one JSON line. */
async function load(spec: { base: string; token: string; vms: number[]; count: number; inFlight?: number; rate?: number; batch: number }): Promise<LoadResult> {
  const run = await execa(process.execPath, ['--import', 'tsx', 'bench/trust-load.ts'], { env: { ...process.env, BENCH_LOAD: JSON.stringify(spec) }, stderr: 'inherit' });
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as LoadResult;
}

const WORKER_QUEUES = 'attestation-ingest,trust-transition,scheduler-refresh,score-recompute,sse-fanout,console-project';

async function ingestRun(template: string, workers: number, vms: number[], batch: number) {
  const database = await freshDatabase(template);
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: dbUrl(database), REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', JWT_SECRET: 'bench-secret-0123456789abcdef', DATABASE_POOL_MAX: process.env.BENCH_POOL ?? '10', ...(process.env.BENCH_BATCH ? { ATTESTATION_BATCH_SIZE: process.env.BENCH_BATCH } : {}) };
  const config = parseConfig({ ...env, PORT: '0', HOST: '127.0.0.1', SSE_HEARTBEAT_MS: '5000' });
  const clients = await createClients(config, pino({ level: 'warn' }), 'mcp-bench-api');
  const api = await startApi(clients);
  // Workers run in their own processes, as in production.
  const children = Array.from({ length: workers }, (_, index) =>
    execa(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=.tmp/prof/w${index}`] : []), '--import', 'tsx', 'workers/main.ts', '--queues', WORKER_QUEUES], {
      env: { ...process.env, ...env },
      reject: false,
      stdout: 'ignore',
    }),
  );
  const base = `http://127.0.0.1:${api.port}`;
  const token = await signToken(env.JWT_SECRET, { sub: 'bench', owner: 'bench', roles: ['operator', 'verifier'] });
  try {
    await load({ base, token, vms, count: 300, inFlight: 16 * batch, batch }); // warm-up: JIT, connection pools, queue keys
    await drained(clients.sql, clients);
    const commitsBefore = await commits(database);
    const [outboxHead] = await clients.sql<{ id: number }[]>`SELECT coalesce(max(id), 0)::int AS id FROM outbox`;
    const maxOutbox = outboxHead?.id ?? 0;
    const processes = await roundProcesses(clients, database, children.map((child) => child.pid!));
    const cpuBefore = cpuByGroup(processes);
    // A batch client keeps four requests in flight; one-report clients IN_FLIGHT.
    const saturated = await load({ base, token, vms, count: OUTCOMES, inFlight: batch > 1 ? 4 * batch : IN_FLIGHT, batch });
    const cpuAfter = cpuByGroup(processes);
    const outcomesPerS = OUTCOMES / saturated.seconds;
    // CPU per outcome where it is spent (Redis is shared with anything else on the machine; the load generator's
    // figure counts its timed phase only). Noise in the machine's load changes it less than it changes outcomes/s.
    const cpuPerOutcome = Object.fromEntries([
      ...Object.keys(cpuAfter).map((name) => [name, (cpuAfter[name]! - cpuBefore[name]!) / OUTCOMES]),
      ['load_generator', saturated.cpu_ms / OUTCOMES],
    ]) as Record<string, number>;
    // Commits per outcome include everything the outcomes caused: reactions, done marks, the hubs' reads.
    await drained(clients.sql, clients);
    const commitsPerOutcome = ((await commits(database)) - commitsBefore) / OUTCOMES;
    // Jobs the saturated phase wrote, per queue and outcome (sse-fanout doorbells have no outbox row).
    const jobRows = await clients.sql<{ queue: string; n: number }[]>`SELECT queue, count(*)::int AS n FROM outbox WHERE id > ${maxOutbox} GROUP BY queue ORDER BY queue`;
    const jobsPerOutcome = Object.fromEntries(jobRows.map((row) => [row.queue, row.n / OUTCOMES]));
    // Outcomes per ingest transaction: history rows written in one transaction share its now().
    const [batching] = await clients.sql<{ mean: number }[]>`
      SELECT (count(*)::float8 / greatest(count(DISTINCT created_at), 1)) AS mean FROM runtime_vm_trust_history WHERE trigger = 'attestation'`;
    // Latency at half of the maximum just measured, open loop: the figure an operator watching a busy fleet sees.
    const rate = outcomesPerS / 2;
    const paced = await load({ base, token, vms, count: Math.max(300, Math.round(rate * PACED_SECONDS)), rate, batch });
    const half = [...paced.latencies].sort((a, b) => a - b);
    const sat = [...saturated.latencies].sort((a, b) => a - b);
    return {
      workers,
      reports_per_request: batch,
      outcomes: OUTCOMES,
      seconds: saturated.seconds,
      outcomes_per_s: outcomesPerS,
      commits_per_outcome: commitsPerOutcome,
      outcomes_per_transaction: batching?.mean ?? Number.NaN,
      cpu_ms_per_outcome: cpuPerOutcome,
      jobs_per_outcome: jobsPerOutcome,
      paced_rate_per_s: rate,
      paced_achieved_per_s: paced.latencies.length / paced.post_seconds,
      p50_ms: percentile(half, 50),
      p99_ms: percentile(half, 99),
      saturated_p50_ms: percentile(sat, 50),
      saturated_p99_ms: percentile(sat, 99),
      failures: saturated.failures + paced.failures,
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    await api.close();
    // Leave nothing behind in Redis: this run's queues go with it.
    for (const queue of clients.queues.all()) await queue.obliterate({ force: true });
    await clients.close();
    await admin`DROP DATABASE IF EXISTS ${admin(database)} WITH (FORCE)`;
  }
}

async function seed(database: string): Promise<number[]> {
  const sql = createSql(dbUrl(database), { max: 4 });
  await migrate(sql);
  const vms: number[] = [];
  // One live instance per server, as the launch path creates them.
  for (let i = 0; i < INSTANCES; i++) {
    const server = await insertServer(sql, 'bench', { name: `bench-${i}`, description: '', image: 'img:1', metadata: {} });
    await sql`INSERT INTO server_reference_measurements (server_id, owner_id, measurements) VALUES (${server.id}, 'bench', ${sql.json({ pcr0: 'aa11', pcr1: 'bb22' })})`;
    const vm = await insertVmInstance(sql, { ownerId: 'bench', serverId: server.id, driver: 'http', domainName: `b-${i}`, memoryMib: 512, vcpuCount: 1, isolationTier: 'none', actor: 'bench', freshnessSeconds: 3600 });
    vms.push(vm.id);
  }
  await sql.end();
  return vms;
}

async function writerPhase(template: string, vms: number[]) {
  // On a copy of its own: the writers' reaction rows never reach the ingest rounds.
  const database = await freshDatabase(template);
  try {
    const runs: { mode: string; writes_per_s: number }[] = [];
    for (let round = 0; round < 3; round++) {
      for (const mode of MODES) {
        const rate = await writerRate(database, vms, mode);
        runs.push({ mode, writes_per_s: rate });
        console.log(`trust writes TRUST_NOTIFY=${mode}: ${rate.toFixed(0)}/s (${WRITER_CONCURRENCY} writers)`);
      }
    }
    return runs;
  } finally {
    await admin`DROP DATABASE IF EXISTS ${admin(database)} WITH (FORCE)`;
  }
}

const mean = (values: number[]) => (values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length);

async function main() {
  const template = `mcp_bench_trust_${randomBytes(4).toString('hex')}`;
  await admin`CREATE DATABASE ${admin(template)}`;
  try {
    const vms = await seed(template);
    const pgbenchBefore = await pgbenchTps();
    console.log(`pgbench TPC-B-like (8 clients, ${PGBENCH_SECONDS}s): ${pgbenchBefore.toFixed(0)} tps`);
    const writerRuns = process.env.BENCH_WRITERS === '0' ? [] : await writerPhase(template, vms);
    const writer = (mode: string) => mean(writerRuns.filter((run) => run.mode === mode).map((run) => run.writes_per_s));
    // Worker counts are interleaved over rounds so that drift in the machine's load hits each of them alike.
    const runs: Awaited<ReturnType<typeof ingestRun>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const batch of POST_BATCHES) for (const workers of WORKER_COUNTS) {
        const run = await ingestRun(template, workers, vms, batch);
        runs.push(run);
        console.log(`ingest, ${batch} report(s)/request, ${workers} worker process(es): ${run.outcomes_per_s.toFixed(0)} outcomes/s (${(run.outcomes_per_s / pgbenchBefore).toFixed(3)}× first pgbench), ${run.commits_per_outcome.toFixed(2)} commits/outcome, ${run.outcomes_per_transaction.toFixed(1)} outcomes/ingest transaction; POST→SSE at ${run.paced_rate_per_s.toFixed(0)}/s (half of max) p50/p99 ${run.p50_ms.toFixed(0)}/${run.p99_ms.toFixed(0)} ms, saturated ${run.saturated_p50_ms.toFixed(0)}/${run.saturated_p99_ms.toFixed(0)} ms; CPU ms/outcome ${Object.entries(run.cpu_ms_per_outcome).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ')}; jobs/outcome ${Object.entries(run.jobs_per_outcome).map(([queue, n]) => `${queue} ${n.toFixed(3)}`).join(', ')}`);
      }
    }
    // The baseline is measured before and after the ingest runs; their mean absorbs slow drift in machine load.
    const pgbenchAfter = await pgbenchTps();
    const pgbench = (pgbenchBefore + pgbenchAfter) / 2;
    console.log(`pgbench TPC-B-like again: ${pgbenchAfter.toFixed(0)} tps; baseline = mean ${pgbench.toFixed(0)} tps`);
    const byWorkers = POST_BATCHES.flatMap((batch) => WORKER_COUNTS.map((workers) => {
      const own = runs.filter((run) => run.workers === workers && run.reports_per_request === batch);
      const rate = mean(own.map((run) => run.outcomes_per_s));
      return {
        reports_per_request: batch,
        workers,
        outcomes_per_s: rate,
        ingest_vs_pgbench: rate / pgbench,
        commits_per_outcome: mean(own.map((run) => run.commits_per_outcome)),
        p50_ms: mean(own.map((run) => run.p50_ms)),
        p99_ms: mean(own.map((run) => run.p99_ms)),
      };
    }));
    const result = {
      date: new Date().toISOString(),
      pgbench_tps: pgbench,
      pgbench_tps_before_after: [pgbenchBefore, pgbenchAfter],
      in_flight: IN_FLIGHT,
      outcomes: OUTCOMES,
      runs,
      by_workers: byWorkers,
      ingest_outcomes_per_s: Math.max(...byWorkers.map((entry) => entry.outcomes_per_s)),
      ingest_vs_pgbench: Math.max(...byWorkers.map((entry) => entry.ingest_vs_pgbench)),
      writer_runs: writerRuns,
      writes_per_s: { off: writer('off'), after_commit: writer('after-commit'), transaction: writer('transaction') },
      notify_cost_after_commit: writer('after-commit') / writer('off'),
      notify_cost_transaction: writer('transaction') / writer('off'),
    };
    for (const entry of byWorkers) {
      console.log(`${entry.reports_per_request} report(s)/request, ${entry.workers} worker(s), mean of ${ROUNDS}: ${entry.outcomes_per_s.toFixed(0)} outcomes/s = ${entry.ingest_vs_pgbench.toFixed(3)}× pgbench, ${entry.commits_per_outcome.toFixed(2)} commits/outcome, POST→SSE at half of max p50 ${entry.p50_ms.toFixed(0)} ms, p99 ${entry.p99_ms.toFixed(0)} ms`);
    }
    if (writerRuns.length > 0) console.log(`NOTIFY cost (trust writes with ÷ without): after commit ${result.notify_cost_after_commit.toFixed(3)}, in transaction ${result.notify_cost_transaction.toFixed(3)}`);
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(new URL('./results/trust.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await admin`DROP DATABASE IF EXISTS ${admin(template)} WITH (FORCE)`;
    await admin.end();
  }
}

await main();
