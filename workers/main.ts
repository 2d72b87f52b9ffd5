// Composition root of the `worker` process: `--queues a,b` hosts a subset (default: every queue) plus the outbox relay.
import { parseArgs } from 'node:util';
import { createLogger, loadConfigOrExit } from '../boot.ts';
import { closeOnSignals, createClients, startWorkers } from '../platform.ts';

const { values } = parseArgs({ options: { queues: { type: 'string' } } });
const names = (values.queues ?? '').split(',').map((name) => name.trim()).filter(Boolean);
const config = loadConfigOrExit();
const logger = createLogger(config, 'mcp-worker');
const clients = createClients(config, logger, 'mcp-runtime-worker');
const workers = await startWorkers(clients, names);
closeOnSignals(logger, [workers], clients);
