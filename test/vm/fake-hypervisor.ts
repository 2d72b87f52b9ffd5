// A stand-in for the legacy hypervisor REST API on 127.0.0.1 (a boundary we don't own), with switchable faults.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeHypervisor {
  url: string;
  vms: Map<string, { state: string; console: string[]; body: Record<string, unknown> }>;
  /** Answer the next requests with this status (or hang for `hang`) instead of the contract. */
  fault: { status?: number; hang?: boolean } | undefined;
  requests: string[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of request) raw += String(chunk);
  return raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
}

export async function startFakeHypervisor(): Promise<FakeHypervisor> {
  const fake: Omit<FakeHypervisor, 'url' | 'close'> = { vms: new Map(), fault: undefined, requests: [] };
  const server: Server = createServer((request, response) => {
    void (async () => {
      fake.requests.push(`${request.method} ${request.url}`);
      if (fake.fault?.hang) return;
      if (fake.fault?.status !== undefined) {
        response.writeHead(fake.fault.status).end('fault');
        return;
      }
      const url = new URL(request.url ?? '/', 'http://fake');
      const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const match = /^\/v1\/vms\/([^/]+)(\/stop|\/console)?$/.exec(url.pathname);
      if (request.method === 'POST' && url.pathname === '/v1/vms') {
        const body = await readJson(request);
        const name = String(body.name);
        if (fake.vms.has(name)) return send(409, { error: 'exists' });
        fake.vms.set(name, { state: 'running', console: [`${name} booted`], body });
        return send(201, { name, state: 'running' });
      }
      const vm = match ? fake.vms.get(decodeURIComponent(match[1] ?? '')) : undefined;
      if (match === null || vm === undefined) return send(404, { error: 'not found' });
      if (request.method === 'GET' && match[2] === undefined) return send(200, { name: match[1], state: vm.state });
      if (request.method === 'POST' && match[2] === '/stop') {
        fake.vms.delete(decodeURIComponent(match[1] ?? ''));
        return send(200, { forced: false });
      }
      if (request.method === 'GET' && match[2] === '/console') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end(`${vm.console.join('\n')}\n`);
        return undefined;
      }
      return send(405, { error: 'method' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
