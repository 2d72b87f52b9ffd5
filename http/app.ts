// createApp(deps): the Koa application — request ids, metrics, problem rendering, auth, routes, OpenAPI, the docs
// page, Bull Board.
import Router from '@koa/router';
import Koa from 'koa';
import { authMiddleware } from './auth.ts';
import { bullBoardMiddlewares } from './bull-board.ts';
import type { AppDeps } from './deps.ts';
import { consoleRouter } from './console/web.ts';
import { docsRouter } from './docs-page.ts';
import { jsonBodyMiddleware } from './json-body.ts';
import { httpMetricsMiddleware } from './metrics.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { problemMiddleware } from './problem.ts';
import { requestIdMiddleware } from './request-id.ts';
import { toKoaHandler, type RouteSpec } from './route.ts';
import { allRoutes } from './surfaces.ts';

export const API_VERSION = '0.1.0';

export function createApp(deps: AppDeps): Koa {
  const { config } = deps;
  // http/main.ts resolves the secret (JWT_SECRET, JWT_SECRET_FILE or the development file) before building the app.
  if (config.JWT_SECRET === undefined) throw new Error('createApp needs config.JWT_SECRET; load the config with { jwtSecret: true }');
  const app = new Koa({ proxy: true });
  const router = new Router();
  const routes: RouteSpec[] = allRoutes(deps);
  const openapi = buildOpenApiDocument(routes, { version: API_VERSION });

  for (const spec of routes) router[spec.method](spec.path, toKoaHandler(spec));
  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi;
  });

  // Errors Koa sees after a response started (mostly clients hanging up on a stream) go to our log, not stderr.
  app.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE' || error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
    deps.logger.warn({ err: error }, 'response error');
  });
  app.use(requestIdMiddleware);
  app.use(httpMetricsMiddleware(deps.metrics.registry));
  app.use(problemMiddleware(deps.logger));
  app.use(async (ctx, next) => {
    const started = Date.now();
    await next();
    // ctx.path, never ctx.url: query strings may carry an access_token.
    deps.logger.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Date.now() - started, requestId: ctx.state.requestId }, 'request');
  });
  app.use(authMiddleware(config.JWT_SECRET, { maxLifetimeSeconds: config.JWT_MAX_LIFETIME_SECONDS, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }));
  if (config.BULL_BOARD_ENABLED) for (const middleware of bullBoardMiddlewares(deps.queues, { readOnly: config.BULL_BOARD_READ_ONLY })) app.use(middleware);
  app.use(
    jsonBodyMiddleware({
      maxBytes: config.HTTP_BODY_LIMIT_BYTES,
      maxDepth: config.HTTP_JSON_MAX_DEPTH,
      maxStringLength: config.HTTP_JSON_MAX_STRING_LENGTH,
      maxArrayLength: config.HTTP_JSON_MAX_ARRAY_LENGTH,
    }),
  );
  app.use(router.routes());
  app.use(docsRouter().routes());
  app.use(consoleRouter().routes());
  app.use(router.allowedMethods({ throw: false }));
  return app;
}
