// Composition root of the `api` process: REST, SSE and Bull Board, no workers.
import { createLogger, loadConfigOrExit } from '../boot.ts';
import { exitOnUnhandled } from '../process-guards.ts';
import { closeOnSignals, createClients, startApi } from '../platform.ts';

const config = loadConfigOrExit(process.env, { jwtSecret: true });
const logger = createLogger(config, 'mcp-api');
exitOnUnhandled(logger);
const clients = await createClients(config, logger, 'mcp-runtime-api');
const api = await startApi(clients);
closeOnSignals(logger, [api], clients);
