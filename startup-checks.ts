// Startup failures an operator can fix, as one line on stderr and a documented exit code (README "Exit codes"),
// never a stack trace: Postgres or Redis unreachable, the API port taken. Each line names the fix.
import { Redis } from 'ioredis';
import { EXIT_UNAVAILABLE } from './boot.ts';

/** host:port of a connection URL, never its credentials. */
export function endpointOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname || parsed.pathname;
  } catch {
    return 'an unparsable URL';
  }
}

const codeOf = (error: unknown): string => {
  const value = error as { code?: unknown; errors?: { code?: unknown }[] };
  // Node reports a refused dual-stack connect as an AggregateError whose parts carry the code.
  return String(value.code ?? value.errors?.[0]?.code ?? (error instanceof Error ? error.message : error));
};

export function fail(line: string): never {
  process.stderr.write(`mcp-runtime: ${line}\n`);
  process.exit(EXIT_UNAVAILABLE);
}

/** Run a Postgres step of startup; a connection or login failure exits 69 naming DATABASE_URL. */
export async function withPostgres<T>(url: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const code = codeOf(error);
    if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|CONNECT_TIMEOUT|28P01|28000|3D000|57P03)$/.test(code)) {
      fail(`cannot reach Postgres at ${endpointOf(url)} (${code}): start Postgres there or set DATABASE_URL`);
    }
    throw error;
  }
}

/** Ping Redis once with a short timeout, before any client that would retry forever is made. */
export async function checkRedis(url: string, timeoutMs = 3_000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: timeoutMs, retryStrategy: () => null });
  // connect() rejects with "Connection is closed."; the socket's own error (ECONNREFUSED…) comes as an event.
  let cause: unknown;
  probe.on('error', (error) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    fail(`cannot reach Redis at ${endpointOf(url)} (${codeOf(cause ?? error)}): start redis-server there or set REDIS_URL`);
  } finally {
    probe.disconnect();
  }
}

/** The API's listen() failing: the port is taken or not ours to bind. */
export function exitIfListenFails(host: string, port: number) {
  return (error: unknown): never => {
    const code = codeOf(error);
    if (code === 'EADDRINUSE') fail(`port ${port} on ${host} is already in use: stop the process that holds it or set PORT`);
    if (code === 'EACCES') fail(`not allowed to listen on port ${port} on ${host}: choose a port above 1023 with PORT`);
    if (code === 'EADDRNOTAVAIL') fail(`${host} is not an address of this machine: set HOST`);
    throw error;
  };
}
