// Operations endpoints: liveness, readiness (Postgres and Redis), Prometheus metrics.
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { defineRoute, type RouteSpec } from '../route.ts';

const readiness = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()) });

async function check(probe: () => Promise<unknown>, timeoutMs = 2_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof Error && error.message === 'timed out' ? 'timed out' : 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

export function opsRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'getLiveness',
      summary: 'Liveness: the process answers',
      tag: 'operations',
      roles: 'public',
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: () => ({ status: 200, body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'getReadiness',
      summary: 'Readiness: Postgres and Redis reachable',
      tag: 'operations',
      roles: 'public',
      responses: {
        200: { description: 'Ready', schema: readiness },
        503: { description: 'A dependency is unreachable', schema: readiness },
      },
      async handler() {
        const [postgres, redis] = await Promise.all([check(() => deps.sql`SELECT 1`), check(() => deps.redis.ping())]);
        const ok = postgres === 'ok' && redis === 'ok';
        return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', checks: { postgres, redis } } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      tag: 'operations',
      roles: 'public',
      responses: { 200: { description: 'Prometheus text exposition', contentType: 'text/plain' } },
      async handler(ctx) {
        ctx.type = deps.metrics.registry.contentType;
        return { status: 200, body: await deps.metrics.registry.metrics() };
      },
    }),
  ];
}
