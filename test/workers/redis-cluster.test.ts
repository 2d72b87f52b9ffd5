// The platform on a Redis Cluster (REDIS_CLUSTER_NODES): three masters of our own, the API and the remediation
// workers on cluster clients. A run goes through the outbox, BullMQ on the cluster, the sandboxed executor and the
// stream hub's doorbell; every key of the deployment sits in one slot; pub/sub published on any node reaches a
// subscriber wherever the cluster client put it.
import { Cluster, Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCancelBus } from '../../workers/remediation-cancel-bus.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.ts';
import { waitFor } from '../support/wait.ts';
import { openSse } from '../trust/sse-client.ts';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from '../remediation/support.ts';

let cluster: RedisCluster;
let platform: TestPlatform;
beforeAll(async () => {
  cluster = await startRedisCluster();
  platform = await startTestPlatform({ workers: ['remediation-execute', 'remediation-deadline', 'sse-fanout'], env: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') } });
}, 120_000);
afterAll(async () => {
  // The cluster is ours to stop even when the platform's close fails: its nodes must not outlive the test.
  try {
    await platform?.close();
  } finally {
    await cluster?.stop();
  }
});

const standalone = (node: string) => new Redis(`redis://${node}`, { maxRetriesPerRequest: 3 });

describe('Redis Cluster', () => {
  it('runs a remediation run end to end: outbox job, worker, executor, stream events over the doorbell', async () => {
    expect(platform.clients.redis).toBeInstanceOf(Cluster);
    const playbook = await createPlaybook(platform, shellPlaybook('on-cluster', 'echo on-cluster'));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    const reader = await openSse(`${platform.url}/api/trust/remediation/stream?run_id=${run.id}`, await platform.token());
    const events = [];
    for (;;) {
      const [event] = await reader.next(1, 20_000);
      events.push(event!);
      if (event!.event === 'run.succeeded') break;
    }
    reader.close();
    expect(events.map((event) => event.event).filter((name) => name !== 'log')).toEqual(['run.created', 'run.running', 'run.succeeded']);
    const lines = events.filter((event) => event.event === 'log').flatMap((event) => event.data.lines as { line: string }[]);
    expect(lines.map((line) => line.line)).toContain('on-cluster');
    await waitForRun<{ status: string }>(platform, run.id, (row) => row.status === 'succeeded');
    // The completed job marked its outbox row done: the worker's completion came back through the cluster.
    const done = await waitFor(
      async () => platform.db.sql<{ open: number }[]>`SELECT count(*)::int AS open FROM outbox WHERE done_at IS NULL AND queue = 'remediation-execute'`,
      ([row]) => row?.open === 0,
      { what: 'outbox rows done' },
    );
    expect(done[0]!.open).toBe(0);
  });

  it('keeps every key of the deployment in one slot, on one node', async () => {
    const { keyPrefix } = platform.clients.queues;
    expect(keyPrefix).toMatch(/^\{t[0-9a-f]+:[0-9a-f]{10}\}$/);
    const found: { node: string; key: string }[] = [];
    for (const node of cluster.nodes) {
      const client = standalone(node);
      try {
        for (const key of await client.keys(`${keyPrefix}*`)) found.push({ node, key });
      } finally {
        client.disconnect();
      }
    }
    expect(found.length).toBeGreaterThan(3);
    expect(new Set(found.map((entry) => entry.node)).size).toBe(1);
    const probe = standalone(cluster.nodes[0]!);
    try {
      const slots = await Promise.all(found.map((entry) => probe.cluster('KEYSLOT', entry.key)));
      expect(new Set(slots).size).toBe(1);
      // Without the braces, two keys of one queue would hash apart: the reason for the tag.
      const untagged = await Promise.all([`${keyPrefix.slice(1, -1)}:remediation-execute:wait`, `${keyPrefix.slice(1, -1)}:remediation-execute:active`].map((key) => probe.cluster('KEYSLOT', key)));
      expect(untagged[0]).not.toBe(untagged[1]);
    } finally {
      probe.disconnect();
    }
  });

  it('delivers a cancel published on any node to the cluster subscriber', async () => {
    const bus = createCancelBus({ redis: platform.clients.redis, prefix: platform.config.QUEUE_PREFIX, logger: pino({ level: 'silent' }) });
    const controllers = cluster.nodes.map(() => new AbortController());
    const releases = await Promise.all(controllers.map((controller, index) => bus.watch(900_000 + index, controller)));
    try {
      for (const [index, node] of cluster.nodes.entries()) {
        const publisher = standalone(node);
        try {
          // PUBLISH straight to one node (not through the cluster client): the cluster forwards it to every node.
          await publisher.publish(`${platform.config.QUEUE_PREFIX}:remediation-cancel`, String(900_000 + index));
        } finally {
          publisher.disconnect();
        }
      }
      await Promise.all(controllers.map((controller) => new Promise<void>((resolve) => (controller.signal.aborted ? resolve() : controller.signal.addEventListener('abort', () => resolve())))));
      expect(controllers.map((controller) => controller.signal.aborted)).toEqual([true, true, true]);
    } finally {
      for (const release of releases) release();
    }
  });
});
