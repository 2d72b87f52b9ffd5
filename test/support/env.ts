// Where tests find Postgres and Redis.
// The password is the one .ci/prerequisites.sh gives a stock cluster's postgres role; a cluster that trusts local TCP ignores it.
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
