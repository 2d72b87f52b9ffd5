// Redis connections: queues share one client; each worker and subscriber gets its own blocking-safe client. With
// REDIS_CLUSTER_NODES set every client is an ioredis Cluster client over those nodes (credentials and TLS from
// REDIS_URL); BullMQ keys then carry one hash tag per deployment (queues/queues.ts), so every key and every
// multi-key script of one deployment lands in one slot.
import { Cluster, Redis } from 'ioredis';

/** A standalone client or a cluster client: every caller uses only what both offer. */
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  url: string;
  /** `host:port` seeds of a Redis Cluster; empty for a standalone Redis at `url`. */
  clusterNodes: readonly string[];
}

export type RedisPurpose = 'queue' | 'worker' | 'subscriber';

export function redisTarget(config: { REDIS_URL: string; REDIS_CLUSTER_NODES: readonly string[] }): RedisTarget {
  return { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
}

/** The URL of the first node to probe before anything that would retry forever is made. */
export const probeUrl = (target: RedisTarget): string => {
  const first = target.clusterNodes[0];
  if (first === undefined) return target.url;
  const url = new URL(target.url.startsWith('/') ? 'redis://localhost' : target.url);
  url.host = first;
  url.pathname = '';
  return url.toString();
};

export function createRedis(target: string | RedisTarget, purpose: RedisPurpose = 'queue'): RedisClient {
  const { url, clusterNodes } = typeof target === 'string' ? { url: target, clusterNodes: [] } : target;
  const options = {
    // BullMQ workers and subscribers block; they must retry forever rather than fail a command.
    maxRetriesPerRequest: purpose === 'queue' ? 20 : null,
    enableOfflineQueue: true,
    connectionName: `mcp-runtime:${purpose}`,
  };
  if (clusterNodes.length === 0) return new Redis(url, { ...options, lazyConnect: false });
  const parsed = new URL(url.startsWith('/') ? 'redis://localhost' : url);
  const nodes = clusterNodes.map((node) => {
    const [host, port] = node.split(/:(?=\d+$)/);
    return { host: host!.replace(/^\[|\]$/g, ''), port: Number(port) };
  });
  return new Cluster(nodes, {
    enableOfflineQueue: true,
    lazyConnect: false,
    redisOptions: {
      ...options,
      ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
      ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  });
}
