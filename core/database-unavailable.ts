// Which errors mean "the database is not reachable right now" rather than a bug: postgres.js connection failures
// and the server's own refusals (shutting down, starting up, out of connection slots). The API answers these 503
// dependency-unavailable with Retry-After instead of 500 internal.

/** postgres.js client-side connection codes and node socket errors. */
const connectionCodes = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
/** SQLSTATEs: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections. */
const serverCodes = new Set(['57P01', '57P02', '57P03', '53300']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (connectionCodes.has(code) || serverCodes.has(code))) return true;
  // A refused connection to a host with several addresses arrives as an AggregateError of socket errors.
  return error instanceof AggregateError && error.errors.length > 0 && error.errors.every(isDatabaseUnavailable);
}

/** Seconds a client is told (Retry-After) to wait before retrying a request refused for an unavailable dependency. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;
