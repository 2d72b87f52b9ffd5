// Redis connections: queues share one client; each worker and subscriber gets its own blocking-safe client.
import { Redis } from 'ioredis';

export function createRedis(url: string, purpose: 'queue' | 'worker' | 'subscriber' = 'queue'): Redis {
  return new Redis(url, {
    // BullMQ workers and subscribers block; they must retry forever rather than fail a command.
    maxRetriesPerRequest: purpose === 'queue' ? 20 : null,
    enableOfflineQueue: true,
    lazyConnect: false,
    connectionName: `mcp-runtime:${purpose}`,
  });
}
