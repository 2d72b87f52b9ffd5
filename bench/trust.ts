// bench:trust — end-to-end attestation ingest (HTTP POST → job → transaction → SSE delivery) in outcomes/s, as a
// ratio to pgbench's TPC-B-like tps on the same server in the same run; POST→SSE latency; and the NOTIFY cost
// on trust writes (with ÷ without), in-transaction vs after-commit.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import pino from 'pino';
import { parseConfig } from '../core/config.ts';
import { signToken } from '../http/tokens.ts';
import { createClients, startApi } from '../platform.ts';
import { createSql } from '../sql/db.ts';
import { migrate } from '../sql/migrate.ts';
import { insertServer } from '../sql/servers.ts';
import { insertVmInstance } from '../sql/vm-instances.ts';
import { createDb, doorbellsSettled, transact } from '../sql/transact.ts';
import { applyTrustEvent } from '../sql/trust-registry.ts';
import { readSseFrames, type SseFrame } from '../cli/sse-frames.ts';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OUTCOMES = Number(process.env.BENCH_OUTCOMES ?? 2000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const INSTANCES = 200;
const LIGHT_OUTCOMES = 300;
const LIGHT_IN_FLIGHT = 2;
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 10);
const MODES = ['off', 'after-commit', 'transaction'] as const;
const E2E_MODES = (process.env.BENCH_MODES ?? 'off,after-commit').split(',');
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

