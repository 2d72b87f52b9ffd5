// Keeps an executing attempt's lease alive in Postgres, and stops the attempt when it no longer holds it: a renewal
// that finds the token superseded aborts at once; renewals that keep failing abort once half the lease has gone by,
// so the process tree is gone before the lease expires and anyone may start the next attempt. Renewals go on after
// that abort, until release: the holder still has its outcome to record, and a lease it can still renew is its own.
import type { Logger } from 'pino';
import { setTimeout as delay } from 'node:timers/promises';
import type { Sql } from '../sql/db.ts';
import { renewLease, type AttemptLease } from '../sql/remediation-attempts.ts';

export interface LeaseKeeper {
  /** Stop renewing (the attempt ended). */
  release(): void;
}

export function keepLease(deps: { sql: Sql; logger: Logger; leaseMs: number }, lease: AttemptLease, controller: AbortController): LeaseKeeper {
  // Measured from when the last successful renewal was sent: the database extended the lease no earlier than that.
  let renewedAt = Date.now();
  let inFlight = false;
  const stop = (reason: string) => {
    if (controller.signal.aborted) return;
    deps.logger.warn({ runId: lease.runId, attempt: lease.attempt, fence: lease.fence }, reason);
    controller.abort(new Error(reason));
  };
  let lost = false;
  const timer = setInterval(() => {
    if (Date.now() - renewedAt >= deps.leaseMs / 2) stop('attempt lease not renewed for half its length; stopping the attempt');
    // Not `controller.signal.aborted`: an event-loop stall past half the lease aborts the attempt (its process may be
    // done already), and a keeper that stopped renewing then would let the lease lapse before the outcome is recorded.
    if (inFlight || lost) return;
    inFlight = true;
    const sentAt = Date.now();
    renewLease(deps.sql, lease, deps.leaseMs)
      .then((held) => {
        if (held) renewedAt = sentAt;
        else {
          lost = true;
          stop('attempt lease lost (superseded or closed); stopping the attempt');
        }
      })
      .catch((error: unknown) => deps.logger.warn({ err: error, runId: lease.runId }, 'attempt lease renewal failed'))
      .finally(() => {
        inFlight = false;
      });
  }, Math.max(50, Math.floor(deps.leaseMs / 3)));
  return { release: () => clearInterval(timer) };
}

/**
 * Run `step` until it answers something other than `{ leaseLiveMs }`, waiting out the live lease in between:
 * a write-off or a retry must not start while the previous holder may still be executing.
 */
export async function waitOutLease<T extends object>(step: () => Promise<T | { leaseLiveMs: number }>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    const answer = await step();
    if (!('leaseLiveMs' in answer)) return answer;
    // The lease is the only thing to wait for here: its expiry is a time, not an event.
    await delay(answer.leaseLiveMs + 50, undefined, signal ? { signal } : {});
  }
}
