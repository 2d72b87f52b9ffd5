// A TCP proxy in front of the API whose connections a test can cut, to prove clients resume dropped streams,
// and which it can switch into an outage (every connection accepted and closed at once, and counted) and back.
import { createServer, Socket } from 'node:net';

export interface CuttableProxy {
  url: string;
  cut(): void;
  /** Cut every connection and refuse new ones until `restore`. */
  outage(): void;
  restore(): void;
  /** Connections refused since the outage began. */
  refused(): number;
  close(): Promise<void>;
}

export async function startProxy(target: URL): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let refused = 0;
  const server = createServer((client) => {
    if (down) {
      refused += 1;
      client.destroy();
      return;
    }
    const upstream = new Socket();
    upstream.connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const cut = () => sockets.forEach((socket) => socket.destroy());
  return {
    url: `http://127.0.0.1:${port}`,
    cut,
    outage() {
      [down, refused] = [true, 0];
      cut();
    },
    restore: () => void (down = false),
    refused: () => refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
