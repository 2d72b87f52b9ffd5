// Prometheus metrics: HTTP request counts and latencies, queue depths and outbox relay health read at scrape time,
// job durations.
import type { Context, Next } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queues } from '../queues/queues.ts';
import type { Sql } from '../sql/db.ts';
import { outboxHealth } from '../sql/outbox.ts';
import { countStalledSchedules } from '../sql/refresh-schedules.ts';

const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface Metrics {
  registry: Registry;
  jobDurations: Histogram<'queue' | 'outcome'>;
}

export function createMetrics(options: { queues?: Queues; sql?: Sql; defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults) {
    collectDefaultMetrics({ register: registry });
    // prom-client exports these sums as gauges named *_total, which `promtool check metrics` refuses (only counters
    // end in _total). sum(nodejs_active_handles) and the like give the same numbers from the per-type gauges.
    for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  }
  const jobDurations = new Histogram({
    name: 'mcp_job_duration_seconds',
    help: 'BullMQ job processing time by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers: [registry],
  });
  const queues = options.queues;
  if (queues) {
    new Gauge({
      name: 'mcp_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const queue of queues.all()) {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
          for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
        }
      },
    });
  }
  const sql = options.sql;
  if (sql) {
    // One read per scrape feeds the four outbox gauges.
    let reading: Promise<Awaited<ReturnType<typeof outboxHealth>>> | undefined;
    const health = () => (reading ??= outboxHealth(sql).finally(() => setImmediate(() => (reading = undefined))));
    const outboxGauge = (name: string, help: string, key: 'pending' | 'failing' | 'lag_seconds' | 'unfinished') =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          this.set((await health())[key]);
        },
      });
    outboxGauge('mcp_outbox_pending_rows', 'Outbox rows not yet enqueued', 'pending');
    outboxGauge('mcp_outbox_failing_rows', 'Outbox rows whose enqueue failed and that are retried with backoff (error on the row)', 'failing');
    outboxGauge('mcp_outbox_lag_seconds', 'Age of the oldest outbox row not yet enqueued (relay lag)', 'lag_seconds');
    outboxGauge('mcp_outbox_unfinished_rows', 'Outbox rows enqueued whose job has not finished yet', 'unfinished');
    new Gauge({
      name: 'mcp_scheduler_stalled_instances',
      help: 'scheduler-stalled: instances whose last evaluation refresh attempt is older than twice the cadence',
      registers: [registry],
      async collect() {
        this.set(await countStalledSchedules(sql));
      },
    });
  }
  return { registry, jobDurations };
}

export function httpMetricsMiddleware(registry: Registry) {
  // Reuse the series when a second app is built on the same registry (tests, or API + admin app in one process).
  const requests =
    (registry.getSingleMetric('mcp_http_requests_total') as Counter<'method' | 'route' | 'status'> | undefined) ??
    new Counter({
      name: 'mcp_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
  const latency =
    (registry.getSingleMetric('mcp_http_request_duration_seconds') as Histogram<'method' | 'route'> | undefined) ??
    new Histogram({
      name: 'mcp_http_request_duration_seconds',
      help: 'HTTP request latency by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    });
  return async (ctx: Context, next: Next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      // The matched route pattern, not the raw path, keeps label cardinality bounded.
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      requests.inc({ method: ctx.method, route, status: String(ctx.status) });
      latency.observe({ method: ctx.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}
