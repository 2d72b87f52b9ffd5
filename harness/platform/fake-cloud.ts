// The cloud API the harness's cloud playbooks call: a loopback HTTP server that answers 200 to an authorised POST
// (the secret the platform resolves from REMEDIATION_SECRETS_FILE), 401 otherwise, and counts the calls.
import { createServer } from 'node:http';

export interface FakeCloud {
  url: string;
  calls: () => number;
  close(): Promise<void>;
}

export async function startFakeCloud(secret: string): Promise<FakeCloud> {
  let calls = 0;
  const server = createServer((request, response) => {
    calls++;
    request.resume();
    const authorised = request.headers.authorization === `Bearer ${secret}`;
    response.writeHead(authorised ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: authorised ? 'repaired' : 'unauthorised' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('fake cloud API has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
