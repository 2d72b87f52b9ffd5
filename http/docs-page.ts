// GET /docs: the API reference (Swagger UI from the swagger-ui-dist npm package) rendering /openapi.json. Every
// asset is served from here, never a CDN: the page's Content-Security-Policy admits this origin only. Public, like
// /openapi.json; "Authorize" takes a bearer token for "Try it out".
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import { AppError } from '../core/errors.ts';

export const DOCS_PATH = '/docs';
const ASSETS = `${DOCS_PATH}/assets`;

/** Resolved on first use: a checkout whose node_modules predates the package still serves the API. */
let distDir: string | undefined;
function swaggerUiDir(): string {
  try {
    distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    return distDir;
  } catch (error) {
    throw new AppError('dependency-unavailable', 'the swagger-ui-dist package is not installed; run npm ci', { cause: error });
  }
}

/** File name under /docs/assets → where it comes from and its type. */
const assets: Record<string, { file?: string; text?: string; type: string }> = {
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: 'favicon-32x32.png', type: 'image/png' },
  // No inline script, so the policy needs no 'unsafe-inline' for scripts. No validator badge (it calls out).
  'init.js': {
    type: 'text/javascript; charset=utf-8',
    text: `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true, validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout', tryItOutEnabled: false, displayOperationId: true });
`,
  },
};

export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const page = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>mcp-runtime API</title>
    <link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${ASSETS}/favicon-32x32.png">
  </head>
  <body>
    <div id="docs"></div>
    <script src="${ASSETS}/swagger-ui-bundle.js"></script>
    <script src="${ASSETS}/init.js"></script>
  </body>
</html>
`;

const cache = new Map<string, Promise<Buffer | string>>();
const load = (name: string, asset: { file?: string; text?: string }) => {
  let body = cache.get(name);
  if (body === undefined) {
    body = asset.text !== undefined ? Promise.resolve(asset.text) : readFile(join(swaggerUiDir(), asset.file!));
    cache.set(name, body);
    body.catch(() => cache.delete(name));
  }
  return body;
};

export function docsRouter(): Router {
  const router = new Router();
  router.get(DOCS_PATH, (ctx) => {
    ctx.set('Content-Security-Policy', DOCS_CSP);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page;
  });
  router.get(`${ASSETS}/:name`, async (ctx) => {
    const asset = assets[ctx.params.name ?? ''];
    if (asset === undefined) return; // the problem middleware answers 404
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = asset.type;
    ctx.body = await load(ctx.params.name!, asset);
  });
  return router;
}
