// Composition root of the `worker` process: `--queues a,b` hosts a subset (default: every queue) plus the outbox relay.
import { parseArgs } from 'node:util';
import { createLogger, loadConfigOrExit } from '../boot.ts';
import { queueNames } from '../queues/catalog.ts';
import { closeOnSignals, createClients, startWorkers } from '../platform.ts';

const { values } = parseArgs({ options: { queues: { type: 'string' } } });
const names = (values.queues ?? '').split(',').map((name) => name.trim()).filter(Boolean);
const unknown = names.filter((name) => !queueNames.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`mcp-runtime: unknown queue(s) ${unknown.join(', ')}; known queues: ${queueNames.join(', ')}\n`);
  process.exit(64); // EX_USAGE
}
const config = loadConfigOrExit();
const logger = createLogger(config, 'mcp-worker');
const clients = createClients(config, logger, 'mcp-runtime-worker');
const workers = await startWorkers(clients, names);
closeOnSignals(logger, [workers], clients);
