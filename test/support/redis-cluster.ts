// A Redis Cluster of the test's own: three masters from the machine's redis-server binary on free ports, each in a
// private directory (nodes.conf, no persistence), joined by `redis-cli --cluster create`, stopped by pid.
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../harness/platform/free-port.ts';
import { launchRedisServer, killRedisServer } from './private-redis.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

export interface RedisCluster {
  /** `host:port` of every node, for REDIS_CLUSTER_NODES. */
  nodes: string[];
  stop(): Promise<void>;
}

/** Two free ports `p` and `p + 10000` (the cluster bus port), both below 65536. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 > 65_535) continue;
    const bus = createServer();
    const free = await new Promise<boolean>((resolve) => bus.once('error', () => resolve(false)).listen(port + 10_000, '127.0.0.1', () => resolve(true)));
    if (free) {
      await new Promise((resolve) => bus.close(resolve));
      return port;
    }
  }
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  return launchRedisServer(port, dir, ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000']);
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-redis-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(killRedisServer));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) ports.push(await clusterPort());
    for (const port of ports) children.push(await launch(port, dir));
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    // Every node must know every slot's owner before a client's first command lands on it.
    for (const port of ports) {
      await waitFor(
        async () => (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout,
        (info) => /cluster_state:ok/.test(info) && /cluster_known_nodes:3/.test(info),
        { what: `cluster state ok on ${port}`, timeoutMs: 30_000, intervalMs: 100 },
      );
    }
    return { nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