/** An SSE client that collects every frame (the CLI's parser); `close()` aborts it. */
async function openSse(url: string, token: string): Promise<{ events: SseFrame[]; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  const events: SseFrame[] = [];
  void (async () => {
    for await (const frame of readSseFrames(response)) events.push(frame);
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) console.error('bench SSE stream failed', error);
  });
  return { events, close: () => controller.abort() };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function ingestRun(mode: (typeof MODES)[number], database: string, vms: number[]) {
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: dbUrl(database), REDIS_URL, QUEUE_PREFIX: prefix, TRUST_NOTIFY: mode, LOG_LEVEL: 'warn', JWT_SECRET: 'bench-secret-0123456789abcdef', OUTBOX_SWEEP_MS: '200', DATABASE_POOL_MAX: process.env.BENCH_POOL ?? '10' };
  const config = parseConfig({ ...env, PORT: '0', HOST: '127.0.0.1', SSE_HEARTBEAT_MS: '5000' });
  const clients = await createClients(config, pino({ level: 'warn' }), 'mcp-bench-api');
  const api = await startApi(clients);
  // Workers run in their own process, as in production, so they get the second core.
  const worker = execa(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=.tmp/prof'] : []), '--import', 'tsx', 'workers/main.ts', '--queues', 'attestation-ingest,trust-transition,scheduler-refresh,score-recompute,sse-fanout'], {
    env: { ...process.env, ...env },
    reject: false,
    stdout: 'ignore',
  });
  const base = `http://127.0.0.1:${api.port}`;
  const token = await signToken(env.JWT_SECRET, { sub: 'bench', owner: 'bench', roles: ['operator', 'verifier'] });
  const stream = await openSse(`${base}/api/trust/registry/stream`, token);
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  let expected = Number.POSITIVE_INFINITY;
  const poll = setInterval(() => {
    while (delivered < stream.events.length) {
      const event = stream.events[delivered++]!;
      const reference = (event.data.provenance as { report_reference?: string } | undefined)?.report_reference;
      const t0 = reference ? started.get(reference) : undefined;
      if (t0 !== undefined) latencies.push(performance.now() - t0);
      if (t0 !== undefined && process.env.BENCH_DEBUG && expected === LIGHT_OUTCOMES && latencies.length % 50 === 0) {
        const committed = Date.parse(String(event.data.updated_at)) - performance.timeOrigin;
        console.log(`light: POST→tx ${(committed - t0).toFixed(0)} ms, tx→SSE ${(performance.now() - committed).toFixed(0)} ms`);
      }
    }
    if (latencies.length >= expected) done();
  }, 2);

  const post = async (vm: number) => {
    // Keyed before the POST: the SSE event may arrive before the 202 has been read.
    const reference = `bench-${randomBytes(8).toString('hex')}`;
    const body = {
      vm_instance_id: vm,
      evidence: { measurements: { pcr0: 'aa11', pcr1: 'bb22' }, nonce: randomBytes(12).toString('hex'), observed_at: new Date().toISOString() },
      provenance: { verifier: 'bench', report_reference: reference },
    };
    started.set(reference, performance.now());
    const response = await fetch(`${base}/api/trust/attestations`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`POST answered ${response.status}`);
  };
  const drive = async (count: number, inFlight = IN_FLIGHT) => {
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) await post(vms[next++ % vms.length]!);
    }));
  };

  await drive(200); // warm-up: JIT, connection pools, queue keys
  expected = 200;
  await finished;
  latencies.length = 0;
  started.clear();
  expected = OUTCOMES;
  const finishedRun = new Promise<void>((resolve) => (done = resolve));
  const commitsBefore = await commits(database);
  const debug = process.env.BENCH_DEBUG
    ? setInterval(() => {
        // Where the backlog sits: waiting jobs per queue, once a second.
        void Promise.all(['attestation-ingest', 'trust-transition', 'sse-fanout'].map(async (name) => `${name}=${await clients.queues.get(name).getWaitingCount()}`)).then((counts) =>
          console.log(`t+${((performance.now() - t0) / 1000).toFixed(1)}s delivered=${latencies.length} ${counts.join(' ')}`),
        );
      }, 1000)
    : undefined;
  const t0 = performance.now();
  await drive(OUTCOMES);
  await finishedRun;
  const seconds = (performance.now() - t0) / 1000;
  const commitsPerOutcome = ((await commits(database)) - commitsBefore) / OUTCOMES;
  clearInterval(debug);
  const saturated = [...latencies].sort((a, b) => a - b);
  // Latency at light load (a few in flight): the figure a watching operator experiences, without queueing backlog.
  // First let the saturated phase's remaining reactions (scores, plans) drain.
  for (;;) {
    const counts = await Promise.all(clients.queues.all().map((queue) => queue.getJobCounts('waiting', 'active', 'delayed')));
    if (counts.every((count) => (count.waiting ?? 0) + (count.active ?? 0) + (count.delayed ?? 0) === 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  latencies.length = 0;
  started.clear();
  expected = LIGHT_OUTCOMES;
  const finishedLight = new Promise<void>((resolve) => (done = resolve));
  await drive(LIGHT_OUTCOMES, LIGHT_IN_FLIGHT);
  await finishedLight;
  const light = [...latencies].sort((a, b) => a - b);
  clearInterval(poll);
  stream.close();
  worker.kill('SIGTERM');
  await worker;
  await api.close();
  // Leave nothing behind in Redis: this run's queues go with it.
  for (const queue of clients.queues.all()) await queue.obliterate({ force: true });
  await clients.close();
  return {
    mode,
    outcomes: OUTCOMES,
    seconds,
    commits_per_outcome: commitsPerOutcome,
    outcomes_per_s: OUTCOMES / seconds,
    p50_ms: percentile(light, 50),
    p99_ms: percentile(light, 99),
    saturated_p50_ms: percentile(saturated, 50),
    saturated_p99_ms: percentile(saturated, 99),
  };
}

async function main() {
  const database = `mcp_bench_trust_${randomBytes(4).toString('hex')}`;
  await admin`CREATE DATABASE ${admin(database)}`;
  try {
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
    const pgbenchBefore = await pgbenchTps();
    console.log(`pgbench TPC-B-like (8 clients, ${PGBENCH_SECONDS}s): ${pgbenchBefore.toFixed(0)} tps`);
    // Writer-level NOTIFY cost, modes interleaved over rounds so drift in machine load hits each alike.
    const writerRuns: { mode: string; writes_per_s: number }[] = [];
    for (let round = 0; round < 3; round++) {
      for (const mode of MODES) {
        const rate = await writerRate(database, vms, mode);
        writerRuns.push({ mode, writes_per_s: rate });
        console.log(`trust writes TRUST_NOTIFY=${mode}: ${rate.toFixed(0)}/s (${WRITER_CONCURRENCY} writers)`);
      }
    }
    const writer = (mode: string) => {
      const values = writerRuns.filter((run) => run.mode === mode).map((run) => run.writes_per_s);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    // Modes are interleaved over several rounds so that drift in the machine's load hits each of them alike.
    const runs: Awaited<ReturnType<typeof ingestRun>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES.filter((m) => E2E_MODES.includes(m))) {
        const run = await ingestRun(mode, database, vms);
        runs.push(run);
        console.log(`ingest TRUST_NOTIFY=${mode}: ${run.outcomes_per_s.toFixed(0)} outcomes/s (${(run.outcomes_per_s / pgbenchBefore).toFixed(3)}× first pgbench), POST→SSE p50/p99 light ${run.p50_ms.toFixed(0)}/${run.p99_ms.toFixed(0)} ms, saturated ${run.saturated_p50_ms.toFixed(0)}/${run.saturated_p99_ms.toFixed(0)} ms, ${run.commits_per_outcome.toFixed(1)} commits/outcome`);
      }
    }
    const mean = (mode: string, key: 'outcomes_per_s' | 'p50_ms' | 'p99_ms') => {
      const values = runs.filter((run) => run.mode === mode).map((run) => run[key]);
      return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
    };
    const rate = (mode: string) => mean(mode, 'outcomes_per_s');
    // The baseline is measured before and after the ingest runs; their mean absorbs slow drift in machine load.
    const pgbenchAfter = await pgbenchTps();
    const pgbench = (pgbenchBefore + pgbenchAfter) / 2;
    console.log(`pgbench TPC-B-like again: ${pgbenchAfter.toFixed(0)} tps; baseline = mean ${pgbench.toFixed(0)} tps`);
    const off = rate('off');
    const result = {
      date: new Date().toISOString(),
      pgbench_tps: pgbench,
      pgbench_tps_before_after: [pgbenchBefore, pgbenchAfter],
      light_in_flight: LIGHT_IN_FLIGHT,
      in_flight: IN_FLIGHT,
      runs,
      ingest_outcomes_per_s: rate('after-commit'),
      ingest_vs_pgbench: rate('after-commit') / pgbench,
      p50_ms: mean('after-commit', 'p50_ms'),
      p99_ms: mean('after-commit', 'p99_ms'),
      writer_runs: writerRuns,
      writes_per_s: { off: writer('off'), after_commit: writer('after-commit'), transaction: writer('transaction') },
      notify_cost_after_commit: writer('after-commit') / writer('off'),
      notify_cost_transaction: writer('transaction') / writer('off'),
      e2e_notify_cost_after_commit: rate('after-commit') / off,
    };
    console.log(`ingest (default mode, mean of ${ROUNDS}): ${result.ingest_outcomes_per_s.toFixed(0)} outcomes/s = ${result.ingest_vs_pgbench.toFixed(3)}× pgbench; POST→SSE at light load p50 ${result.p50_ms.toFixed(0)} ms, p99 ${result.p99_ms.toFixed(0)} ms`);
    console.log(`NOTIFY cost (trust writes with ÷ without): after commit ${result.notify_cost_after_commit.toFixed(3)}, in transaction ${result.notify_cost_transaction.toFixed(3)}`);
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(new URL('./results/trust.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await admin`DROP DATABASE IF EXISTS ${admin(database)} WITH (FORCE)`;
    await admin.end();
  }
}

await main();
