// Composition root of the `api` process: REST, SSE and Bull Board, no workers.
import { createLogger, loadConfigOrExit } from '../boot.ts';
import { exitOnUnhandled } from '../process-guards.ts';
import { closeOnSignals, createClients, startApi, type Clients, type Running } from '../platform.ts';
import { checkRedis, exitIfListenFails, withPostgres } from '../startup-checks.ts';
import { probeUrl, redisTarget } from '../queues/redis.ts';

const config = loadConfigOrExit(process.env, { jwtSecret: true });
const logger = createLogger(config, 'mcp-api');
exitOnUnhandled(logger);
// Handlers first: a signal during startup waits for the step in hand, then closes what has started by then.
const running: Running[] = [];
let clients: Clients | undefined;
const startup = start();
closeOnSignals(logger, running, { close: async () => clients?.close() }, startup);
await startup;

async function start(): Promise<void> {
  await checkRedis(probeUrl(redisTarget(config)));
  const opened = await withPostgres(config.DATABASE_URL, () => createClients(config, logger, 'mcp-runtime-api'));
  clients = opened;
  running.push(await startApi(opened).catch(exitIfListenFails(config.HOST, config.PORT)));
}
