// bench:fanout — SSE fan-out to many clients (default 10,000): the API's stream route (http/main.ts in its own
// process: hub, auth, filters, resume bookkeeping) against a plain Node SSE server doing the same work
// (bench/fanout-raw.ts: same doorbells, same log reads, one JSON.stringify per event, res.write per client), in the
// same run, rounds interleaved. Clients live in a third process (bench/fanout-clients.ts). Per server: time to
// connect every client; deliveries/s for a burst of events appended as fast as the writers go; latency (append →
// client) p50/p99 at a paced rate; server CPU per delivery (/proc). Ratios are ours ÷ raw. BENCH_CPU_PROF=<dir>
// runs both servers under `node --cpu-prof` (profiles written under it on exit) and prints each burst's window on the
// monotonic clock the profiles use, so the burst's samples can be picked out.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { signToken } from '../http/tokens.ts';
import { createRedis } from '../queues/redis.ts';
import { createSql } from '../sql/db.ts';
import { migrate } from '../sql/migrate.ts';
import { createDb, doorbellsSettled, transact } from '../sql/transact.ts';
import { publishDoorbells } from '../workers/sse-fanout.ts';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10_000);
const OWNERS = Number(process.env.BENCH_OWNERS ?? 4);
const BURST = Number(process.env.BENCH_BURST ?? 100); // events per owner
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 10); // events/s, all owners
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WRITERS = 4;
const BURST_BATCH = 10;
const CPU_PROF = process.env.BENCH_CPU_PROF;
const SECRET = 'bench-secret-0123456789abcdef';
const PAD = 'x'.repeat(240);

