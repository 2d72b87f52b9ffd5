// Composition root of the `worker` process: `--queues a,b` hosts a subset (default: every queue) plus the outbox relay.
import { parseArgs } from 'node:util';
import { createLogger, exitIfHostUnavailable, loadConfigOrExit } from '../boot.ts';
import { queueNames } from '../queues/catalog.ts';
import { exitOnUnhandled } from '../process-guards.ts';
import { createClients, startUnderSignals, startWorkers } from '../platform.ts';
import { checkRedis, withPostgres } from '../startup-checks.ts';
import { startMetricsServer } from './metrics-server.ts';
import { probeUrl, redisTarget } from '../queues/redis.ts';

const { values } = parseArgs({ options: { queues: { type: 'string' } } });
const names = (values.queues ?? '').split(',').map((name) => name.trim()).filter(Boolean);
const unknown = names.filter((name) => !queueNames.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`mcp-runtime: unknown queue(s) ${unknown.join(', ')}; known queues: ${queueNames.join(', ')}\n`);
  process.exit(64); // EX_USAGE
}
const config = loadConfigOrExit();
const logger = createLogger(config, 'mcp-worker');
exitOnUnhandled(logger);
// Handlers first: a signal during startup waits for the step in hand, then closes what has started by then.
await startUnderSignals(logger, async ({ running, opened }) => {
  await checkRedis(probeUrl(redisTarget(config)));
  const clients = await withPostgres(config.DATABASE_URL, () => createClients(config, logger, 'mcp-runtime-worker'));
  opened.push(() => clients.close());
  running.push(await startWorkers(clients, names).catch(exitIfHostUnavailable));
  if (config.WORKER_METRICS_PORT !== undefined) {
    const metrics = await startMetricsServer(clients.metrics.registry, config.WORKER_METRICS_PORT, config.HOST);
    logger.info({ port: metrics.port }, 'worker metrics listening');
    running.push(metrics);
  }
});
