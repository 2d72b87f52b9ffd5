// The SSE clients of bench:fanout, in their own process: raw sockets (no parser per client) that count event
// frames; every SAMPLE_EVERY-th client also reads the send time out of each event for the latency figures.
// Driven over IPC by bench/fanout.ts: connect, stats, close.
import { connect, type Socket } from 'node:net';

const SAMPLE_EVERY = 50;
const MARK = Buffer.from('event: ');
const TIME = /"t":\s*([\d.]+)/g;
const now = () => performance.timeOrigin + performance.now();

interface Connect {
  type: 'connect';
  port: number;
  count: number;
  /** Request path and headers per owner; client i belongs to owner i mod owners.length. */
  owners: { path: string; headers: Record<string, string> }[];
}
type Command = Connect | { type: 'stats' } | { type: 'close' };

const sockets: Socket[] = [];
let events = 0;
let latencies: number[] = [];

function open(port: number, index: number, owner: Connect['owners'][number]): Promise<void> {
  const sampled = index % SAMPLE_EVERY === 0;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let headed = false;
    let tail = '';
    socket.once('error', reject);
    socket.on('connect', () => {
      const headers = Object.entries({ Host: '127.0.0.1', Accept: 'text/event-stream', ...owner.headers }).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`GET ${owner.path} HTTP/1.1\r\n${headers.join('')}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!headed) {
        headed = true;
        if (!chunk.toString('latin1', 0, 12).startsWith('HTTP/1.1 200')) {
          reject(new Error(`stream refused: ${chunk.toString('latin1', 0, 200)}`));
          return;
        }
        resolve();
      }
      for (let at = chunk.indexOf(MARK); at >= 0; at = chunk.indexOf(MARK, at + MARK.length)) events += 1;
      if (sampled) {
        const text = tail + chunk.toString('latin1');
        const cut = text.lastIndexOf('\n');
        const t = now();
        for (const match of text.slice(0, cut + 1).matchAll(TIME)) latencies.push(t - Number(match[1]));
        tail = text.slice(cut + 1);
      }
    });
    sockets.push(socket);
  });
}

process.on('message', (command: Command) => {
  void (async () => {
    if (command.type === 'connect') {
      const started = now();
      for (let i = 0; i < command.count; i += 200) {
        const batch = [];
        for (let j = i; j < Math.min(command.count, i + 200); j++) batch.push(open(command.port, j, command.owners[j % command.owners.length]!));
        await Promise.all(batch);
      }
      process.send?.({ type: 'connected', ms: now() - started });
    } else if (command.type === 'stats') {
      process.send?.({ type: 'stats', events, latencies });
      latencies = [];
    } else {
      for (const socket of sockets.splice(0)) socket.destroy();
      events = 0;
      latencies = [];
      process.send?.({ type: 'closed' });
    }
  })().catch((error: unknown) => {
    process.send?.({ type: 'error', message: String(error) });
  });
});
