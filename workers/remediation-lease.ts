// Keeps an executing attempt's lease alive in Postgres, and stops the attempt when it no longer holds it: a renewal
// that finds the token superseded aborts at once; renewals that keep failing abort once half the lease has gone by,
// so the process tree is gone before the lease expires and anyone may start the next attempt. A stall of this
// process (a late tick) is not a failing renewal: it renews first and aborts only if that does not succeed within a
// quarter of the lease. Renewals go on after an abort, until release: the holder still has its outcome to record.
import type { Logger } from 'pino';
import { setTimeout as delay } from 'node:timers/promises';
import type { Sql } from '../sql/db.ts';
import { renewLease, type AttemptLease } from '../sql/remediation-attempts.ts';

export interface LeaseKeeper {
  /** Stop renewing (the attempt ended). */
  release(): void;
}

export function keepLease(deps: { sql: Sql; logger: Logger; leaseMs: number }, lease: AttemptLease, controller: AbortController): LeaseKeeper {
  const every = Math.max(50, Math.floor(deps.leaseMs / 3));
  // Measured from when the last successful renewal was sent: the database extended the lease no earlier than that.
  let renewedAt = Date.now();
  let tickedAt = renewedAt;
  let inFlight = false;
  let lost = false;
  let renewals = 0;
  let grace: NodeJS.Timeout | undefined;
  let graceFor: number | undefined;
  const stop = (reason: string) => {
    if (controller.signal.aborted) return;
    deps.logger.warn({ runId: lease.runId, attempt: lease.attempt, fence: lease.fence }, reason);
    controller.abort(new Error(reason));
  };
  const renew = () => {
    inFlight = true;
    const sentAt = Date.now();
    renewLease(deps.sql, lease, deps.leaseMs)
      .then((held) => {
        if (held) {
          renewedAt = sentAt;
          renewals += 1;
        } else {
          lost = true;
          stop('attempt lease lost (superseded or closed); stopping the attempt');
        }
      })
      .catch((error: unknown) => deps.logger.warn({ err: error, runId: lease.runId }, 'attempt lease renewal failed'))
      .finally(() => {
        inFlight = false;
      });
  };
  const timer = setInterval(() => {
    const now = Date.now();
    // A tick this late means this process stalled (the event loop, not the database), and nothing could be sent:
    // ask the database before giving the attempt up, and give up only if that renewal does not succeed promptly.
    const late = now - tickedAt > every * 1.5;
    tickedAt = now;
    if (lost) return;
    if (late) {
      // The answer to a renewal sent before the stall may be waiting unread: it counts too.
      if (!inFlight) renew();
      const seen = renewals;
      clearTimeout(grace);
      graceFor = seen;
      grace = setTimeout(() => {
        graceFor = undefined;
        if (renewals === seen) stop('attempt lease not renewed after a stall; stopping the attempt');
      }, Math.max(20, deps.leaseMs / 4));
      return;
    }
    // While the post-stall renewal has its grace, the grace decides.
    if (graceFor === undefined && now - renewedAt >= deps.leaseMs / 2) stop('attempt lease not renewed for half its length; stopping the attempt');
    // Not `controller.signal.aborted`: the holder still has its outcome to record after an abort, and a keeper
    // that stopped renewing then would let the lease lapse before the outcome is written.
    if (!inFlight) renew();
  }, every);
  return {
    release: () => {
      clearInterval(timer);
      clearTimeout(grace);
    },
  };
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
