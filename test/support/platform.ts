// Starts the real platform for a test file: its own database, its own queue prefix, the API on a free port,
// and (optionally) workers for chosen queues plus the outbox relay.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { parseConfig, type Config } from '../../core/config.ts';
import type { AuthClaims } from '../../core/schemas/common.ts';
import { signPlatformToken, signToken } from '../../http/tokens.ts';
import { createClients, startApi, startWorkers, type Clients, type Running } from '../../platform.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { REDIS_URL } from './env.ts';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef';

/** The attestation verifier service of a tenant: the only principal that may submit attestation outcomes. */
export const verifier = (owner = 'acme') => ({ sub: 'attestation-verifier', owner, roles: ['verifier' as const] });
/** A tenant's administrator: reads, and changes the reference measurements. */
export const tenantAdmin = (owner = 'acme') => ({ sub: 'tenant-admin', owner, roles: ['admin' as const] });

/** A fetch Response whose JSON body tests may read without casting. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface TestPlatform {
  db: TestDatabase;
  clients: Clients;
  config: Config;
  url: string;
  token(claims?: Partial<AuthClaims>): Promise<string>;
  /** Stop the API (workers and clients stay up); `startApi` starts it again on the same port (given a fixed PORT). */
  stopApi(): Promise<void>;
  startApi(): Promise<void>;
  /** A platform administrator's token (Bull Board). */
  platformToken(sub?: string): Promise<string>;
  /** fetch against the API with a bearer token for `claims` (default: operator of owner "acme"), or `token` as given. */
  api(path: string, init?: RequestInit & { json?: unknown; as?: Partial<AuthClaims>; token?: string }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** `logLines` collects the platform's JSON log lines (at info level) for tests that read them. */
export async function startTestPlatform(options: { workers?: string[] | false; env?: Record<string, string>; databaseName?: string; logLines?: string[] } = {}): Promise<TestPlatform> {
  const db = await createTestDatabase(options.databaseName === undefined ? {} : { name: options.databaseName });
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: uniquePrefix(),
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    OUTBOX_SWEEP_MS: '200',
    SSE_HEARTBEAT_MS: '1000',
    ...options.env,
  });
  const lines = options.logLines;
  const logger = lines === undefined ? pino({ level: config.LOG_LEVEL }) : pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const clients = await createClients(config, logger, 'mcp-runtime-test');
  const running: Running[] = [];
  const first = await startApi(clients);
  let api: Running | undefined = first;
  const url = `http://127.0.0.1:${first.port}`;
  running.push({ close: async () => api?.close() });
  if (options.workers !== false && options.workers !== undefined) running.push(await startWorkers(clients, options.workers));

  const token = (claims: Partial<AuthClaims> = {}) =>
    signToken(TEST_JWT_SECRET, { sub: 'alice', owner: 'acme', roles: ['operator'], ...claims }, { expiresIn: '1h' });

  return {
    db,
    clients,
    config,
    url,
    token,
    async stopApi() {
      await api?.close();
      api = undefined;
    },
    async startApi() {
      api ??= await startApi(clients);
    },
    platformToken: (sub = 'ops-admin') => signPlatformToken(TEST_JWT_SECRET, { sub }, { expiresIn: '1h' }),
    async api(path, init = {}) {
      const { json, as, token: given, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${given ?? (await token(as))}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${url}${path}`, { ...rest, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
    },
    async close() {
      for (const part of running.reverse()) await part.close();
      await clients.close();
      await db.drop();
    },
  };
}

/** Read a plain fetch Response's JSON body without casting at every call site. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const readJson = (response: Response): Promise<any> => response.json();
