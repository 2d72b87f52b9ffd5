// Composition root of the `api` process: REST, SSE and Bull Board, no workers.
import { createLogger, loadConfigOrExit } from '../boot.ts';
import { exitOnUnhandled } from '../process-guards.ts';
import { createClients, startApi, startUnderSignals } from '../platform.ts';
import { checkRedis, exitIfListenFails, withPostgres } from '../startup-checks.ts';
import { probeUrl, redisTarget } from '../queues/redis.ts';

const config = loadConfigOrExit(process.env, { jwtSecret: true });
const logger = createLogger(config, 'mcp-api');
exitOnUnhandled(logger);
// Handlers first: a signal during startup waits for the step in hand, then closes what has started by then.
await startUnderSignals(logger, async ({ running, opened }) => {
  await checkRedis(probeUrl(redisTarget(config)));
  const clients = await withPostgres(config.DATABASE_URL, () => createClients(config, logger, 'mcp-runtime-api'));
  opened.push(() => clients.close());
  running.push(await startApi(clients).catch(exitIfListenFails(config.HOST, config.PORT)));
});
