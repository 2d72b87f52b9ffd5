// `npm start`: a single node — local services when none are configured or running, migrate, then run the API and
// every worker in one process (all but remediation-execute on a host without the remediation sandbox).
import { createLogger, EXIT_UNAVAILABLE, exitIfHostUnavailable, loadConfigOrExit } from './boot.ts';
import type { Config } from './core/config.ts';
import { startLocalServices } from './executors/local-services.ts';
import { probeSandbox, sandboxOptions, SandboxUnavailableError } from './executors/remediation/sandbox.ts';
import { ServiceStartError } from './executors/service-process.ts';
import { exitOnUnhandled } from './process-guards.ts';
import { createClients, startApi, startUnderSignals, startWorkers } from './platform.ts';
import { queueNames } from './queues/catalog.ts';
import { ensureDatabase } from './sql/db.ts';
import { checkRedis, exitIfListenFails, withPostgres } from './startup-checks.ts';
import { migrate } from './sql/migrate.ts';
import { probeUrl, redisTarget } from './queues/redis.ts';

/** An embedded service that cannot start is one line naming what to install or set, exit 69. */
function exitIfServiceFailed(error: unknown): never {
  if (!(error instanceof ServiceStartError)) throw error;
  process.stderr.write(`mcp-runtime: ${error.message}\n`);
  process.exit(EXIT_UNAVAILABLE);
}

/**
 * Every queue (`[]`), or on a host that cannot sandbox tenant commands every queue but remediation-execute: the
 * executor never runs bare, and its runs wait for a worker that has the sandbox; the rest of the platform runs.
 */
async function hostedQueues(config: Config): Promise<string[]> {
  try {
    await probeSandbox(sandboxOptions(config), config.REMEDIATION_WORKDIR);
    return [];
  } catch (error) {
    if (!(error instanceof SandboxUnavailableError)) throw error;
    process.stderr.write(`mcp-runtime: not running remediation-execute: ${error.message}; its runs wait for a worker that has it\n`);
    return queueNames.filter((name) => name !== 'remediation-execute');
  }
}

const unset = (name: string) => (process.env[name] ?? '') === '';
const configured = loadConfigOrExit(process.env, { jwtSecret: true });
const logger = createLogger(configured, 'mcp-runtime');
exitOnUnhandled(logger);
// Handlers first: a signal during startup waits for the step in hand, then closes what has started by then; the
// local services are opened first, so they stop after the clients that use them.
await startUnderSignals(logger, async ({ running, opened }) => {
  const local = await startLocalServices(configured, { database: unset('DATABASE_URL'), redis: unset('REDIS_URL') && unset('REDIS_CLUSTER_NODES') }, logger).catch(exitIfServiceFailed);
  opened.push(local.close);
  const { config } = local;
  await withPostgres(config.DATABASE_URL, () => ensureDatabase(config.DATABASE_URL));
  await checkRedis(probeUrl(redisTarget(config)));
  const clients = await withPostgres(config.DATABASE_URL, () => createClients(config, logger, 'mcp-runtime'));
  opened.push(() => clients.close());
  const applied = await withPostgres(config.DATABASE_URL, () => migrate(clients.sql));
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  running.unshift(await startWorkers(clients, await hostedQueues(config)).catch(exitIfHostUnavailable));
  running.unshift(await startApi(clients).catch(exitIfListenFails(config.HOST, config.PORT)));
});
