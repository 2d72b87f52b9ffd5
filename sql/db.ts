// Creates the porsager `postgres` client every process shares; query modules receive it (or a transaction) as `sql`.
import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** What a query function accepts: the pool or an open transaction. */
export type Queryable = Sql | TransactionSql;

/**
 * Server-side backstop for a transaction the client lost track of: postgres.js 3.4.9 can leave a transaction's
 * query unanswered after its connection was terminated and re-established (seen under pg_terminate_backend load).
 * Postgres then ends the idle transaction, the client sees the connection close, and the caller gets an error
 * instead of waiting forever. No transaction of ours waits on anything but Postgres for anywhere near this long.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/** `debug` sees every statement the client sends (statement counts in tests and benchmarks). */
export function createSql(url: string, options: { max?: number; applicationName?: string; debug?: (connection: number, query: string) => void } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    ...(options.debug === undefined ? {} : { debug: options.debug }),
    onnotice: () => {},
    transform: { undefined: null },
    types: {
      // bigint ids travel as JS numbers: identities stay far below 2^53.
      bigint: { to: 20, from: [20], parse: (value: string) => Number(value), serialize: (value: number) => String(value) },
    },
    connection: { application_name: options.applicationName ?? 'mcp-runtime', idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS },
  });
}

/** Create the database named in `url` when it is missing (fresh machines need no setup). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (name === '') return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`SELECT 1 AS found FROM pg_database WHERE datname = ${name}`;
    if (row === undefined) {
      await sql`CREATE DATABASE ${sql(name)}`.catch((error: unknown) => {
        // Another process created it first.
        if ((error as { code?: string }).code !== '42P04') throw error;
      });
    }
  } finally {
    await sql.end();
  }
}
