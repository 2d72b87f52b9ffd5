import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneStreamEvents, streamLowWater } from '../../sql/stream-retention.ts';
import { startStreamRetention } from '../../workers/stream-retention.ts';
import { mcpctl } from '../support/cli.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';
import { openSse } from './sse-client.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(() => platform.close());

/** `count` events of `owner`, created `ageDays` ago; returns their ids. */
async function seed(owner: string, count: number, ageDays: number, topic = 'trust-registry'): Promise<number[]> {
  const rows = await platform.db.sql<{ id: number }[]>`
    INSERT INTO stream_events (topic, owner_id, subject_id, event, payload, dedupe_key, created_at)
    SELECT ${topic}, ${owner}, '1', 'trust.transition', jsonb_build_object('i', i), ${`ret-${owner}-${topic}-${ageDays}-`} || i, now() - make_interval(days => ${ageDays}::int)
    FROM generate_series(1, ${count}::int) AS i
    RETURNING id`;
  return rows.map((row) => row.id).sort((a, b) => a - b);
}
const week = 7 * 86_400;
/** Earlier tests' events of `topic` become old too: a topic is pruned as a prefix in id order. */
const ageTopic = (topic: string) => platform.db.sql`UPDATE stream_events SET created_at = now() - interval '60 days' WHERE topic = ${topic}`;

describe('stream retention', () => {
  it('prunes events past the window topic by topic and raises that topic’s low-water mark', async () => {
    // Each test uses its own topics: the mark is per topic, and a topic's prefix is pruned in id order.
    const old = await seed('prune', 5, 10, 'lifecycle');
    const fresh = await seed('prune', 2, 0, 'lifecycle');
    const otherTopic = await seed('prune', 3, 1, 'vm-console');
    const deleted = await pruneStreamEvents(platform.db.sql, { retentionSeconds: week, batch: 2 });
    expect(deleted).toMatchObject({ lifecycle: 5, 'vm-console': 0 });
    expect(await streamLowWater(platform.db.sql, 'lifecycle')).toBe(old.at(-1));
    expect(await streamLowWater(platform.db.sql, 'vm-console')).toBe(0);
    const left = await platform.db.sql<{ id: number }[]>`SELECT id FROM stream_events WHERE owner_id = 'prune' ORDER BY id`;
    expect(left.map((row) => row.id)).toEqual([...fresh, ...otherTopic].sort((a, b) => a - b));
  });

  it('answers a resume below the low-water mark with one reset, then every event still kept', async () => {
    const old = await seed('resumer', 4, 30);
    const fresh = await seed('resumer', 3, 0);
    await pruneStreamEvents(platform.db.sql, { retentionSeconds: week });
    const lowWater = await streamLowWater(platform.db.sql, 'trust-registry');
    const token = await platform.token({ owner: 'resumer' });
    const stream = await openSse(`${platform.url}/api/trust/registry/stream`, token, { 'last-event-id': String(old[0]) });
    try {
      const [reset, ...kept] = await stream.next(4);
      expect(reset).toEqual({ id: lowWater, event: 'reset', data: { reason: 'retention', requested_id: old[0], oldest_id: lowWater + 1, head_id: expect.any(Number) } });
      expect(reset!.data.head_id).toBeGreaterThanOrEqual(fresh.at(-1)!);
      expect(kept.map((event) => event.id)).toEqual(fresh);
    } finally {
      stream.close();
    }
    // Resuming at the mark (what a client does after the reset) has missed nothing: no reset.
    const again = await openSse(`${platform.url}/api/trust/registry/stream?cursor=${lowWater}`, token);
    try {
      expect((await again.next(3)).map((event) => [event.event, event.id])).toEqual(fresh.map((id) => ['trust.transition', id]));
    } finally {
      again.close();
    }
  });

  it('runs the sweep when the worker process starts', async () => {
    const old = await seed('swept', 3, 9, 'remediation');
    const retention = startStreamRetention({ sql: platform.db.sql, logger: pino({ level: 'silent' }), sweepMs: 60_000, retentionDays: 7 });
    try {
      await waitFor(() => platform.db.sql`SELECT id FROM stream_events WHERE id = ANY(${old})`, (rows) => rows.length === 0, { what: 'old events pruned' });
    } finally {
      await retention.stop();
    }
    expect(await streamLowWater(platform.db.sql, 'remediation')).toBe(old.at(-1));
  });

  it('has mcpctl watch print one reset notice and keep following', async () => {
    await ageTopic('trust-registry');
    const old = await seed('follower', 2, 20);
    const fresh = await seed('follower', 2, 0);
    await pruneStreamEvents(platform.db.sql, { retentionSeconds: week });
    const lowWater = await streamLowWater(platform.db.sql, 'trust-registry');
    const result = await mcpctl(platform, ['trust', 'registry', 'watch', '--since', String(old[0]), '--count', '2', '--json'], { as: { owner: 'follower' } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(`stream reset (retention): events ${old[0]! + 1}..${lowWater} are no longer kept; continuing from event ${lowWater + 1}`);
    expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual(fresh);
  });
});

