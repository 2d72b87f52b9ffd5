// GET /console: the web console, plain HTML, CSS and one ES module from http/console/web/ (no build step, no CDN),
// under a self-only Content-Security-Policy. Public like /docs: the page holds no data; it calls the API with the
// token the user brings (docs/console.md, "Web console").
import { readFile } from 'node:fs/promises';
import Router from '@koa/router';

export const CONSOLE_PATH = '/console';
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const files: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};
const webDir = new URL('./web/', import.meta.url);
const read = (name: string) => readFile(new URL(name, webDir));

export function consoleRouter(): Router {
  const router = new Router();
  router.get(CONSOLE_PATH, async (ctx) => {
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await read('index.html');
  });
  router.get(`${CONSOLE_PATH}/assets/:name`, async (ctx) => {
    const type = files[ctx.params.name ?? ''];
    if (type === undefined) return; // the problem middleware answers 404
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = type;
    ctx.body = await read(ctx.params.name!);
  });
  return router;
}
