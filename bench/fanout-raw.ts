// The baseline of bench:fanout: a plain Node SSE server doing the same work as the API's stream route, written the
// direct way. It subscribes to the same doorbell channel, reads each owner's new rows from the same stream log (one
// read per doorbell and owner), serialises each event once and res.write()s it to every client of that owner, with
// a heartbeat timer per client. No auth, no resume, no backpressure accounting: the floor for the work. An owner's
// state lives while it has clients and starts at the log's head, so a round never replays the rows of the round
// before it (the other server's rows share the log but not the doorbell channel).
import { createServer, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import { createSql } from '../sql/db.ts';

const port = Number(process.env.PORT);
const prefix = process.env.QUEUE_PREFIX ?? 'mcp';
const sql = createSql(process.env.DATABASE_URL ?? '', { max: 4 });
const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
subscriber.on('error', (error: Error) => process.stderr.write(`fanout-raw: redis: ${error.message}\n`));
interface Owner {
  clients: Set<ServerResponse>;
  cursor: number;
  /** The head read when the owner's first client came: deliveries start there. */
  ready: Promise<void>;
  running: boolean;
  again: boolean;
}
const owners = new Map<string, Owner>();

const ownerOf = (name: string) => {
  let owner = owners.get(name);
  if (owner === undefined) {
    const created: Owner = { clients: new Set(), cursor: 0, ready: Promise.resolve(), running: false, again: false };
    created.ready = sql<{ id: number | null }[]>`SELECT max(id) AS id FROM stream_events WHERE topic = 'trust-registry'`.then(([row]) => {
      created.cursor = row?.id ?? 0;
    });
    owners.set(name, created);
    owner = created;
  }
  return owner;
};

async function deliver(name: string): Promise<void> {
  const owner = owners.get(name);
  if (owner === undefined) return;
  if (owner.running) {
    owner.again = true;
    return;
  }
  owner.running = true;
  try {
    await owner.ready;
    do {
      owner.again = false;
      const rows = await sql<{ id: number; event: string; payload: unknown }[]>`
        SELECT id, event, payload FROM stream_events WHERE topic = 'trust-registry' AND owner_id = ${name} AND id > ${owner.cursor} ORDER BY id LIMIT 500`;
      for (const row of rows) {
        const frame = `id: ${row.id}\nevent: ${row.event}\ndata: ${JSON.stringify(row.payload)}\n\n`;
        for (const res of owner.clients) res.write(frame);
        owner.cursor = row.id;
      }
      if (rows.length === 500) owner.again = true;
    } while (owner.again);
  } finally {
    owner.running = false;
    if (owner.clients.size === 0 && owners.get(name) === owner) owners.delete(name);
  }
}

subscriber.on('message', (_channel: string, message: string) => {
  const doorbell = JSON.parse(message) as { topic: string; owner_id: string };
  if (doorbell.topic === 'trust-registry') void deliver(doorbell.owner_id);
});
// Subscribe only once connected: a SUBSCRIBE queued before the connection is ready races ioredis' ready check
// (INFO), which a connection already in subscriber mode refuses, and the client then reconnects in a loop.
if (subscriber.status !== 'ready') await new Promise((resolve) => subscriber.once('ready', resolve));
await subscriber.subscribe(`${prefix}:stream-events`);

const server = createServer((req, res) => {
  if (req.url?.includes('probe=1')) {
    res.end('ok');
    return;
  }
  const name = new URL(req.url ?? '/', 'http://x').searchParams.get('owner') ?? 'bench';
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  const owner = ownerOf(name);
  owner.clients.add(res);
  const heartbeat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), 5_000);
  res.on('close', () => {
    clearInterval(heartbeat);
    owner.clients.delete(res);
    if (owner.clients.size === 0 && !owner.running && owners.get(name) === owner) owners.delete(name);
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  subscriber.disconnect();
  void sql.end().then(() => process.exit(0));
});
