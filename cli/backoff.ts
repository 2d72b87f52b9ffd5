// Reconnect pauses of the watch commands: exponential from a base (the server's `retry:` or --retry-ms),
// capped, with jitter so that many watchers of one restarted API do not reconnect in step.

/** The pause before reconnect `attempt` (1, 2, …): base·2^(attempt−1) capped at `capMs`, then a random 50–100 % of it. */
export function backoffDelay(baseMs: number, attempt: number, capMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}
