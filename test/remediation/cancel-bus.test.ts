import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { cancelChannel, createCancelBus } from '../../workers/remediation-cancel-bus.ts';

// A stand-in for ioredis (a boundary we do not own) whose first subscribe fails, as during a Redis restart.
function flakyRedis() {
  const clients: EventEmitter[] = [];
  let subscribes = 0;
  const redis = {
    duplicate() {
      const client = Object.assign(new EventEmitter(), {
        subscribe: async () => {
          if (++subscribes === 1) throw new Error('connection refused');
        },
        disconnect: () => undefined,
      });
      clients.push(client);
      return client;
    },
  };
  return { redis: redis as unknown as Redis, clients };
}

describe('remediation cancel bus', () => {
  it('subscribes again after a failed subscribe instead of failing every later run', async () => {
    const { redis, clients } = flakyRedis();
    const bus = createCancelBus({ redis, prefix: 'p', logger: pino({ level: 'silent' }) });
    await expect(bus.watch(1, new AbortController())).rejects.toThrow('connection refused');
    const controller = new AbortController();
    const release = await bus.watch(2, controller);
    clients.at(-1)?.emit('message', cancelChannel('p'), '2');
    expect(controller.signal.aborted).toBe(true);
    release();
  });
});
