// Carries "cancel run N" from the API to whichever worker executes run N: RedisClient pub/sub, subscribed only while
// this process executes at least one run. The dispatcher also polls the row, so a lost message only delays.
import type { RedisClient } from '../queues/redis.ts';
import type { Logger } from 'pino';

export const cancelChannel = (prefix: string) => `${prefix}:remediation-cancel`;

export async function publishCancel(redis: RedisClient, prefix: string, runId: number): Promise<void> {
  await redis.publish(cancelChannel(prefix), String(runId));
}

export interface CancelBus {
  /** Abort `controller` when run `runId` is cancelled; call the returned function when the attempt ends. */
  watch(runId: number, controller: AbortController): Promise<() => void>;
}

/** How long the subscription outlives the last run it served. */
export const CANCEL_BUS_IDLE_MS = 5_000;

export function createCancelBus(deps: { redis: RedisClient; prefix: string; logger: Logger; idleMs?: number }): CancelBus {
  const controllers = new Map<number, Set<AbortController>>();
  let subscriber: Promise<RedisClient> | undefined;
  let idle: NodeJS.Timeout | undefined;
  const disconnect = () => {
    idle = undefined;
    if (controllers.size > 0 || subscriber === undefined) return;
    const closing = subscriber;
    subscriber = undefined;
    void closing.then((client) => client.disconnect()).catch((error: unknown) => deps.logger.warn({ err: error }, 'remediation cancel subscriber not closed'));
  };

  const connect = async (): Promise<RedisClient> => {
    const client = deps.redis.duplicate();
    // ioredis reconnects by itself and the row poll covers the gap, so this is worth a warning, not a failure.
    client.on('error', (error: Error) => deps.logger.warn({ err: error }, 'remediation cancel subscriber error'));
    client.on('message', (_channel: string, message: string) => {
      for (const controller of controllers.get(Number(message)) ?? []) controller.abort(new Error('cancelled by request'));
    });
    try {
      await client.subscribe(cancelChannel(deps.prefix));
    } catch (error) {
      client.disconnect();
      throw error;
    }
    return client;
  };

  return {
    async watch(runId, controller) {
      const set = controllers.get(runId) ?? new Set();
      set.add(controller);
      controllers.set(runId, set);
      clearTimeout(idle);
      idle = undefined;
      const release = () => {
        set.delete(controller);
        if (set.size === 0) controllers.delete(runId);
        if (controllers.size === 0 && subscriber !== undefined && idle === undefined) {
          idle = setTimeout(disconnect, deps.idleMs ?? CANCEL_BUS_IDLE_MS);
          idle.unref();
        }
      };
      // A failed subscribe must not stay cached: the next attempt tries again instead of inheriting the rejection.
      subscriber ??= connect().catch((error: unknown) => {
        subscriber = undefined;
        throw error;
      });
      try {
        await subscriber;
      } catch (error) {
        release();
        throw error;
      }
      return release;
    },
  };
}