const dbUrl = (name: string) => Object.assign(new URL(BASE_URL), { pathname: `/${name}` }).toString();
const now = () => performance.timeOrigin + performance.now();
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? Number.NaN;
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Start a server process and wait until `ready` (a URL) answers. */
async function startServer(script: string, env: Record<string, string>, ready: string): Promise<ChildProcess> {
  // One directory per server: each thread (the loader's too) writes its own profile; the main thread's is the largest.
  const profile = CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}/${script.replace(/\W+/g, '-')}`];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code) => reject(new Error(`${script} exited (${code})`))));
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const up = await Promise.race([fetch(ready).then((response) => response.ok, () => false), exited]);
    if (up) return child;
    await sleep(200);
  }
  child.kill('SIGTERM');
  throw new Error(`${script} did not answer at ${ready}`);
}

/** The client process, driven by request/response messages. */
function startClients() {
  const child = fork('bench/fanout-clients.ts', [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(command: Record<string, unknown>, reply: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string; message?: string }) => {
        if (message.type !== reply && message.type !== 'error') return;
        child.off('message', onMessage);
        if (message.type === 'error') reject(new Error(message.message));
        else resolve(message as T);
      };
      child.on('message', onMessage);
      child.send(command);
    });
  return { child, ask };
}

interface RoundResult {
  server: string;
  connect_all_ms: number;
  deliveries_per_second: number;
  server_cpu_us_per_delivery: number;
  paced_latency_ms: { p50: number; p99: number };
}

interface Target {
  name: 'ours' | 'raw';
  port: number;
  pid: number;
  prefix: string;
  owners: { path: string; headers: Record<string, string> }[];
}

async function main() {
  const database = `mcp_bench_fanout_${randomBytes(4).toString('hex')}`;
  const admin = createSql(dbUrl('postgres'), { max: 1 });
  await admin`CREATE DATABASE ${admin(database)}`;
  const sql = createSql(dbUrl(database), { max: WRITERS });
  const redis = createRedis(REDIS_URL);
  let prefix = '';
  const db = createDb(sql, { stream: (doorbells) => publishDoorbells(redis, prefix, doorbells) });
  const children: ChildProcess[] = [];
  const clients = startClients();
  children.push(clients.child);
  try {
    await migrate(sql);
    const owners = Array.from({ length: OWNERS }, (_, i) => `fan-${i}`);
    const tokens = await Promise.all(owners.map((owner) => signToken(SECRET, { sub: 'bench', owner, roles: ['operator'] })));
    const oursPort = await freePort();
    const rawPort = await freePort();
    const oursPrefix = `benchfan${randomBytes(3).toString('hex')}`;
    const rawPrefix = `benchraw${randomBytes(3).toString('hex')}`;
    const common = { DATABASE_URL: dbUrl(database), REDIS_URL, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
    const ours = await startServer('http/main.ts', { ...common, QUEUE_PREFIX: oursPrefix, PORT: String(oursPort), HOST: '127.0.0.1', JWT_SECRET: SECRET, SSE_HEARTBEAT_MS: '5000', LOG_FORMAT: 'json', BULL_BOARD_ENABLED: 'false' }, `http://127.0.0.1:${oursPort}/healthz`);
    children.push(ours);
    const raw = await startServer('bench/fanout-raw.ts', { ...common, QUEUE_PREFIX: rawPrefix, PORT: String(rawPort) }, `http://127.0.0.1:${rawPort}/stream?probe=1`);
    children.push(raw);
    const targets: Target[] = [
      { name: 'raw', port: rawPort, pid: raw.pid!, prefix: rawPrefix, owners: owners.map((owner) => ({ path: `/stream?owner=${owner}`, headers: {} })) },
      { name: 'ours', port: oursPort, pid: ours.pid!, prefix: oursPrefix, owners: owners.map((_owner, i) => ({ path: '/api/trust/registry/stream', headers: { Authorization: `Bearer ${tokens[i]}` } })) },
    ];
    let seq = 0;
    const append = (owner: string, count = 1) =>
      transact(db, async (uow) => {
        for (let i = 0; i < count; i++) {
          seq += 1;
          uow.emit({ topic: 'trust-registry', owner_id: owner, subject_id: String(seq), event: 'trust.transition', payload: { t: now(), seq, attestation_status: 'trusted', lifecycle_state: 'running', pad: PAD } });
        }
      });
    const perOwner = CLIENTS / OWNERS;
    const waitForEvents = async (expected: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      const latencies: number[] = [];
      for (;;) {
        const stats = await clients.ask<{ events: number; latencies: number[] }>({ type: 'stats' }, 'stats');
        latencies.push(...stats.latencies);
        if (stats.events >= expected || Date.now() > deadline) return { events: stats.events, latencies };
        await sleep(20);
      }
    };

    const rounds: RoundResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        prefix = target.prefix;
        const connected = await clients.ask<{ ms: number }>({ type: 'connect', port: target.port, count: CLIENTS, owners: target.owners }, 'connected');
        await sleep(500); // the last clients' catch-up reads finish before the clock starts
        // Burst: WRITERS concurrent writers append BURST events per owner, BURST_BATCH per transaction, so the
        // writers outpace the fan-out and the figure measures the server.
        const cpu0 = cpuMs(target.pid);
        const t0 = now();
        const window0 = monotonicUs();
        const burstEvents = BURST * OWNERS;
        let next = 0;
        await Promise.all(Array.from({ length: WRITERS }, async () => {
          while (next < burstEvents) {
            next += BURST_BATCH;
            await append(owners[(next / BURST_BATCH) % OWNERS]!, BURST_BATCH);
          }
        }));
        await doorbellsSettled(db);
        const burst = await waitForEvents(burstEvents * perOwner, 180_000);
        const burstSeconds = (now() - t0) / 1000;
        const burstCpu = cpuMs(target.pid) - cpu0;
        const burstWindow = CPU_PROF === undefined ? {} : { burst_window_monotonic_us: [window0, monotonicUs()] };
        // Paced: PACED_RATE events/s spread over the owners; latency from just before the append to the client.
        const pacedEvents = PACED_RATE * PACED_SECONDS;
        const p0 = now();
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < pacedEvents; i++) {
          const due = p0 + (i * 1000) / PACED_RATE;
          const wait = due - now();
          if (wait > 0) await sleep(wait);
          writes.push(append(owners[i % OWNERS]!));
        }
        await Promise.all(writes);
        await doorbellsSettled(db);
        const paced = await waitForEvents((burstEvents + pacedEvents) * perOwner, 120_000);
        await clients.ask({ type: 'close' }, 'closed');
        const result = {
          round,
          server: target.name,
          connect_all_ms: Math.round(connected.ms),
          burst_deliveries: burst.events,
          burst_expected: burstEvents * perOwner,
          deliveries_per_second: Math.round(burst.events / burstSeconds),
          server_cpu_us_per_delivery: Number(((burstCpu * 1000) / Math.max(1, burst.events)).toFixed(2)),
          paced_rate_events_per_second: PACED_RATE,
          paced_deliveries_per_second: Math.round(PACED_RATE * perOwner),
          paced_complete: paced.events === (burstEvents + pacedEvents) * perOwner,
          paced_latency_ms: { samples: paced.latencies.length, p50: Number(percentile(paced.latencies, 0.5).toFixed(1)), p99: Number(percentile(paced.latencies, 0.99).toFixed(1)) },
          ...burstWindow,
        };
        console.log(JSON.stringify(result));
        rounds.push(result);
        await sleep(1000);
      }
    }
    const median = (server: string, pick: (round: RoundResult) => number) => percentile(rounds.filter((round) => round.server === server).map(pick), 0.5);
    const summary = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg_at_end: loadavg().map((value) => Number(value.toFixed(1))) },
      clients: CLIENTS,
      owners: OWNERS,
      burst_events_per_owner: BURST,
      paced: { events_per_second: PACED_RATE, seconds: PACED_SECONDS },
      rounds,
      ratio_deliveries: Number((median('ours', (r) => r.deliveries_per_second) / median('raw', (r) => r.deliveries_per_second)).toFixed(2)),
      ratio_paced_p99: Number((median('ours', (r) => r.paced_latency_ms.p99) / median('raw', (r) => r.paced_latency_ms.p99)).toFixed(2)),
      ratio_cpu_per_delivery: Number((median('ours', (r) => r.server_cpu_us_per_delivery) / median('raw', (r) => r.server_cpu_us_per_delivery)).toFixed(2)),
      ratio_connect_all: Number((median('ours', (r) => r.connect_all_ms) / median('raw', (r) => r.connect_all_ms)).toFixed(2)),
    };
    console.log(JSON.stringify({ ...summary, rounds: undefined }, null, 2));
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/fanout.json', JSON.stringify(summary, null, 2) + '\n');
  } finally {
    for (const child of children) child.kill('SIGTERM');
    redis.disconnect();
    await sql.end();
    await admin`DROP DATABASE IF EXISTS ${admin(database)} WITH (FORCE)`;
    await admin.end();
  }
}

await main();
process.exit(0);
