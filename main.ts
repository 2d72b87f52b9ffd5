// `npm start`: a single node — migrate, then run the API and every worker in one process.
import { createLogger, exitIfHostUnavailable, loadConfigOrExit } from './boot.ts';
import { exitOnUnhandled } from './process-guards.ts';
import { closeOnSignals, createClients, startApi, startWorkers } from './platform.ts';
import { ensureDatabase } from './sql/db.ts';
import { migrate } from './sql/migrate.ts';

const config = loadConfigOrExit(process.env, { jwtSecret: true });
const logger = createLogger(config, 'mcp-runtime');
exitOnUnhandled(logger);
await ensureDatabase(config.DATABASE_URL);
const clients = createClients(config, logger, 'mcp-runtime');
const applied = await migrate(clients.sql);
if (applied.length > 0) logger.info({ applied }, 'migrations applied');
const workers = await startWorkers(clients, []).catch(exitIfHostUnavailable);
const api = await startApi(clients);
closeOnSignals(logger, [api, workers], clients);
