import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamHub, type StreamClient } from '../../http/stream-hub.ts';
import { createRedis } from '../../queues/redis.ts';
import { REDIS_URL } from '../support/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const client = (ownerId: string): StreamClient => ({
  topic: 'lifecycle',
  ownerId,
  lastId: 0,
  matches: () => true,
  deliver: () => {},
  closed: () => false,
});

describe('stream hub', () => {
  it('forgets a group whose last client leaves while its catch-up is still running', async () => {
    const subscriber = createRedis(REDIS_URL, 'subscriber');
    const hub = await createStreamHub({ sql: db.sql, subscriber, prefix: 'hub-test', logger: pino({ level: 'silent' }), sweepMs: 60_000 });
    try {
      // add() starts a catch-up at once, so leaving straight away leaves while it runs.
      const leave = hub.add(client('leaver'));
      leave();
      const stay = hub.add(client('stayer'));
      await hub.close();
      expect(hub.groupCount()).toBe(1);
      stay();
      expect(hub.groupCount()).toBe(0);
    } finally {
      subscriber.disconnect();
    }
  });
});
